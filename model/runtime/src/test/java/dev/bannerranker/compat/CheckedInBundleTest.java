package dev.bannerranker.compat;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.testing.RandomBundles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bundles written by earlier builds must keep loading and scoring the same. {@code bundles/v1} was written
 * once by {@link #main} with format version 1, {@code bundles/v2} by the last build that wrote version 2 (commit
 * c0cbd93, {@code RandomBundles.create(2027, 16, SMALL, 3)}: with fold-in factors, a taste tower and the listed wide
 * crosses, and without the manifest seal of version 3); their golden scores are frozen next to them. If this test fails
 * after a change to the features or the bundle layout, keep reading the old layout (or bump the format
 * version with a migration) rather than regenerating the files.
 */
class CheckedInBundleTest {
  static final Path V1 = Path.of("src/test/resources/bundles/v1");
  static final Path V2 = Path.of("src/test/resources/bundles/v2");
  static final long NOW = RandomBundles.START + 6 * 86_400L;

  /** Scores every catalog banner for three fixed users; keys are {@code user/banner}. */
  static Map<String, Float> score(ScoringModel model) {
    Map<String, Float> out = new LinkedHashMap<>();
    BannerFeatures[] all = model.banners().values().stream().sorted(Comparator.comparingInt(BannerFeatures::index))
        .toArray(BannerFeatures[]::new);
    for (int user = 0; user < 3; user++) {
      UserHistory h = UserHistory.forSpec(model.spec());
      for (int k = 0; k < 6 * user; k++) {
        HistoryUpdates.productEvent(h, 1 + (k + user) % 5, 1 + k % 3, EventType.values()[k % 3], 1 + k % 4, 10f * k,
            NOW - 5000L * (6 * user - k));
      }
      if (user == 2) {
        HistoryUpdates.impression(h, 3, NOW - 600);
        HistoryUpdates.click(h, 2, 1, 3, NOW - 590);
      }
      UserFeatures u = model.userFeatures(new UserProfile("u" + user, Gender.values()[user], "25-34", 1 + user), h, NOW);
      float[] p = new float[all.length];
      model.predict(u, new ScoringContext(NOW, Platform.values()[user], model.spec().neutralSlot()), all, all.length, p);
      for (int i = 0; i < all.length; i++) {
        out.put("u" + user + "/" + all[i].banner().id(), p[i]);
      }
    }
    return out;
  }

  @Test
  void formatVersion1BundleLoadsAndScoresAsWhenItWasWritten() throws IOException {
    Bundle b = BundleIO.load(V1);
    assertEquals(1, b.manifest().formatVersion());
    // Its manifest predates the listed wide crosses: it must read as the six it was trained with.
    assertEquals(dev.bannerranker.features.FeatureEncoder.WIDE_CROSSES_OF_FORMAT_1, b.spec().wideCrosses());
    assertScoresAsGolden(b, V1.resolveSibling("v1-golden.json"));
  }

  @Test
  void formatVersion2BundleLoadsWithoutASealAndScoresAsWhenItWasWritten() throws IOException {
    assertFalse(Files.exists(V2.resolve(Bundle.MANIFEST_CHECKSUM)), "version 2 predates the manifest seal");
    Bundle b = BundleIO.load(V2);
    assertEquals(2, b.manifest().formatVersion());
    assertEquals(3, b.spec().foldInDim());
    assertEquals(dev.bannerranker.features.FeatureEncoder.WIDE_CROSSES.size(), b.spec().wideCrosses().size());
    assertScoresAsGolden(b, V2.resolveSibling("v2-golden.json"));
  }

  /**
   * {@code bundles/v3} was written by the last build that wrote version 3 ({@link #main} before format 4 added the
   * negative rate): it reads with a negative rate of 1 and scores as it did.
   */
  @Test
  void formatVersion3BundleLoadsWithNegativeRateOneAndScoresAsWhenItWasWritten() throws IOException {
    Path v3 = V1.resolveSibling("v3");
    Bundle b = BundleIO.load(v3);
    assertEquals(3, b.manifest().formatVersion());
    assertFalse(Files.readString(v3.resolve(Bundle.MANIFEST)).contains("negativeRate"));
    assertEquals(1.0, b.manifest().negativeRate());
    assertScoresAsGolden(b, V1.resolveSibling("v3-golden.json"));
  }

  /**
   * {@code bundles/v4} was written by the last build that wrote version 4 ({@link #main} at commit 214a876, before
   * format 5 added sequence attention): it reads without sequence attention and scores as it did.
   */
  @Test
  void formatVersion4BundleLoadsWithoutSequenceAttentionAndScoresAsWhenItWasWritten() throws IOException {
    Path v4 = V1.resolveSibling("v4");
    Bundle b = BundleIO.load(v4);
    assertEquals(4, b.manifest().formatVersion());
    assertFalse(Files.readString(v4.resolve(Bundle.MANIFEST)).contains("sequenceAttention"));
    assertFalse(b.spec().hasSequenceAttention());
    assertNull(b.weights().attention());
    assertScoresAsGolden(b, V1.resolveSibling("v4-golden.json"));
  }

  /**
   * {@code bundles/v3-trainer-manifest} is the manifest (and seal) of a format 3 bundle the trainer wrote before the
   * manifest was typed (commit b4edd22, tiny world seed 5, one epoch; its other files are left out for size). Every
   * key reads into the records, and written back they give the same JSON: the records keep the format's keys.
   */
  @Test
  void aFormat3TrainerManifestReadsIntoTheRecordsAndWritesBackUnchanged() throws IOException {
    Path dir = V1.resolveSibling("v3-trainer-manifest");
    var m = BundleIO.readManifest(dir);
    assertEquals(3, m.formatVersion());
    assertEquals("banner-ranker-model-trainer 0.7.0", m.provenance().trainer());
    assertEquals("own", m.provenance().dataFormat());
    assertEquals(4, m.provenance().inputFiles().size());
    assertEquals(0.5504381203473946, m.metrics().test().auc());
    assertEquals(2584, m.metrics().test().rows());
    assertEquals(m.metrics().rows().test(), m.metrics().test().rows());
    assertTrue(m.metrics().dataProblems().containsKey("impressions.csv"), m.metrics().dataProblems().toString());
    var t = m.training();
    assertEquals(t.validLoss().size(), t.trainLoss().size());
    assertEquals((double) t.bestValidation() / t.validationsPerEpoch(), t.bestEpoch(), 1e-12);
    assertEquals("2026-03-15T00:00:00Z", t.split().testStart());
    assertTrue(m.hyperparameters().get("wide_deep") instanceof Map<?, ?> wd && wd.containsKey("wideLearningRate"));

    JsonNode written = BundleIO.json().readTree(Files.readAllBytes(dir.resolve(Bundle.MANIFEST)));
    JsonNode typed = BundleIO.json().readTree(BundleIO.json().writeValueAsBytes(m));
    // The keys the migration adds: format 3 networks trained on every row, and a conversion tower (had the bundle
    // one) with the click tower's wide penalty.
    assertEquals(1.0, ((com.fasterxml.jackson.databind.node.ObjectNode) typed).remove("negativeRate").doubleValue());
    var wideDeep = (com.fasterxml.jackson.databind.node.ObjectNode) typed.get("hyperparameters").get("wide_deep");
    assertEquals(wideDeep.get("l2Wide"), wideDeep.remove("l2WideConversion"));
    written.fieldNames().forEachRemaining(f -> written.get(f).fieldNames().forEachRemaining(g ->
        assertEquals(written.get(f).get(g), typed.get(f).get(g), f + "." + g)));
    assertEquals(written, typed);
  }

  private static void assertScoresAsGolden(Bundle b, Path goldenFile) throws IOException {
    Map<String, Float> now = score(ScoringModel.of(b));
    JsonNode golden = BundleIO.json().readTree(goldenFile.toFile());
    assertEquals(golden.size(), now.size());
    golden.fields().forEachRemaining(e ->
        assertEquals(e.getValue().floatValue(), now.get(e.getKey()), 1e-6f, e.getKey()));
  }

  /**
   * Writes {@code bundles/v<FORMAT_VERSION>} and its golden scores, for the test of the next format version to
   * keep. Run once per format version, never to make a test pass: it refuses to overwrite.
   */
  public static void main(String[] args) throws IOException {
    Path out = V1.resolveSibling("v" + Bundle.FORMAT_VERSION);
    if (Files.exists(out)) {
      throw new IOException(out + " exists: a checked-in bundle is frozen");
    }
    Bundle b = RandomBundles.create(2026 + Bundle.FORMAT_VERSION - 1, 16, RandomBundles.SMALL, 3);
    BundleIO.write(b, out, false);
    Files.writeString(out.resolveSibling(out.getFileName() + "-golden.json"),
        BundleIO.json().writeValueAsString(score(ScoringModel.of(BundleIO.load(out)))));
  }
}
