package dev.bannerranker.serving.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.serving.TestBundles;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleWatcherTest {
  @Test
  void aNewVersionWrittenIntoTheDirectoryIsSwappedIn(@TempDir Path tmp) throws Exception {
    Path dir = TestBundles.withVersion(tmp.resolve("current"), "wd-1");
    ModelRegistry r = new ModelRegistry(0, "s");
    ModelRegistryTest.Events events = new ModelRegistryTest.Events();
    r.addListener(events);
    r.load(Arm.CONTROL, dir);
    try (BundleWatcher w = new BundleWatcher(r, Map.of(Arm.CONTROL, dir))) {
      w.checkAll();
      assertEquals(1, events.seen.size(), "an unchanged directory is not reloaded");

      TestBundles.withVersion(dir, "wd-2"); // atomic replace, as the trainer writes
      w.checkAll();
      assertEquals("wd-2", r.current().control().version());

      TestBundles.nanScores(dir);
      w.checkAll();
      assertEquals("wd-2", r.current().control().version(), "a refused bundle leaves the old model serving");
      assertTrue(r.lastRefusal(Arm.CONTROL).isPresent());
      w.checkAll();
      assertEquals(1, events.seen.stream().filter(s -> s.startsWith("refused")).count(),
          "a refused bundle is not retried until the directory changes");

      TestBundles.withVersion(dir, "wd-3");
      w.checkAll();
      assertEquals("wd-3", r.current().control().version());
    }
  }

  @Test
  void aTimerDrivesTheChecks(@TempDir Path tmp) throws Exception {
    Path dir = TestBundles.withVersion(tmp.resolve("current"), "wd-1");
    ModelRegistry r = new ModelRegistry(0, "s");
    r.load(Arm.CONTROL, dir);
    try (BundleWatcher w = new BundleWatcher(r, Map.of(Arm.CONTROL, dir))) {
      w.start(java.time.Duration.ofMillis(20));
      TestBundles.withVersion(dir, "wd-2");
      long until = System.nanoTime() + 30_000_000_000L;
      while (!r.current().control().version().equals("wd-2") && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertEquals("wd-2", r.current().control().version());
    }
  }
}
