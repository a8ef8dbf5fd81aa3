package dev.bannerranker.serving.store;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
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
}
