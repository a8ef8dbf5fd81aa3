package dev.bannerranker.serving.store;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.users.UserStateStore;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis store against a real {@code redis-server}: the contract, then what replicas sharing it rely on (one
 * state, one numbering of names, appends from both that all land through compaction), expiry, a foreign database
 * refused, and an outage that fails fast and heals by itself.
 */
class RedisUserStoreTest extends UserStoreContractTest {
  static final Duration TIMEOUT = Duration.ofMillis(500);
  static RedisServer server;

  @BeforeAll
  static void startServer() {
    server = RedisServer.start(false);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void empty() {
    server.flush();
  }

  static RedisUserStore open(RedisServer on, Duration retention) {
    return new RedisUserStore(on.uri(), UserStateStore.limits(SETTINGS), TIMEOUT, retention);
  }

  @Override
  UserStore openStore() {
    return open(server, Duration.ZERO);
  }

  static int storedEvents(UserStore store, String user) {
    byte[] log = store.read(user).log();
    return StoredLog.counts(log)[0] + (int) StoredLog.header(log).droppedEvents();
  }

  @Test
  void twoReplicasShareTheStateAndOneNumberingOfNames() {
    try (RedisUserStore a = open(server, Duration.ZERO); RedisUserStore b = open(server, Duration.ZERO)) {
      int brand = a.nameId(NameKind.BRAND, "Nornor");
      assertEquals(brand, b.nameId(NameKind.BRAND, "Nornor"));
      int banner = b.nameId(NameKind.BANNER, "b-7");
      assertEquals("b-7", a.name(NameKind.BANNER, banner), "a name another replica gave is found");
      assertEquals(banner, a.nameId(NameKind.BANNER, "b-7"));
      assertNull(a.name(NameKind.BANNER, banner + 100));
      a.append("u", new StoredLog.Writer().event(EventType.VIEW, brand, 1, 2, 3f, T).toBytes());
      b.upsertProfiles(List.of(new UserProfile("u", Gender.F, "25-34", 2)));
      b.append("u", new StoredLog.Writer().impression(banner, T + 1).toBytes());
      StoredUser seen = a.read("u");
      assertEquals(new UserProfile("u", Gender.F, "25-34", 2), seen.profile());
      assertEquals(List.of(1, 1), List.of(StoredLog.counts(seen.log())[0], StoredLog.counts(seen.log())[1]));
    }
  }

  @Test
  void anImpressionRecordedOnOneReplicaCapsTheBannerOnTheOther() {
    ModelRegistry registry = TestBundles.registry();
    try (RedisUserStore a = open(server, Duration.ZERO); RedisUserStore b = open(server, Duration.ZERO)) {
      TestPipeline onA = TestPipeline.over(registry, new UserStateStore(SETTINGS, a));
      TestPipeline onB = TestPipeline.over(registry, new UserStateStore(SETTINGS, b));
      String top = id(ranking(onB, KNOWN_USER).get(0));
      assertEquals(ranking(onB, KNOWN_USER), ranking(onA, KNOWN_USER));
      onA.events().record(events(KNOWN_USER, top));
      assertFalse(ranking(onB, KNOWN_USER).stream().anyMatch(r -> id(r).equals(top)),
          "capped on the other replica at its next Rank");
      assertEquals(ranking(onA, KNOWN_USER), ranking(onB, KNOWN_USER), "the same state on both");
    }
  }

  @Test
  void appendsFromTwoReplicasAtOnceAllLandThroughCompaction() throws Exception {
    try (RedisUserStore a = open(server, Duration.ZERO); RedisUserStore b = open(server, Duration.ZERO)) {
      inParallel(6, writer -> {
        RedisUserStore store = writer % 2 == 0 ? a : b;
        for (int i = 0; i < 100; i++) {
          store.append("u", new StoredLog.Writer()
              .event(EventType.VIEW, 1 + writer, 1, 2, 1f, T + writer * 1_000 + i).toBytes());
        }
      });
      // 600 events against a capacity of 64: compacted many times, racing, yet each one kept or counted as dropped.
      assertEquals(600, storedEvents(a, "u"));
      byte[] log = a.read("u").log();
      assertTrue(StoredLog.generation(log) > 0);
      int capacity = SETTINGS.activityCapacity();
      assertTrue(StoredLog.counts(log)[0] <= capacity + capacity / 8, "compacted an eighth past the capacity");
    }
  }

  @Test
  void aBatchAppendsToEveryUserInIt() {
    try (RedisUserStore store = open(server, Duration.ZERO)) {
      byte[] shown = new StoredLog.Writer().impression(1, T).toBytes();
      store.append("x", shown);
      store.appendAll(List.of(new UserStore.UserRecords("x", shown), new UserStore.UserRecords("y", shown),
          new UserStore.UserRecords("x", shown)));
      assertEquals(3, StoredLog.counts(store.read("x").log())[1]);
      assertEquals(1, StoredLog.counts(store.read("y").log())[1]);
      store.appendAll(List.of());
    }
  }

  @Test
  void everyWriteRefreshesTheRetentionAndIdleUsersExpire() throws Exception {
    try (RedisUserStore kept = open(server, Duration.ZERO); RedisUserStore expiring = open(server,
        Duration.ofSeconds(60))) {
      kept.append("forever", new StoredLog.Writer().impression(1, T).toBytes());
      assertEquals("-1", server.command("PTTL", "u:forever"));
      expiring.append("a", new StoredLog.Writer().impression(1, T).toBytes());
      expiring.upsertProfiles(List.of(new UserProfile("p", Gender.M, "", 0)));
      expiring.replaceUsers(List.of(new StoredUser("r", null, new StoredLog.Writer().impression(1, T).toBytes())));
      for (String key : List.of("u:a", "u:p", "u:r")) {
        long ttl = Long.parseLong(server.command("PTTL", key));
        assertTrue(ttl > 0 && ttl <= 60_000, key + " " + ttl);
      }
    }
    try (RedisUserStore brief = open(server, Duration.ofMillis(200))) {
      brief.append("idle", new StoredLog.Writer().impression(1, T).toBytes());
      assertNotNull(brief.read("idle"));
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (brief.read("idle") != null && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertNull(brief.read("idle"));
    }
  }

  @Test
  void deleteRemovesTheUsersKey() throws Exception {
    try (RedisUserStore store = open(server, Duration.ZERO)) {
      store.upsertProfiles(List.of(new UserProfile("gone", Gender.F, "25-34", 1)));
      store.append("gone", new StoredLog.Writer().impression(1, T).toBytes());
      assertTrue(store.delete("gone"));
      assertEquals("0", server.command("EXISTS", "u:gone"));
      assertFalse(store.delete("gone"));
      assertTrue(store.isEmpty());
    }
  }

  @Test
  void aDatabaseWithAnotherLayoutOrNoServerIsRefused() throws Exception {
    server.command("SET", RedisUserStore.LAYOUT_KEY, "someone else's");
    assertThrows(BadInputException.class, () -> open(server, Duration.ZERO));
    assertEquals("someone else's", server.command("GET", RedisUserStore.LAYOUT_KEY));
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThrows(UncheckedIOException.class, () -> new RedisUserStore("redis://127.0.0.1:" + closed,
        UserStateStore.limits(SETTINGS), TIMEOUT, Duration.ZERO));
  }

  @Test
  void aServerThatGoesAwayFailsCallsFastAndTheStoreRecoversWhenItIsBack() throws Exception {
    try (RedisServer own = RedisServer.start(true); RedisUserStore store = open(own, Duration.ZERO)) {
      byte[] one = new StoredLog.Writer().impression(store.nameId(NameKind.BANNER, "b-1"), T).toBytes();
      store.append("u", one);
      assertTrue(store.connected());
      own.stop();
      assertThrows(StoreUnavailableException.class, () -> store.read("u"));
      assertThrows(StoreUnavailableException.class, () -> store.append("u", one));
      assertThrows(StoreUnavailableException.class, () -> store.nameId(NameKind.BANNER, "b-new"));
      // The client's transport thread marks the connection closed on its own schedule, after the failures above.
      long closedBy = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (store.connected() && System.nanoTime() < closedBy) {
        Thread.sleep(10);
      }
      assertFalse(store.connected());
      own.restart(); // same port, same append-only file: the state and the script cache are back, the scripts not
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!store.connected() && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      store.append("u", one);
      assertEquals(2, StoredLog.counts(store.read("u").log())[1]);
    }
  }
}
