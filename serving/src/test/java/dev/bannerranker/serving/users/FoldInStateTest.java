package dev.bannerranker.serving.users;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.TestSettings;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.EventRecorder;
import dev.bannerranker.serving.ranking.RankedItem;
import dev.bannerranker.serving.ranking.Reason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fold-in taste the service builds from its name-keyed choice counts against the training side's: the same
 * events replayed through {@link HistoryUpdates} into {@link UserHistory#forSpec} with the model's indices, as the
 * training sweep does. Events go in through {@link EventRecorder}, the RecordEvents path, or the bootstrap tables;
 * one test ranks through {@code RankingService}.
 */
class FoldInStateTest {
  static final int CAPACITY = 64;
  static final Bundle BUNDLE = TestBundles.foldIn(1, false);

  /** The service's pieces around a registry serving the fold-in bundle. */
  static final class Service {
    final ModelRegistry registry = new ModelRegistry(0, "s");
    final UserStateStore users = new UserStateStore(
        new UserSettings("", false, CAPACITY, 1_000, Duration.ofHours(1)), ProfileStore.empty());
    final EventRecorder recorder = new EventRecorder(registry, users, new RankerMetrics(new SimpleMeterRegistry()),
        new RequestSettings(128, 500, 50, 10, 1000, "", Duration.ofMillis(3)));

    ModelGeneration load(Path dir) throws Exception {
      return registry.load(Arm.CONTROL, dir);
    }

    void record(List<EventInput> events) {
      for (int from = 0; from < events.size(); from += 37) {
        recorder.record(events.subList(from, Math.min(events.size(), from + 37)));
      }
    }

    UserHistory snapshot(String user, ModelGeneration g) {
      return users.get(user).snapshot(g).history();
    }
  }

  /**
   * A shopper's visits (hours apart) of one or two categories, each a few product views with some carts and
   * purchases, banner impressions and a few clicks; names the model knows.
   */
  static List<EventInput> browsing(String user, long seed, int n, long start, Bundle b) {
    SplittableRandom r = new SplittableRandom(seed);
    Vocabularies v = b.vocab();
    List<Banner> catalog = b.catalog();
    List<EventInput> out = new ArrayList<>();
    long t = start;
    while (out.size() < n) {
      t += 3_600 * (2 + r.nextInt(30));
      int categories = 1 + r.nextInt(2);
      for (int c = 0; c < categories && out.size() < n; c++) {
        String category = v.categories().valueAt(1 + r.nextInt(v.categories().cardinality() - 1));
        for (int k = 1 + r.nextInt(8); k > 0 && out.size() < n; k--) {
          t += 5 + r.nextInt(120);
          String brand = v.brands().valueAt(1 + r.nextInt(Math.min(12, v.brands().cardinality() - 1)));
          EventType type = r.nextInt(8) == 0 ? EventType.ADD_TO_CART : r.nextInt(20) == 0 ? EventType.PURCHASE
              : EventType.VIEW;
          out.add(EventInput.product(user, t, type, brand, category, 1 + r.nextInt(4), r.nextInt(600) / 10f));
          if (r.nextInt(3) == 0) {
            String banner = catalog.get(r.nextInt(catalog.size())).id();
            out.add(EventInput.impression(user, t, banner));
            if (r.nextInt(6) == 0) {
              out.add(EventInput.click(user, t + 2, banner));
            }
          }
        }
      }
    }
    return out;
  }

  /** The training side: every event through {@link HistoryUpdates} with {@code g}'s indices. */
  static UserHistory trainingHistory(List<EventInput> events, ModelGeneration g) {
    Vocabularies v = g.model().bundle().vocab();
    UserHistory h = UserHistory.forSpec(g.spec());
    for (EventInput e : events) {
      switch (e.kind()) {
        case IMPRESSION -> HistoryUpdates.impression(h, v.banners().indexOf(e.bannerId()), e.timeSeconds());
        case CLICK -> {
          Banner b = g.banner(e.bannerId()).banner();
          HistoryUpdates.click(h, v.brands().indexOf(b.brand()), v.categories().indexOf(b.category()),
              b.priceTier(), e.timeSeconds());
        }
        default -> HistoryUpdates.productEvent(h, v.brands().indexOf(e.brand()), v.categories().indexOf(e.category()),
            e.productType(), e.priceTier(), e.dwellSeconds(), e.timeSeconds());
      }
    }
    return h;
  }

  static void assertSameEvidence(FoldInFactors.Evidence expected, FoldInFactors.Evidence actual) {
    assertArrayEquals(expected.categories(), actual.categories());
    assertArrayEquals(expected.brands(), actual.brands());
    assertArrayEquals(expected.counts(), actual.counts());
    assertArrayEquals(expected.chosenCategory(), actual.chosenCategory());
    assertArrayEquals(expected.excludedCategory(), actual.excludedCategory());
    assertArrayEquals(expected.choiceCount(), actual.choiceCount());
  }

  /** Same evidence and the same taste, bit for bit. */
  static void assertSameTaste(UserHistory expected, UserHistory actual, ModelGeneration g) {
    FoldInFactors f = g.model().vectors().foldIn();
    assertSameEvidence(f.evidence(expected), f.evidence(actual));
    float[] taste = f.foldIn(actual, null);
    assertNotNull(taste);
    assertArrayEquals(f.foldIn(expected, null), taste);
  }

  /** Same scores for every banner of every placement, bit for bit. */
  static void assertSameScores(UserHistory expected, UserHistory actual, ModelGeneration g, String user, long now) {
    UserProfile profile = UserProfile.unknown(user);
    ScoringContext ctx = new ScoringContext(now, Platform.WEB, g.spec().neutralSlot());
    for (String placement : g.placements()) {
      BannerFeatures[] candidates = g.banners(placement).toArray(BannerFeatures[]::new);
      float[] want = new float[candidates.length];
      float[] got = new float[candidates.length];
      g.model().predict(g.model().userFeatures(profile, expected, now), ctx, candidates, candidates.length, want);
      g.model().predict(g.model().userFeatures(profile, actual, now), ctx, candidates, candidates.length, got);
      assertArrayEquals(want, got, placement);
    }
  }

  static long lastTime(List<EventInput> events) {
    return events.get(events.size() - 1).timeSeconds();
  }

  @Test
  void theServiceFoldsInTheWholeHistoryAsTrainingDoes(@TempDir Path tmp) throws Exception {
    Service s = new Service();
    ModelGeneration g = s.load(TestBundles.withFoldIn(tmp.resolve("f")));
    List<EventInput> events = browsing("heavy", 7, 900, TestBundles.T - 40 * 86_400L, BUNDLE);
    s.record(events);
    UserHistory served = s.snapshot("heavy", g);
    UserHistory trained = trainingHistory(events, g);
    assertEquals(g.spec().maxRecentEvents(), served.eventCount(), "the ring is full");
    assertEquals(trained.totalEvents(), served.totalEvents());
    assertSameTaste(trained, served, g);
    assertSameScores(trained, served, g, "heavy", lastTime(events) + 60);
    // the counts cover more than the log: the latest events alone give other evidence
    List<EventInput> behaviour = events.stream().filter(e -> e.kind() != EventInput.Kind.IMPRESSION).toList();
    UserHistory recent = trainingHistory(behaviour.subList(behaviour.size() - CAPACITY, behaviour.size()), g);
    FoldInFactors f = g.model().vectors().foldIn();
    assertThrows(AssertionError.class, () -> assertSameEvidence(f.evidence(recent), f.evidence(served)));
  }

  @Test
  void theCountsSurviveHotSwapsToOtherVocabularies(@TempDir Path tmp) throws Exception {
    Service s = new Service();
    Path dir = TestBundles.withFoldIn(tmp.resolve("f"));
    ModelGeneration g = s.load(dir);
    Path shiftedDir = TestBundles.shiftedBrands(BUNDLE, tmp.resolve("s"), "wd-fold-in-shifted");
    long start = TestBundles.T - 60 * 86_400L;
    List<EventInput> heavy = browsing("heavy", 11, 1_200, start, BUNDLE);
    List<EventInput> light = browsing("light", 12, 500, start, BUNDLE);
    s.record(heavy.subList(0, 600));
    s.record(light.subList(0, 50)); // all of it still in the log when the model changes
    ModelGeneration shifted = s.load(shiftedDir);
    assertFalse(g.brandIndex(1) == shifted.brandIndex(1) && g.brandIndex(2) == shifted.brandIndex(2),
        "the swap changes the brand indices");
    assertSameTaste(trainingHistory(heavy.subList(0, 600), shifted), s.snapshot("heavy", shifted), shifted);
    s.record(heavy.subList(600, 900));
    s.record(light.subList(50, 500));
    assertSameTaste(trainingHistory(heavy.subList(0, 900), shifted), s.snapshot("heavy", shifted), shifted);
    // A swap forgets the events counted beyond the log (log1p(total events) starts again), not the taste: the
    // light user had no more than the log at the swap, so everything matches.
    UserHistory light500 = s.snapshot("light", shifted);
    assertSameTaste(trainingHistory(light, shifted), light500, shifted);
    assertSameScores(trainingHistory(light, shifted), light500, shifted, "light", lastTime(light) + 60);
    ModelGeneration back = s.load(dir);
    s.record(heavy.subList(900, 1_200));
    assertSameTaste(trainingHistory(heavy, back), s.snapshot("heavy", back), back);
  }

  @Test
  void aRankScoresWithTheTrainingSideTaste(@TempDir Path tmp) throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "s");
    ModelGeneration g = registry.load(Arm.CONTROL, TestBundles.withFoldIn(tmp.resolve("f")));
    TestPipeline p = TestPipeline.of(registry, ProfileStore.empty(), TestSettings.request(),
        TestSettings.eligibility(0, List.of(), List.of()), TestSettings.ordering(OrderingSettings.Diversity.NONE, 0));
    List<EventInput> events = browsing("u", 9, 200, TestBundles.T - 60 * 86_400L, BUNDLE);
    p.events().record(events);
    UserHistory trained = trainingHistory(events, g);
    String placement = g.placements().iterator().next();
    ScoringContext ctx = new ScoringContext(TestBundles.T, Platform.WEB, g.spec().neutralSlot());
    var features = g.model().userFeatures(UserProfile.unknown("u"), trained, TestBundles.T);
    for (int round = 0; round < 2; round++) { // solved, then cached
      List<RankedItem> items = p.ranking().rank(TestPipeline.query("u", placement)).banners();
      assertFalse(items.isEmpty());
      for (RankedItem item : items) {
        assertEquals(Reason.PERSONALIZED, item.reason());
        float[] want = new float[1];
        g.model().predict(features, ctx, new BannerFeatures[] {g.banner(item.bannerId())}, 1, want);
        assertEquals(want[0], (float) item.predictedCtr(), item.bannerId());
      }
    }
  }

  @Test
  void theBootstrapCountsTheWholeHistory(@TempDir Path tmp) throws Exception {
    // the event tables of one heavy shopper; each click is the impression's, at its time
    List<EventInput> events = browsing("u-000002", 13, 700, TestBundles.T - 60 * 86_400L, BUNDLE);
    StringBuilder ev = new StringBuilder("user_id,timestamp,event_type,brand,category,price_tier,dwell_seconds\n");
    StringBuilder im = new StringBuilder("impression_id,user_id,timestamp,banner_id,placement,slot_position,platform,"
        + "clicked\n");
    List<EventInput> replayed = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      EventInput e = events.get(i);
      String time = Instant.ofEpochSecond(e.timeSeconds()).toString();
      if (e.kind() == EventInput.Kind.PRODUCT) {
        ev.append(String.join(",", e.userId(), time, e.productType().name().toLowerCase(Locale.ROOT), e.brand(),
            e.category(), String.valueOf(e.priceTier()), String.valueOf(e.dwellSeconds()))).append('\n');
        replayed.add(e);
      } else if (e.kind() == EventInput.Kind.IMPRESSION) {
        boolean clicked = i + 1 < events.size() && events.get(i + 1).kind() == EventInput.Kind.CLICK;
        im.append(String.join(",", "im-" + i, e.userId(), time, e.bannerId(), "home_hero", "1", "web",
            clicked ? "1" : "0")).append('\n');
        replayed.add(e);
        if (clicked) {
          replayed.add(EventInput.click(e.userId(), e.timeSeconds(), e.bannerId()));
        }
      }
    }
    Files.copy(TestBundles.TINY.resolve("banners.csv"), tmp.resolve("banners.csv"));
    Files.copy(TestBundles.USERS.resolve("users.csv"), tmp.resolve("users.csv"));
    Files.writeString(tmp.resolve("events.csv"), ev);
    Files.writeString(tmp.resolve("impressions.csv"), im);
    ProfileStore profiles = ProfileStore.load(tmp, true, CAPACITY);
    ModelRegistry registry = new ModelRegistry(0, "s");
    ModelGeneration g = registry.load(Arm.CONTROL, TestBundles.withFoldIn(tmp.resolve("f")));
    UserHistory served = profiles.newState("u-000002", CAPACITY).snapshot(g).history();
    assertSameTaste(trainingHistory(replayed, g), served, g);
    // The same through a store: the import writes the counts, a state read from the store has the same taste.
    UserStateStore stored = new UserStateStore(new UserSettings("", false, CAPACITY, 1_000, Duration.ofHours(1)),
        profiles);
    // A generation of its own, whose taste cache has not seen the user, so the taste is solved from the counts.
    ModelGeneration fresh = new ModelRegistry(0, "s").load(Arm.CONTROL, tmp.resolve("f"));
    assertSameTaste(trainingHistory(replayed, fresh), stored.get("u-000002").snapshot(fresh).history(), fresh);
  }

  @Test
  void theTasteIsCachedUntilTheCountsChange(@TempDir Path tmp) throws Exception {
    Service s = new Service();
    Path dir = TestBundles.withFoldIn(tmp.resolve("f"));
    ModelGeneration g = s.load(dir);
    FoldInFactors f = g.model().vectors().foldIn();
    List<EventInput> events = new ArrayList<>(browsing("u", 5, 300, TestBundles.T - 30 * 86_400L, BUNDLE));
    s.record(events);
    float[] first = s.snapshot("u", g).foldIn(f, null);
    assertSame(first, s.snapshot("u", g).foldIn(f, null), "unchanged counts: the cached taste");
    long t = lastTime(events) + 86_400;
    String banner = BUNDLE.catalog().get(0).id();
    events.add(EventInput.impression("u", t, banner));
    s.record(events.subList(events.size() - 1, events.size()));
    assertSame(first, s.snapshot("u", g).foldIn(f, null), "an impression is no browsing choice");
    Vocabularies v = BUNDLE.vocab();
    events.add(EventInput.product("u", t + 5, EventType.VIEW, v.brands().valueAt(2), v.categories().valueAt(3), 2,
        30f));
    s.record(events.subList(events.size() - 1, events.size()));
    UserHistory changed = s.snapshot("u", g);
    assertNotSame(first, changed.foldIn(f, null));
    assertSameTaste(trainingHistory(events, g), changed, g);
    // another generation has its own cache, and its own indices
    ModelGeneration reloaded = s.load(dir);
    FoldInFactors f2 = reloaded.model().vectors().foldIn();
    UserHistory again = s.snapshot("u", reloaded);
    assertNotSame(changed.foldIn(f, null), again.foldIn(f2, null));
    assertArrayEquals(changed.foldIn(f, null), again.foldIn(f2, null));
  }

  @Test
  void aStateWithoutCountsStartsThemFromItsLog(@TempDir Path tmp) throws Exception {
    Service s = new Service();
    Path plainDir = TestBundles.withoutFoldIn(tmp.resolve("plain"));
    ModelGeneration plain = s.load(plainDir);
    List<EventInput> events = browsing("u", 3, 300, TestBundles.T - 30 * 86_400L, BUNDLE);
    s.record(events.subList(0, 200));
    assertFalse(s.users.get("u").keepsChoiceCounts(), "no fold-in model: no counts kept");
    ModelGeneration g = s.load(TestBundles.withFoldIn(tmp.resolve("f")));
    // what the log holds: its latest 64 behaviour events
    List<EventInput> behaviour = events.subList(0, 200).stream().filter(e -> e.kind() != EventInput.Kind.IMPRESSION)
        .toList();
    List<EventInput> logged = behaviour.subList(behaviour.size() - CAPACITY, behaviour.size());
    assertSameTaste(trainingHistory(logged, g), s.snapshot("u", g), g);
    s.record(events.subList(200, 300));
    assertTrue(s.users.get("u").keepsChoiceCounts());
    List<EventInput> counted = new ArrayList<>(logged);
    counted.addAll(events.subList(200, 300));
    assertSameTaste(trainingHistory(counted, g), s.snapshot("u", g), g);
    // and a model without fold-in goes on counting, for the next one with it
    s.load(plainDir);
    s.record(browsing("u", 4, 100, lastTime(events) + 86_400, BUNDLE));
    assertTrue(s.users.get("u").snapshot(plain).history().eventCount() > 0);
    counted.addAll(browsing("u", 4, 100, lastTime(events) + 86_400, BUNDLE));
    assertSameTaste(trainingHistory(counted, g), s.snapshot("u", g), g);
  }
}
