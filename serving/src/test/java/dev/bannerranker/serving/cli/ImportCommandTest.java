package dev.bannerranker.serving.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.store.RocksDbUserStore;
import dev.bannerranker.serving.store.StateDirectory;
import dev.bannerranker.serving.store.StoredLog;
import dev.bannerranker.serving.store.StoredUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import static dev.bannerranker.serving.cli.ServingCliTest.run;
import dev.bannerranker.serving.cli.ServingCliTest.Run;

/** {@code import}: loads a data directory into the embedded store, idempotently, with the project's exit codes. */
@Timeout(120)
class ImportCommandTest {
  @TempDir Path dir;

  private Path data() throws Exception {
    return TestBundles.smallWorld(Files.createDirectories(dir.resolve("data")));
  }

  private static StoredUser read(Path state, String user) {
    try (RocksDbUserStore s = new RocksDbUserStore(state, new StoredLog.Limits(64, 86_400, 256), true,
        Duration.ofMillis(100), Duration.ZERO)) {
      return s.read(user);
    }
  }

  @Test
  void importingTwiceLeavesTheSameState() throws Exception {
    Path data = data();
    Path state = dir.resolve("state");
    assertEquals(0, run("import", "--data", data.toString(), "--state-dir", state.toString(), "--no-progress").code());
    StoredUser once = read(state, "u-000002");
    assertEquals(3, StoredLog.counts(once.log())[0]); // two events and the click
    assertEquals(2, StoredLog.counts(once.log())[1]);
    assertEquals(0, run("import", "--data", data.toString(), "--state-dir", state.toString(), "--no-progress").code());
    StoredUser twice = read(state, "u-000002");
    assertEquals(once.profile(), twice.profile());
    assertArrayEquals(once.log(), twice.log());
  }

  @Test
  void badOptionsAndDirectoriesGetTheirExitCodes() throws Exception {
    Path data = data();
    assertEquals(2, run("import", "--data", dir.resolve("none").toString(), "--state-dir", dir.resolve("s").toString())
        .code());
    assertEquals(2, run("import", "--data", data.toString(), "--state-dir", "x", "--redis", "redis://localhost:1")
        .code());
    Path future = Files.createDirectories(dir.resolve("future"));
    Files.writeString(future.resolve(StateDirectory.LAYOUT_FILE), "banner-ranker-state 9\n");
    Run r = run("import", "--data", data.toString(), "--state-dir", future.toString(), "--no-progress");
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains(future.toString()), r.err());
    Files.writeString(data.resolve("users.csv"), "user_id,gender\nu-1,F\n");
    assertEquals(3, run("import", "--data", data.toString(), "--state-dir", dir.resolve("s2").toString(),
        "--no-progress").code());
  }
}
