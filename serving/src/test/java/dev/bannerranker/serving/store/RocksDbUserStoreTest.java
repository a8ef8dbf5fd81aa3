package dev.bannerranker.serving.store;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import dev.bannerranker.serving.ranking.RankedItem;
import dev.bannerranker.serving.ranking.UserUpdates;
import dev.bannerranker.serving.users.ProfileStore;
import dev.bannerranker.serving.users.StoreImport;
import dev.bannerranker.serving.users.UserStateStore;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store in process: what it acknowledged survives a reopen and the cache, and bad input is refused. */
class RocksDbUserStoreTest {
  static final UserSettings SETTINGS = new UserSettings("", false, 64, 10_000, Duration.ofHours(1));

  static RocksDbUserStore open(Path dir) {
    return new RocksDbUserStore(dir, UserStateStore.limits(SETTINGS), true, Duration.ofMillis(100), Duration.ZERO);
  }

  /** Banner ids with their predicted CTRs, so any change of the user's features shows. */
  static List<String> ranking(TestPipeline p, String user) {
    return p.ranking().rank(TestPipeline.query(user, "home_hero")).banners().stream()
        .map(b -> b.bannerId() + " " + b.predictedCtr()).toList();
  }

  static String id(String ranked) {
    return ranked.substring(0, ranked.indexOf(' '));
  }

  /** Three impressions of the user's top banner (the cap), a click, and 100 views (more than the capacity of 64). */
  static List<EventInput> events(String user, String top) {
    List<EventInput> e = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      e.add(EventInput.impression(user, T - 600 + i, top));
    }
    e.add(EventInput.click(user, T - 500, top));
    String brand = TestBundles.generation().model().bundle().vocab().brands().valueAt(2);
    for (int i = 0; i < 100; i++) {
      e.add(EventInput.product(user, T - 400 + i, dev.bannerranker.data.EventType.VIEW, i % 3 == 0 ? brand : "Nornor",
          "jeans", 2, 30f));
    }
    return e;
  }

  @Test
  void acknowledgedEventsSurviveAReopen(@TempDir Path dir) {
    survivesAReopen(TestBundles.registry(), dir);
  }

  @Test
  void theFoldInTasteSurvivesAReopen(@TempDir Path dir) throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "s");
    registry.load(dev.bannerranker.serving.model.Arm.CONTROL, TestBundles.withFoldIn(dir.resolve("bundle")));
    survivesAReopen(registry, dir);
  }

  private static void survivesAReopen(ModelRegistry registry, Path dir) {
    List<String> before;
    List<String> after;
    String top;
    try (RocksDbUserStore store = open(dir.resolve("state"))) {
      TestPipeline p = TestPipeline.over(registry, new UserStateStore(SETTINGS, store));
      before = ranking(p, KNOWN_USER);
      top = id(before.get(0));
      p.events().record(events(KNOWN_USER, top));
      after = ranking(p, KNOWN_USER);
      assertFalse(after.stream().anyMatch(b -> id(b).equals(top)), "capped after three impressions");
    }
    try (RocksDbUserStore store = open(dir.resolve("state"))) {
      TestPipeline p = TestPipeline.over(registry, new UserStateStore(SETTINGS, store));
      assertEquals(after, ranking(p, KNOWN_USER));
      assertNotEquals(before, ranking(p, KNOWN_USER));
    }
  }

  @Test
  void evictionFromTheCacheLosesNothing(@TempDir Path dir) {
    ModelRegistry registry = TestBundles.registry();
    UserSettings tiny = new UserSettings("", false, 64, 1, Duration.ofHours(1));
    try (RocksDbUserStore store = open(dir.resolve("state"))) {
      UserStateStore users = new UserStateStore(tiny, store);
      TestPipeline p = TestPipeline.over(registry, users);
      String top = id(ranking(p, "shopper-a").get(0));
      p.events().record(events("shopper-a", top));
      List<String> capped = ranking(p, "shopper-a");
      assertFalse(capped.stream().anyMatch(b -> id(b).equals(top)));
      for (int i = 0; i < 50; i++) {
        ranking(p, "other-" + i); // each pushes the previous user out of a cache of one
        users.cache().cleanUp();
      }
      assertFalse(users.cache().asMap().containsKey("shopper-a"));
      assertEquals(capped, ranking(p, "shopper-a"));
    }
  }

  @Test
  void concurrentAppendsForOneUserAllLand(@TempDir Path dir) throws Exception {
    try (RocksDbUserStore store = open(dir.resolve("state"))) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          int writer = w;
          work.add(pool.submit(() -> {
            for (int i = 0; i < 25; i++) {
              store.append("u", new StoredLog.Writer().impression(1 + writer, T + i).toBytes());
            }
          }));
        }
        for (Future<?> f : work) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      // 100 impressions within a day: all kept for the caps.
      assertEquals(100, StoredLog.counts(store.read("u").log())[1]);
    }
  }

  @Test
  void profilesAreUpsertedAllOrNothing(@TempDir Path dir) {
    ModelRegistry registry = TestBundles.registry();
    try (RocksDbUserStore store = open(dir.resolve("state"))) {
      UserStateStore users = new UserStateStore(SETTINGS, store);
      UserUpdates updates = new UserUpdates(users, registry, dev.bannerranker.serving.TestSettings.request());
      InvalidRequestException bad = assertThrows(InvalidRequestException.class, () -> updates.upsertProfiles(List.of(
          new UserUpdates.ProfileInput("new-1", "F", "25-34", 1),
          new UserUpdates.ProfileInput("new-2", "F", "30-40", 1))));
      assertEquals("profiles[1].age_band", bad.field());
      assertNull(store.read("new-1"));
      for (var c : List.of(new UserUpdates.ProfileInput("n", "X", "25-34", 1),
          new UserUpdates.ProfileInput("n", "F", "25-34", 4), new UserUpdates.ProfileInput("", "F", "25-34", 1))) {
        assertThrows(InvalidRequestException.class, () -> updates.upsertProfiles(List.of(c)));
      }
      assertTrue(store.isEmpty());
      // A cold user becomes a targeted one on the next request.
      assertTrue(users.get("new-1").snapshot(TestBundles.generation()).cold());
      assertEquals(1, updates.upsertProfiles(List.of(new UserUpdates.ProfileInput("new-1", "M", "35-44", 2))));
      assertEquals(new UserProfile("new-1", Gender.M, "35-44", 2),
          users.get("new-1").snapshot(TestBundles.generation()).profile());
      assertTrue(updates.deleteUser("new-1"));
      assertNull(store.read("new-1"));
      assertTrue(users.get("new-1").snapshot(TestBundles.generation()).cold());
    }
  }

  @Test
  void importingTwiceGivesTheSameStateAndTheRankingsOfTheBootstrap(@TempDir Path dir) throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "s");
    registry.load(dev.bannerranker.serving.model.Arm.CONTROL, TestBundles.withFoldIn(dir.resolve("bundle")));
    ProfileStore profiles = ProfileStore.load(TestBundles.smallWorld(Files.createDirectories(dir.resolve("data"))),
        true, 64);
    TestPipeline memory = TestPipeline.over(registry, new UserStateStore(SETTINGS, profiles));
    try (RocksDbUserStore store = open(dir.resolve("state"))) {
      StoreImport.Result first = StoreImport.write(profiles, store, 100, n -> {});
      assertEquals(400, first.users());
      assertEquals(1, first.withActivity());
      byte[] once = store.read("u-000002").log();
      StoreImport.write(profiles, store, 100, n -> {});
      assertArrayEquals(once, store.read("u-000002").log());
      TestPipeline p = TestPipeline.over(registry, new UserStateStore(SETTINGS, store));
      for (String u : List.of(KNOWN_USER, "u-000002", "u-000150")) {
        assertEquals(ranking(memory, u), ranking(p, u), u);
      }
    }
  }

  @Test
  void aLockedDirectoryIsRefused(@TempDir Path dir) {
    try (RocksDbUserStore store = open(dir.resolve("state"))) {
      assertThrows(UncheckedIOException.class, () -> open(dir.resolve("state")));
    }
  }

  @Test
  void anUnknownLayoutOrAForeignDirectoryIsRefusedAndLeftAlone(@TempDir Path dir) throws Exception {
    Path future = Files.createDirectories(dir.resolve("future"));
    Files.writeString(future.resolve(StateDirectory.LAYOUT_FILE), "banner-ranker-state 99\n");
    assertThrows(BadInputException.class, () -> open(future));
    assertEquals(List.of(future.resolve(StateDirectory.LAYOUT_FILE)), Files.list(future).toList());
    Path foreign = Files.createDirectories(dir.resolve("foreign"));
    Files.writeString(foreign.resolve("notes.txt"), "mine");
    assertThrows(BadInputException.class, () -> open(foreign));
    assertEquals(List.of(foreign.resolve("notes.txt")), Files.list(foreign).toList());
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThrows(BadInputException.class, () -> open(file));
  }

  @Test
  void aUserIdleForTheRetentionIsDeleted(@TempDir Path dir) throws Exception {
    try (RocksDbUserStore store = new RocksDbUserStore(dir.resolve("state"), UserStateStore.limits(SETTINGS), true,
        Duration.ofMillis(100), Duration.ofSeconds(1))) {
      store.append("idle", new StoredLog.Writer().impression(1, T).toBytes());
      store.compactAll();
      assertTrue(store.read("idle") != null);
      Thread.sleep(2_100);
      store.append("busy", new StoredLog.Writer().impression(1, T).toBytes());
      store.compactAll();
      assertNull(store.read("idle"));
      assertTrue(store.read("busy") != null);
    }
  }

  @Test
  void aFailingStoreIsMeteredRankFallsBackAndRecordEventsFails(@TempDir Path dir) {
    ModelRegistry registry = TestBundles.registry();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    RocksDbUserStore raw = open(dir.resolve("state"));
    MeteredUserStore store = new MeteredUserStore(raw, meters);
    TestPipeline p = TestPipeline.over(registry, new UserStateStore(SETTINGS, store));
    List<String> personal = ranking(p, KNOWN_USER);
    assertEquals(1, meters.find(MeteredUserStore.DURATION).tags("store", "rocksdb", "op", "read").timer().count());
    // The banner's store id is known from then on, so a later write of it needs only the append.
    p.events().record(List.of(EventInput.impression("warm-up", T, id(personal.get(0)))));
    raw.close(); // every operation now fails as a store that went away does
    List<String> fallback = ranking(p, "someone-new");
    assertEquals(1, p.counter("ranker.fallbacks", "reason", "store_unavailable"));
    assertTrue(p.ranking().rank(TestPipeline.query("someone-new", "home_hero")).banners().stream()
        .allMatch(b -> b.reason() == dev.bannerranker.serving.ranking.Reason.POPULAR_FALLBACK));
    assertFalse(fallback.isEmpty());
    assertThrows(StoreUnavailableException.class,
        () -> p.events().record(List.of(EventInput.impression("someone-new", T, id(personal.get(0))))));
    assertTrue(meters.find(MeteredUserStore.ERRORS).tags("op", "read").counter().count() >= 2);
    // A cached user's events fail at the append, and the cached state does not take them either.
    List<EventInput> cap = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      cap.add(EventInput.impression(KNOWN_USER, T - 60 + i, id(personal.get(0))));
    }
    assertThrows(StoreUnavailableException.class, () -> p.events().record(cap));
    assertEquals(1, meters.find(MeteredUserStore.ERRORS).tags("op", "append").counter().count());
    assertEquals(personal, ranking(p, KNOWN_USER));
    assertEquals(1.0, meters.find(MeteredUserStore.CONNECTED).tags("store", "rocksdb").gauge().value());
  }
}
