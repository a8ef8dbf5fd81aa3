package dev.bannerranker.features;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.testing.RandomBundles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spec's list of wide crosses: what the encoder computes, and what a manifest records. */
class WideCrossesTest {
  private final Bundle bundle = RandomBundles.create(5, 24);
  private final ScoringModel model = ScoringModel.of(bundle);
  private static final long NOW = RandomBundles.START + 86_400;

  private int[] wide(ScoringModel m, BannerFeatures b) {
    return wide(m, b, new UserProfile("u", Gender.M, "35-44", 1));
  }

  private int[] wide(ScoringModel m, BannerFeatures b, UserProfile profile) {
    FeatureEncoder enc = m.encoder();
    UserFeatures u = m.userFeatures(profile, UserHistory.forSpec(m.spec()), NOW);
    int[] out = new int[enc.wideCount()];
    enc.wideIndices(u, b, new ScoringContext(NOW, Platform.WEB, 1), out, 0);
    return out;
  }

  private static FeatureSpec withCrosses(FeatureSpec s, List<String> crosses) {
    return new FeatureSpec(s.itemVectorDim(), s.halfLifeHours(), s.maxRecentEvents(), s.maxRecentImpressions(),
        s.fatigueWindowHours(), s.typeWeights(), s.dwellCapSeconds(), s.topBrands(), s.wideBuckets(), s.neutralSlot(),
        s.maxSlot(), s.ctrPriorStrength(), s.globalCtr(), s.embeddingDims(), s.hiddenLayers(), s.cardinalities(),
        s.userScalars(), s.bannerScalars(), s.crossScalars(), s.tasteBrands(), s.tasteDim(), s.foldInDim(), crosses);
  }

  /** Banners of one campaign share the campaign's bucket; banners of different campaigns do not (these four don't collide). */
  @Test
  void bannersOfOneCampaignShareTheCampaignWeight() {
    int campaign = model.encoder().wideFieldNames().indexOf("campaign");
    assertTrue(campaign > 0);
    List<BannerFeatures> all = new ArrayList<>(model.banners().values());
    int same = 0;
    for (BannerFeatures a : all) {
      for (BannerFeatures b : all) {
        if (a == b) {
          continue;
        }
        boolean sameCampaign = a.banner().campaignId().equals(b.banner().campaignId());
        assertEquals(sameCampaign, wide(model, a)[campaign] == wide(model, b)[campaign], a.banner().id() + " " + b.banner().id());
        same += sameCampaign ? 1 : 0;
      }
    }
    assertTrue(same > 0, "the catalog should have campaigns with several banners");
  }

  /**
   * A campaign's audience crosses: one bucket per campaign and gender (or age band), shared by the campaign's banners,
   * and a different one for another audience of the same banner.
   */
  @Test
  void campaignAudienceCrossesSeparateAudiencesAndShareBanners() {
    List<String> names = model.encoder().wideFieldNames();
    int byGender = names.indexOf("campaign x gender");
    int byAge = names.indexOf("campaign x age_band");
    assertTrue(byGender > 0 && byAge > 0, names.toString());
    UserProfile man = new UserProfile("u", Gender.M, "35-44", 1);
    UserProfile woman = new UserProfile("v", Gender.F, "35-44", 3);
    UserProfile youngMan = new UserProfile("w", Gender.M, "18-24", 2);
    List<BannerFeatures> all = new ArrayList<>(model.banners().values());
    for (BannerFeatures a : all) {
      int[] m = wide(model, a, man);
      int[] f = wide(model, a, woman);
      int[] y = wide(model, a, youngMan);
      assertNotEquals(m[byGender], f[byGender], a.banner().id());
      assertEquals(m[byAge], f[byAge], a.banner().id() + ": same age band, other gender and city");
      assertEquals(m[byGender], y[byGender], a.banner().id() + ": same gender, other age band");
      assertNotEquals(m[byAge], y[byAge], a.banner().id());
      for (BannerFeatures b : all) {
        boolean sameCampaign = a.banner().campaignId().equals(b.banner().campaignId());
        assertEquals(sameCampaign, m[byGender] == wide(model, b, man)[byGender], a.banner().id() + " " + b.banner().id());
        assertEquals(sameCampaign, m[byAge] == wide(model, b, man)[byAge], a.banner().id() + " " + b.banner().id());
      }
    }
  }

  /** Dropping the crosses added since (the older list) keeps every other index as it was. */
  @Test
  void theOlderListGivesTheSameIndicesWithoutTheLaterCrosses() {
    FeatureEncoder legacy = new FeatureEncoder(withCrosses(bundle.spec(), FeatureEncoder.WIDE_CROSSES_OF_FORMAT_1));
    assertEquals(model.encoder().wideCount() - 3, legacy.wideCount());
    assertSameIndicesByName(legacy, new UserProfile("u", Gender.F, "25-34", 2), new ScoringContext(NOW, Platform.IOS, 2));
  }

  /** A cross's hash depends on its name, not on its place in the spec's list: leaving one out moves no other. */
  @Test
  void leavingACrossOutOfTheMiddleKeepsTheOthersIndices() {
    List<String> without = new ArrayList<>(FeatureEncoder.WIDE_CROSSES);
    without.remove("city_tier x brand");
    FeatureEncoder fewer = new FeatureEncoder(withCrosses(bundle.spec(), without));
    assertSameIndicesByName(fewer, new UserProfile("u", Gender.M, "45-54", 3), new ScoringContext(NOW, Platform.ANDROID, 3));
  }

  /** Every cross {@code fewer} computes has the index the full list gives the cross of the same name, for every banner. */
  private void assertSameIndicesByName(FeatureEncoder fewer, UserProfile profile, ScoringContext ctx) {
    List<String> allNames = model.encoder().wideFieldNames();
    List<String> fewerNames = fewer.wideFieldNames();
    UserFeatures u = model.userFeatures(profile, UserHistory.forSpec(model.spec()), NOW);
    for (BannerFeatures b : model.banners().values()) {
      int[] full = new int[model.encoder().wideCount()];
      int[] part = new int[fewer.wideCount()];
      model.encoder().wideIndices(u, b, ctx, full, 0);
      fewer.wideIndices(u, b, ctx, part, 0);
      for (int i = 0; i < part.length; i++) {
        assertEquals(full[allNames.indexOf(fewerNames.get(i))], part[i], b.banner().id() + " " + fewerNames.get(i));
      }
    }
  }

  @Test
  void unknownOrRepeatedCrossesAreRefusedByName() {
    var unknown = assertThrows(IllegalArgumentException.class,
        () -> withCrosses(bundle.spec(), List.of("banner_id", "colour x hour")));
    assertTrue(unknown.getMessage().contains("'colour x hour'"), unknown.getMessage());
    var twice = assertThrows(IllegalArgumentException.class,
        () -> withCrosses(bundle.spec(), List.of("banner_id", "banner_id")));
    assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
  }

  @Test
  void theManifestRecordsTheCrosses(@TempDir Path dir) throws Exception {
    BundleIO.write(bundle, dir.resolve("b"), false);
    assertEquals(FeatureEncoder.WIDE_CROSSES, BundleIO.load(dir.resolve("b")).spec().wideCrosses());
    assertTrue(java.nio.file.Files.readString(dir.resolve("b").resolve(Bundle.MANIFEST)).contains("\"campaign\""));
  }
}
