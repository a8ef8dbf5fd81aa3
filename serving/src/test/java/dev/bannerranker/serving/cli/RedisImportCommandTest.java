package dev.bannerranker.serving.cli;

import static dev.bannerranker.serving.cli.ServingCliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.cli.ServingCliTest.Run;
import dev.bannerranker.serving.store.RedisServer;
import dev.bannerranker.serving.store.RedisUserStore;
import dev.bannerranker.serving.store.RocksDbUserStore;
import dev.bannerranker.serving.store.StoredLog;
import dev.bannerranker.serving.store.StoredUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code import --redis}: idempotent, and the same values as the embedded store gets from the same data. */
@Timeout(120)
class RedisImportCommandTest {
  static final StoredLog.Limits LIMITS = new StoredLog.Limits(64, 86_400, 256);

  @TempDir Path dir;

  @Test
  void importingTwiceLeavesTheSameStateAsTheEmbeddedStoreGets() throws Exception {
    Path data = TestBundles.smallWorld(Files.createDirectories(dir.resolve("data")));
    try (RedisServer server = RedisServer.start(false)) {
      Run first = run("import", "--data", data.toString(), "--redis", server.uri(), "--no-progress");
      assertEquals(0, first.code(), first.err());
      List<StoredUser> once = read(server, List.of("u-000001", "u-000002", "u-000003"));
      String keys = server.command("DBSIZE");
      assertEquals(0, run("import", "--data", data.toString(), "--redis", server.uri(), "--no-progress").code());
      List<StoredUser> twice = read(server, List.of("u-000001", "u-000002", "u-000003"));
      assertEquals(keys, server.command("DBSIZE"));
      Path state = dir.resolve("state");
      assertEquals(0, run("import", "--data", data.toString(), "--state-dir", state.toString(), "--no-progress")
          .code());
      try (RocksDbUserStore embedded = new RocksDbUserStore(state, LIMITS, true, Duration.ofMillis(100),
          Duration.ZERO)) {
        for (int i = 0; i < once.size(); i++) {
          StoredUser u = once.get(i);
          assertNotNull(u, "user " + i);
          assertEquals(u.profile(), twice.get(i).profile());
          assertArrayEquals(u.log(), twice.get(i).log());
          StoredUser e = embedded.read(u.userId());
          assertEquals(e.profile(), u.profile());
          assertArrayEquals(e.log(), u.log(), "names numbered alike, logs packed alike");
        }
      }
    }
  }

  @Test
  void aServerThatCannotBeReachedExitsWithTheIoCode() throws Exception {
    Path data = TestBundles.smallWorld(Files.createDirectories(dir.resolve("data")));
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Run r = run("import", "--data", data.toString(), "--redis", "redis://127.0.0.1:" + closed, "--no-progress");
    assertEquals(5, r.code(), r.err());
  }

  private static List<StoredUser> read(RedisServer server, List<String> users) {
    try (RedisUserStore s = new RedisUserStore(server.uri(), LIMITS, Duration.ofSeconds(2), Duration.ZERO)) {
      return users.stream().map(s::read).toList();
    }
  }
}
