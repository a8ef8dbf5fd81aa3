package dev.bannerranker.serving.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ChoiceCounts;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.serving.LogCapture;
import dev.bannerranker.serving.TestBundles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  /** Records what the listeners are told. */
  static final class Events implements ModelListener {
    final List<String> seen = new ArrayList<>();

    @Override
    public void loaded(Arm arm, ModelGeneration generation, ModelGeneration previous) {
      seen.add("loaded " + arm.label() + " " + generation.version());
    }

    @Override
    public void refused(Arm arm, Path dir, String reason) {
      seen.add("refused " + arm.label());
    }
  }

  @Test
  void aValidBundleIsSwappedIn(@TempDir Path tmp) throws Exception {
    ModelRegistry r = new ModelRegistry(0, "s");
    Events events = new Events();
    r.addListener(events);
    assertNull(r.current().control());
    r.load(Arm.CONTROL, TestBundles.TINY);
    ServingModels before = r.current();
    r.load(Arm.CONTROL, TestBundles.withVersion(tmp.resolve("v2"), "wd-v2"));
    assertEquals("wd-v2", r.current().control().version());
    // The earlier value is untouched: a request holding it finishes on the old model.
    assertEquals(TestBundles.tiny().modelVersion(), before.control().version());
    assertEquals(List.of("loaded control " + TestBundles.tiny().modelVersion(), "loaded control wd-v2"), events.seen);
  }

  @Test
  void badBundlesAreRefusedAndTheOldModelKeepsServing(@TempDir Path tmp) throws Exception {
    ModelRegistry r = new ModelRegistry(0, "s");
    Events events = new Events();
    r.addListener(events);
    r.load(Arm.CONTROL, TestBundles.TINY);
    String serving = r.current().control().version();
    record Bad(String name, Function<Path, Path> make, String reason) {}
    List<Bad> bads = List.of(
        new Bad("checksum", TestBundles::corruptChecksum, "checksum mismatch"),
        new Bad("format", TestBundles::futureFormat, "format version 99 is not supported"),
        new Bad("golden", TestBundles::nanScores, "golden requests failed"),
        new Bad("fold-in NaN", TestBundles::nanFoldIn, "golden requests failed"),
        new Bad("missing", dir -> dir, "bundle directory not found"));
    for (Bad bad : bads) {
      Path dir = bad.make().apply(tmp.resolve(bad.name()));
      try (LogCapture log = LogCapture.of(ModelRegistry.class)) {
        ModelRefusedException e = assertThrows(ModelRefusedException.class, () -> r.load(Arm.CONTROL, dir));
        assertTrue(e.getMessage().contains(bad.reason()), bad.name() + ": " + e.getMessage());
        // An operator sees each refusal: an ERROR naming the arm, the directory and the version still serving.
        ILoggingEvent logged = log.events().get(0);
        assertEquals(Level.ERROR, logged.getLevel());
        assertEquals("control", LogCapture.value(logged, "arm"));
        assertEquals(dir.toString(), LogCapture.value(logged, "bundle_dir"));
        assertEquals(serving, LogCapture.value(logged, "serving_version"));
      }
      assertEquals(serving, r.current().control().version());
      assertEquals(dir, r.lastRefusal(Arm.CONTROL).orElseThrow().dir());
    }
    assertEquals(bads.size(), events.seen.stream().filter(s -> s.equals("refused control")).count());
    r.load(Arm.CONTROL, TestBundles.withVersion(tmp.resolve("good"), "wd-good"));
    assertTrue(r.lastRefusal(Arm.CONTROL).isEmpty());
  }

  @Test
  void aFoldInBundleLoadsAndItsTasteMovesTheScores(@TempDir Path tmp) throws Exception {
    ModelRegistry r = new ModelRegistry(0, "s");
    ModelGeneration g = r.load(Arm.CONTROL, TestBundles.withFoldIn(tmp.resolve("f")));
    assertEquals("wd-fold-in", r.current().control().version());
    assertEquals(TestBundles.tiny().spec().foldInDim(), g.spec().foldInDim());
    // The same recent events, once with the whole history's counts and once with none: only the taste differs.
    List<BannerFeatures> banners = g.banners(g.placements().iterator().next());
    long t = TestBundles.T;
    UserHistory withTaste = UserHistory.forSpec(g.spec());
    for (int k = 0; k < 30; k++) {
      BannerFeatures b = banners.get(k % 3);
      HistoryUpdates.productEvent(withTaste, b.brandIdx(), b.categoryIdx(), EventType.VIEW, 2, 20f, t - 3_600 + k);
    }
    UserHistory noTaste = withTaste.copy();
    noTaste.setChoiceCounts(new ChoiceCounts());
    UserProfile user = new UserProfile("u", Gender.F, "25-34", 1);
    UserFeatures a = g.model().userFeatures(user, withTaste, t);
    UserFeatures b = g.model().userFeatures(user, noTaste, t);
    assertNotNull(g.model().vectors().foldIn().foldIn(withTaste, user));
    assertNull(g.model().vectors().foldIn().foldIn(noTaste, user));
    BannerFeatures[] candidates = banners.toArray(BannerFeatures[]::new);
    ScoringContext ctx = new ScoringContext(t, Platform.WEB, g.spec().neutralSlot());
    float[] pa = new float[candidates.length];
    float[] pb = new float[candidates.length];
    g.model().predict(a, ctx, candidates, candidates.length, pa);
    g.model().predict(b, ctx, candidates, candidates.length, pb);
    double maxDiff = 0;
    for (int i = 0; i < pa.length; i++) {
      assertTrue(pa[i] > 0f && pa[i] < 1f, "p = " + pa[i]);
      maxDiff = Math.max(maxDiff, Math.abs(pa[i] - pb[i]));
    }
    assertTrue(maxDiff > 1e-3, "the taste changes the scores: max difference " + maxDiff);
  }

  @Test
  void armsAreLoadedIndependently(@TempDir Path tmp) throws Exception {
    ModelRegistry r = new ModelRegistry(30, "s");
    r.load(Arm.TREATMENT, TestBundles.withVersion(tmp.resolve("t"), "wd-t"));
    assertNull(r.current().control());
    assertEquals("wd-t", r.current().treatment().version());
    assertThrows(ModelRefusedException.class, () -> r.load(Arm.TREATMENT, TestBundles.nanScores(tmp.resolve("n"))));
    assertEquals("wd-t", r.current().treatment().version());
    assertTrue(r.lastRefusal(Arm.CONTROL).isEmpty());
  }
}
