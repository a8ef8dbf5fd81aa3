package dev.bannerranker.serving.users;

import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.EventType;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.HistoryKey;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packed user state against the state it replaced: a log of {@link Activity} records and an incrementally
 * updated {@link UserHistory}, rebuilt from the log on a change of vocabularies ({@link Reference}).
 */
class CompactUserStateTest {
  static final ModelGeneration G = TestBundles.generation();
  static final String NEW_BRAND = "Aaa New Brand"; // only in the shifted model
  static ModelGeneration shifted;
  static ModelGeneration same;

  @BeforeAll
  static void models(@TempDir Path tmp) throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "s");
    registry.load(Arm.CONTROL, TestBundles.TINY);
    shifted = registry.load(Arm.CONTROL, TestBundles.shiftedBrands(tmp.resolve("b"), "wd-shifted"));
    same = registry.load(Arm.CONTROL, TestBundles.withVersion(tmp.resolve("c"), "wd-same"));
  }

  /** Every kind of activity, odd values included: unknown names, odd tiers, dwell that tenths cannot hold. */
  static List<Activity> randomActivities(SplittableRandom r, int n) {
    Vocabularies v = G.model().bundle().vocab();
    float[] dwells = {0f, -0f, 12.3f, 40f, 0.1f, 59.9f, 86_400f, 1e-7f, (float) Math.PI, Float.MIN_VALUE, 7.25f};
    int[] tiers = {0, 1, 2, 3, 4, -1, 7, 1000};
    long[] jumps = {0, 1, 30, 600, 86_400, -5, -100_000, Long.MAX_VALUE / 3};
    List<Activity> out = new ArrayList<>();
    long time = T - 30 * 86_400L;
    for (int i = 0; i < n; i++) {
      time += jumps[r.nextInt(jumps.length)] / (r.nextInt(8) == 0 ? 1 : 1_000_000_000L) + r.nextInt(200);
      String brand = r.nextInt(10) == 0 ? (r.nextBoolean() ? NEW_BRAND : "brand-nobody-knows-" + r.nextInt(3))
          : v.brands().valueAt(1 + r.nextInt(v.brands().cardinality() - 1));
      String category = r.nextInt(20) == 0 ? "cat-unknown" : v.categories().valueAt(1 + r.nextInt(
          v.categories().cardinality() - 1));
      switch (r.nextInt(4)) {
        case 0 -> out.add(new Activity.Shown(r.nextInt(15) == 0 ? "bn-not-in-any-model"
            : v.banners().valueAt(1 + r.nextInt(v.banners().cardinality() - 1)), time));
        case 1 -> out.add(new Activity.Behaviour(EventType.BANNER_CLICK, brand, category, 1 + r.nextInt(4), 0f, time));
        default -> out.add(new Activity.Behaviour(EventType.values()[r.nextInt(3)], brand, category,
            tiers[r.nextInt(tiers.length)], dwells[r.nextInt(dwells.length)], time));
      }
    }
    return out;
  }

  @Test
  void everyActivityComesBackBitForBit() {
    List<Activity> in = randomActivities(new SplittableRandom(1), 400);
    UserState s = new UserState(UserProfile.unknown("u"), false, 1000, List.of());
    s.apply(in, G);
    List<Activity> expected = new ArrayList<>(in.stream().filter(a -> a instanceof Activity.Behaviour).toList());
    expected.addAll(in.stream().filter(a -> a instanceof Activity.Shown).toList());
    assertEquals(expected, s.activities());
    // Extremes of time and dwell.
    List<Activity> odd = List.of(new Activity.Behaviour(EventType.VIEW, "b", "c", Integer.MIN_VALUE, Float.NaN,
        Long.MIN_VALUE), new Activity.Behaviour(EventType.PURCHASE, "b", "c", Integer.MAX_VALUE,
        Float.NEGATIVE_INFINITY, Long.MAX_VALUE), new Activity.Shown("x", Long.MIN_VALUE),
        new Activity.Shown("x", Long.MAX_VALUE), new Activity.Shown("x", 0));
    UserState o = new UserState(UserProfile.unknown("u"), false, 10, odd);
    assertEquals(odd, o.activities());
  }

  @Test
  void historiesAndFeaturesEqualTheIncrementalStateThroughSwaps() {
    SplittableRandom r = new SplittableRandom(7);
    ModelGeneration[] models = {G, shifted, same, G};
    for (int capacity : new int[] {64, 5, 200}) {
      UserState s = new UserState(UserProfile.unknown("u"), false, capacity, List.of());
      Reference ref = new Reference(capacity);
      for (int step = 0; step < 60; step++) {
        ModelGeneration g = models[step / 15];
        List<Activity> batch = randomActivities(r, r.nextInt(12));
        s.apply(batch, g);
        ref.apply(batch, g);
        assertSameHistory(ref.snapshot(g), s.snapshot(g).history(), g, "capacity " + capacity + " step " + step);
      }
      assertEquals(ref.activities(), s.activities());
    }
  }

  @Test
  void impressionsTheModelDoesNotKnowNeverPushKnownOnesOut() {
    // A bootstrap log of 10 known impressions, then 54 of banners this model does not know (an older catalog).
    Vocabulary banners = G.model().bundle().vocab().banners();
    List<Activity> seed = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      seed.add(new Activity.Shown(i < 10 ? banners.valueAt(1 + i) : "bn-retired-" + i, T - 1000 + i));
    }
    UserState s = new UserState(UserProfile.unknown("u"), false, 64, seed);
    Reference ref = new Reference(64);
    ref.apply(seed, G);
    for (int i = 0; i < 40; i++) {
      List<Activity> one = List.of(new Activity.Shown(banners.valueAt(1 + i % 5), T - 500 + i));
      s.apply(one, G);
      ref.apply(one, G);
      assertSameHistory(ref.snapshot(G), s.snapshot(G).history(), G, "after " + (i + 1));
    }
    assertEquals(ref.activities(), s.activities());
  }

  @Test
  void theOldestGoesFirstAndTheModelRingsAreKept() {
    UserState s = new UserState(UserProfile.unknown("u"), false, 3, List.of());
    List<Activity> views = new ArrayList<>();
    Vocabulary banners = G.model().bundle().vocab().banners();
    for (int i = 0; i < 70; i++) {
      views.add(new Activity.Behaviour(EventType.VIEW, "B" + i, "jeans", 2, 1f, i));
      views.add(new Activity.Shown(banners.valueAt(1 + i % (banners.cardinality() - 1)), i));
    }
    s.apply(views, G);
    assertEquals(List.of(views.get(134), views.get(136), views.get(138), views.get(135), views.get(137),
        views.get(139)), s.activities());
    // The model's rings (larger than the capacity of 3) stay full, and every event is counted.
    UserHistory h = s.snapshot(G).history();
    assertEquals(Math.min(70, G.spec().maxRecentEvents()), h.eventCount());
    assertEquals(70, h.totalEvents());
    assertEquals(70 - G.spec().maxRecentEvents(), h.eventTime(0));
    assertEquals(G.spec().maxRecentEvents(), s.eventCount());
    assertEquals(G.spec().maxRecentImpressions(), s.impressionCount());
  }

  @Test
  void aNameNoModelKnewYetCountsOnceAModelKnowsIt() {
    UserState s = new UserState(UserProfile.unknown("u"), false, 64, List.of());
    s.apply(List.of(new Activity.Behaviour(EventType.VIEW, NEW_BRAND, "jeans", 2, 3f, T - 10)), G);
    assertEquals(Vocabulary.UNKNOWN, s.snapshot(G).history().eventBrand(0));
    assertEquals(1, s.snapshot(shifted).history().eventBrand(0));
    assertEquals(NEW_BRAND, ((Activity.Behaviour) s.activities().get(0)).brand());
  }

  @Test
  void quietUsersStaySmallAndFullRingsStayCompact() {
    UserState quiet = new UserState(UserProfile.unknown("u"), false, 64, List.of());
    assertEquals(0, quiet.capacityBytes());
    quiet.apply(List.of(new Activity.Behaviour(EventType.VIEW, "b", "c", 2, 12.3f, T)), G);
    assertTrue(quiet.capacityBytes() <= 24, "one event took " + quiet.capacityBytes() + " bytes");
    // 64 events in sessions (gaps of seconds to minutes, dwell in tenths) and 64 impressions.
    SplittableRandom r = new SplittableRandom(3);
    Vocabularies v = G.model().bundle().vocab();
    List<Activity> busy = new ArrayList<>();
    long t = T - 86_400;
    for (int i = 0; i < 200; i++) {
      t += r.nextInt(10) == 0 ? 3_600 * (1 + r.nextInt(20)) : 5 + r.nextInt(120);
      busy.add(new Activity.Behaviour(EventType.VIEW, v.brands().valueAt(1 + r.nextInt(v.brands().cardinality() - 1)),
          v.categories().valueAt(1 + r.nextInt(v.categories().cardinality() - 1)), 1 + r.nextInt(4),
          r.nextInt(600) / 10f, t));
      busy.add(new Activity.Shown(v.banners().valueAt(1 + r.nextInt(v.banners().cardinality() - 1)), t));
    }
    UserState full = new UserState(UserProfile.unknown("u"), false, 64, List.of());
    full.apply(busy, G);
    assertEquals(64, full.eventCount());
    assertEquals(64, full.impressionCount());
    // Boxed records took about 64 x (40 + 16) x 2 bytes plus two deques; the packed log is one array.
    assertTrue(full.capacityBytes() < 800, "full rings took " + full.capacityBytes() + " bytes");
  }

  @Test
  void concurrentWritersAndReadersSeeWholeBatches() throws Exception {
    UserState s = new UserState(UserProfile.unknown("u"), false, 10_000, List.of());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        work.add(pool.submit(() -> {
          for (int i = 0; i < 500; i++) {
            s.apply(List.of(new Activity.Behaviour(EventType.VIEW, "b" + writer, "c", 1, 1f, T + i),
                new Activity.Shown("bn-00004", T + i)), G);
            assertTrue(s.snapshot(G).history().eventCount() > 0);
            if (i % 50 == 0) {
              // Each batch is one event and one impression, applied under the lock: never half a batch.
              List<Activity> seen = s.activities();
              long events = seen.stream().filter(a -> a instanceof Activity.Behaviour).count();
              assertEquals(seen.size() - events, events);
            }
          }
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(2_000, s.eventCount());
    assertEquals(2_000, s.impressionCount());
    assertEquals(2_000, s.snapshot(G).history().totalEvents());
  }

  static void assertSameHistory(UserHistory want, UserHistory got, ModelGeneration g, String at) {
    assertEquals(want.eventCount(), got.eventCount(), at);
    assertEquals(want.totalEvents(), got.totalEvents(), at);
    for (int k = 0; k < want.eventCount(); k++) {
      assertEquals(want.eventBrand(k), got.eventBrand(k), at);
      assertEquals(want.eventCategory(k), got.eventCategory(k), at);
      assertEquals(want.eventTime(k), got.eventTime(k), at);
      assertEquals(want.eventType(k), got.eventType(k), at);
      assertEquals(want.eventPriceTier(k), got.eventPriceTier(k), at);
      assertEquals(Float.floatToRawIntBits(want.eventDwell(k)), Float.floatToRawIntBits(got.eventDwell(k)), at);
    }
    for (int b = 0; b < g.model().bundle().vocab().banners().cardinality(); b++) {
      assertEquals(want.impressionsOf(b, Long.MIN_VALUE, Long.MAX_VALUE), got.impressionsOf(b, Long.MIN_VALUE,
          Long.MAX_VALUE), at);
      assertEquals(want.impressionsOf(b, T - 86_400, T), got.impressionsOf(b, T - 86_400, T), at);
    }
    UserProfile p = UserProfile.unknown("u");
    UserFeatures fw = UserFeatures.compute(p, want, T, g.model().bundle().vectors(), g.spec());
    UserFeatures fg = UserFeatures.compute(p, got, T, g.model().bundle().vectors(), g.spec());
    assertArrayEquals(fw.vector, fg.vector, 0f, at);
    assertArrayEquals(fw.topBrands, fg.topBrands, at);
    assertArrayEquals(fw.tasteBrands, fg.tasteBrands, at);
    assertArrayEquals(fw.brandShares(), fg.brandShares(), 0f, at);
    assertEquals(fw.meanPriceTier, fg.meanPriceTier, 0f, at);
    assertEquals(fw.totalEvents, fg.totalEvents, at);
  }

  /** The state before it was packed: boxed activities by name and an incrementally updated history. */
  static final class Reference {
    final int capacity;
    final ArrayDeque<Activity> behaviour = new ArrayDeque<>();
    final ArrayDeque<Activity> shown = new ArrayDeque<>();
    UserHistory history;
    HistoryKey key;

    Reference(int capacity) {
      this.capacity = capacity;
    }

    void apply(List<Activity> activities, ModelGeneration g) {
      ensure(g);
      for (Activity a : activities) {
        ArrayDeque<Activity> ring = a instanceof Activity.Behaviour ? behaviour : shown;
        if (ring.size() == capacity) {
          ring.pollFirst();
        }
        ring.addLast(a);
        applyTo(a, history, g.model().bundle().vocab());
      }
    }

    UserHistory snapshot(ModelGeneration g) {
      ensure(g);
      return history.copy();
    }

    List<Activity> activities() {
      List<Activity> out = new ArrayList<>(behaviour);
      out.addAll(shown);
      return out;
    }

    private void ensure(ModelGeneration g) {
      if (key == null || !key.equals(g.historyKey())) {
        history = UserHistory.forSpec(g.spec());
        behaviour.forEach(a -> applyTo(a, history, g.model().bundle().vocab()));
        shown.forEach(a -> applyTo(a, history, g.model().bundle().vocab()));
      }
      key = g.historyKey();
    }

    private static void applyTo(Activity a, UserHistory h, Vocabularies vocab) {
      if (a instanceof Activity.Behaviour b) {
        int brand = vocab.brands().indexOf(b.brand());
        int category = vocab.categories().indexOf(b.category());
        if (b.type() == EventType.BANNER_CLICK) {
          HistoryUpdates.click(h, brand, category, b.priceTier(), b.time());
        } else {
          HistoryUpdates.productEvent(h, brand, category, b.type(), b.priceTier(), b.dwellSeconds(), b.time());
        }
      } else {
        Activity.Shown s = (Activity.Shown) a;
        int banner = vocab.banners().indexOf(s.bannerId());
        if (banner != Vocabulary.UNKNOWN) {
          HistoryUpdates.impression(h, banner, s.time());
        }
      }
    }
  }
}
