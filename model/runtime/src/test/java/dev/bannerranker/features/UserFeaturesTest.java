package dev.bannerranker.features;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserFeaturesTest {
  private static final UserProfile P = new UserProfile("u1", Gender.M, "35-44", 1);

  private static FeatureSpec spec(int maxEvents) {
    Standardizer s = Standardizer.identity(List.of());
    return new FeatureSpec(2, 24, maxEvents, 4, 72, List.of(1.0, 2.0, 3.0, 2.0), 60, 2, 1024, 1, 4, 10, 0.05,
        Map.of(), List.of(4), Map.of(), s, s, s, 3, 2, 0, FeatureEncoder.WIDE_CROSSES);
  }

  /** brand 1 = (1,0), brand 2 = (0,1); categories 1 = (1,1); item vector = mean of brand and category. */
  private static ItemVectors vectors() {
    float[][] brands = {{0, 0}, {1, 0}, {0, 1}};
    float[][] cats = {{0, 0}, {1, 1}};
    return new ItemVectors(2, brands, cats, new float[][] {{0, 0}}, new boolean[1]);
  }

  @Test
  void vectorIsTheDecayedTypeAndDwellWeightedMean() {
    FeatureSpec spec = spec(10);
    UserHistory h = UserHistory.forSpec(spec);
    long now = 1_000_000;
    h.addEvent(1, 1, EventType.VIEW, 2, 0f, now - 24 * 3600); // w = 0.5 * 1 * 1
    h.addEvent(2, 1, EventType.PURCHASE, 4, 60f, now); // w = 1 * 3 * 2 = 6
    UserFeatures u = UserFeatures.compute(P, h, now, vectors(), spec);
    double w1 = 0.5;
    double w2 = 6;
    // items: (1,0.5) and (0.5,1)
    assertEquals((w1 * 1 + w2 * 0.5) / (w1 + w2), u.vector[0], 1e-6);
    assertEquals((w1 * 0.5 + w2 * 1) / (w1 + w2), u.vector[1], 1e-6);
    assertEquals(w2 / (w1 + w2), u.brandShare(2), 1e-6);
    assertEquals(1.0, u.categoryShare(1), 1e-6);
    assertEquals((w1 * 2 + w2 * 4) / (w1 + w2), u.meanPriceTier, 1e-5);
    assertArrayEquals(new int[] {2, 1}, u.topBrands);
    assertArrayEquals(new int[] {2, 1, Vocabulary.UNKNOWN}, u.tasteBrands);
  }

  @Test
  void ringKeepsOnlyTheLatestEvents() {
    FeatureSpec spec = spec(2);
    UserHistory h = UserHistory.forSpec(spec);
    h.addEvent(1, 1, EventType.VIEW, 0, 0f, 10);
    h.addEvent(2, 1, EventType.VIEW, 0, 0f, 20);
    h.addEvent(2, 1, EventType.VIEW, 0, 0f, 30);
    UserFeatures u = UserFeatures.compute(P, h, 30, vectors(), spec);
    assertEquals(0f, u.brandShare(1), "the oldest event was forgotten");
    assertEquals(3, u.totalEvents);
    assertArrayEquals(new int[] {2, Vocabulary.UNKNOWN}, u.topBrands);
  }

  @Test
  void fatigueCountsImpressionsInsideTheWindowOnly() {
    FeatureSpec spec = spec(4);
    UserHistory h = UserHistory.forSpec(spec);
    long now = 1_000_000;
    h.addImpression(7, now - 73 * 3600);
    h.addImpression(7, now - 3600);
    h.addImpression(7, now - 60);
    h.addImpression(8, now - 60);
    h.addImpression(7, now); // same second: not before now
    assertEquals(2, UserFeatures.compute(P, h, now, vectors(), spec).recentImpressions(7));
  }

  @Test
  void emptyHistoryGivesZeroVectorAndUnknownBrands() {
    FeatureSpec spec = spec(4);
    UserFeatures u = UserFeatures.compute(P, UserHistory.forSpec(spec), 5, vectors(), spec);
    assertArrayEquals(new float[2], u.vector);
    assertFalse(u.hasHistory());
    assertArrayEquals(new int[] {0, 0}, u.topBrands);
  }

  @Test
  void recentImpressionsCountExactlyTheFatigueWindow() {
    FeatureSpec spec = spec(4); // fatigue window 72 h, impression ring of 4
    UserHistory h = UserHistory.forSpec(spec);
    long now = 1_000_000;
    h.addImpression(5, now - 73 * 3600); // outside the window
    h.addImpression(5, now - 3600);
    h.addImpression(69, now - 60); // 69 = 5 + 64: the same filter bit as banner 5, a different banner
    h.addImpression(5, now); // at now: not before now, so not counted
    UserFeatures u = UserFeatures.compute(P, h, now, vectors(), spec);
    for (int banner : new int[] {0, 4, 5, 6, 69, 133, -1}) {
      assertEquals(h.impressionsOf(banner, now - 72 * 3600, now), u.recentImpressions(banner), "banner " + banner);
    }
    assertEquals(1, u.recentImpressions(5));
    assertEquals(1, u.recentImpressions(69));
    assertEquals(0, u.recentImpressions(133));
  }

  @Test
  void sharesOfIndicesTheUserNeverSawAreZero() {
    FeatureSpec spec = spec(4);
    UserHistory h = UserHistory.forSpec(spec);
    h.addEvent(2, 1, EventType.VIEW, 0, 0f, 10);
    UserFeatures u = UserFeatures.compute(P, h, 10, vectors(), spec);
    assertEquals(1f, u.brandShare(2));
    assertEquals(0f, u.brandShare(1));
    assertEquals(0f, u.brandShare(Vocabulary.UNKNOWN));
    assertEquals(0f, u.brandShare(1000), "past the user's largest index");
    assertEquals(0f, u.categoryShare(7));
  }

  @Test
  void shareLookupGivesTheSameSharesDenseOrSparse() {
    int big = UserFeatures.ShareLookup.DENSE_LIMIT + 10;
    int[] ids = {big, 3, 70_000, 12};
    float[] shares = {0.4f, 0.3f, 0.2f, 0.1f};
    UserFeatures.ShareLookup sparse = new UserFeatures.ShareLookup(ids, shares);
    for (int i = 0; i < ids.length; i++) {
      assertEquals(shares[i], sparse.get(ids[i]), "id " + ids[i]);
    }
    assertEquals(0f, sparse.get(4));
    assertEquals(0f, sparse.get(-1));
    UserFeatures.ShareLookup dense = new UserFeatures.ShareLookup(new int[] {3, 12}, new float[] {0.3f, 0.1f});
    assertEquals(0.3f, dense.get(3));
    assertEquals(0.1f, dense.get(12));
    assertEquals(0f, dense.get(big));
    assertEquals(0f, new UserFeatures.ShareLookup(new int[0], new float[0]).get(0));
  }
}
