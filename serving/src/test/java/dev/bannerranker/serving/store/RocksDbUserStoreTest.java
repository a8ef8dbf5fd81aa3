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

/** The embedded store: the contract, and the state directories it refuses. */
class RocksDbUserStoreTest extends UserStoreContractTest {
  @TempDir
  Path tmp;

  @Override
  UserStore openStore() {
    return open(tmp.resolve("state"));
  }

  static RocksDbUserStore open(Path dir) {
    return new RocksDbUserStore(dir, UserStateStore.limits(SETTINGS), true, Duration.ofMillis(100), Duration.ZERO);
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
