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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import dev.bannerranker.serving.ranking.UserUpdates;
import dev.bannerranker.serving.users.ProfileStore;
import dev.bannerranker.serving.users.StoreImport;
import dev.bannerranker.serving.users.UserStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link UserStore} promises, run against each implementation: what it acknowledged survives a reopen
 * (when durable) and the cache, concurrent appends all land, profile upserts are all-or-nothing, an import is
 * idempotent and ranks as the in-memory bootstrap does.
 */
abstract class UserStoreContractTest {
  static final UserSettings SETTINGS = new UserSettings("", false, 64, 10_000, Duration.ofHours(1));

  @TempDir
  Path scratch;

  /** Opens the store on this test's state, empty when the test starts; opened again, it holds the same state. */
  abstract UserStore openStore();

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
  void acknowledgedEventsSurviveAReopen() {
    survivesAReopen(TestBundles.registry());
  }

  @Test
  void theFoldInTasteSurvivesAReopen() throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "s");
    registry.load(Arm.CONTROL, TestBundles.withFoldIn(scratch.resolve("bundle")));
    survivesAReopen(registry);
  }

  private void survivesAReopen(ModelRegistry registry) {
    try (UserStore probe = openStore()) {
      assumeTrue(probe.durable(), "a store that is not durable loses its state when closed");
    }
    List<String> before;
    List<String> after;
    String top;
    try (UserStore store = openStore()) {
      TestPipeline p = TestPipeline.over(registry, new UserStateStore(SETTINGS, store));
      before = ranking(p, KNOWN_USER);
      top = id(before.get(0));
      p.events().record(events(KNOWN_USER, top));
      after = ranking(p, KNOWN_USER);
      assertFalse(after.stream().anyMatch(b -> id(b).equals(top)), "capped after three impressions");
    }
    try (UserStore store = openStore()) {
      TestPipeline p = TestPipeline.over(registry, new UserStateStore(SETTINGS, store));
      assertEquals(after, ranking(p, KNOWN_USER));
      assertNotEquals(before, ranking(p, KNOWN_USER));
    }
  }

  @Test
  void evictionFromTheCacheLosesNothing() {
    ModelRegistry registry = TestBundles.registry();
    UserSettings tiny = new UserSettings("", false, 64, 1, Duration.ofHours(1));
    try (UserStore store = openStore()) {
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

  /** Runs {@code writer} on {@code writers} threads at once (given 0 to writers - 1) and waits for all of them. */
  static void inParallel(int writers, IntConsumer writer) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int n = w;
        work.add(pool.submit(() -> writer.accept(n)));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentAppendsForOneUserAllLand() throws Exception {
    try (UserStore store = openStore()) {
      inParallel(4, writer -> {
        for (int i = 0; i < 25; i++) {
          store.append("u", new StoredLog.Writer().impression(1 + writer, T + i).toBytes());
        }
      });
      // 100 impressions within a day: all kept for the caps.
      assertEquals(100, StoredLog.counts(store.read("u").log())[1]);
    }
  }

  @Test
  void aLogStoredInTheEarlierFormReadsAndIsRewrittenByTheNextCompaction() {
    byte[] records = StoredLogTest.aDay(30);
    byte[] old = StoredLogTest.earlierForm(1, 5, 0, null, records);
    UserProfile profile = new UserProfile("old", Gender.F, "25-34", 2);
    try (UserStore store = openStore()) {
      store.replaceUsers(List.of(new StoredUser("old", profile, old)));
      assertEquals(StoredLogTest.records(records), StoredLogTest.records(store.read("old").log()));
      StoredLog.Writer more = new StoredLog.Writer();
      for (int i = 0; i < 100; i++) {
        more.event(dev.bannerranker.data.EventType.VIEW, 9, 9, 1, 2f, StoredLogTest.T + 50_000 + i);
      }
      List<String> appended = StoredLogTest.records(more.toBytes());
      for (int i = 0; i < 100; i++) {
        store.append("old", new StoredLog.Writer().event(dev.bannerranker.data.EventType.VIEW, 9, 9, 1, 2f,
            StoredLogTest.T + 50_000 + i).toBytes());
      }
      StoredUser u = store.read("old");
      assertEquals(profile, u.profile());
      byte[] log = u.log();
      assertEquals(StoredLog.HEADER, log[0] & 0xFF, "rewritten in the current form");
      StoredLog.Header h = StoredLog.header(log);
      assertEquals(130, StoredLog.counts(log)[0] + h.droppedEvents() - 5, "every event kept or counted as dropped");
      List<String> kept = StoredLogTest.records(log);
      assertEquals(appended.subList(100 - 10, 100), kept.subList(kept.size() - 10, kept.size()));
    }
  }

  @Test
  void profilesAreUpsertedAllOrNothing() {
    ModelRegistry registry = TestBundles.registry();
    try (UserStore store = openStore()) {
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
  void importingTwiceGivesTheSameStateAndTheRankingsOfTheBootstrap() throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "s");
    registry.load(Arm.CONTROL, TestBundles.withFoldIn(scratch.resolve("bundle")));
    ProfileStore profiles = ProfileStore.load(TestBundles.smallWorld(Files.createDirectories(scratch.resolve("data"))),
        true, 64);
    TestPipeline memory = TestPipeline.over(registry, new UserStateStore(SETTINGS, profiles));
    try (UserStore store = openStore()) {
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
}
