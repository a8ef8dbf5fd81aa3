package dev.bannerranker.serving.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.serving.config.OrderingSettings.Policy;
import dev.bannerranker.serving.log.LogSettings;
import dev.bannerranker.serving.log.ServingLog;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ServingLogReader;
import dev.bannerranker.servinglog.StartRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import io.micronaut.context.ApplicationContext;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.model.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serving-log, ordering-policy and models-root keys as Micronaut binds them. */
class LoopSettingsTest {
  @Test
  void theDefaultsOfApplicationYml() {
    try (ApplicationContext ctx = ApplicationContext.builder().properties(Map.of()).environments("settings-test")
        .start()) {
      LogSettings log = ctx.getBean(LogSettings.class);
      assertFalse(log.enabled());
      assertEquals(64L << 20, log.maxFileSize());
      assertEquals(Duration.ofHours(1), log.maxFileAge());
      assertEquals(Duration.ofSeconds(1), log.syncInterval());
      assertEquals(65_536, log.queueSize());
      OrderingSettings o = ctx.getBean(OrderingSettings.class);
      assertEquals(Policy.GREEDY, o.policy());
      assertEquals(1, o.stochasticSlots());
      ModelSettings m = ctx.getBean(ModelSettings.class);
      assertEquals("", m.modelsRoot());
      assertEquals(0L, m.modelVersion());
    }
  }

  @Test
  void keysAsAnOperatorWritesThem(@TempDir Path dir) throws IOException {
    Path root = dir.resolve("models");
    TestBundles.withVersion(root.resolve("3"), "wd-3");
    TestBundles.withVersion(root.resolve("4"), "wd-4");
    try (ApplicationContext ctx = ApplicationContext.builder().properties(Map.ofEntries(
        Map.entry("ranker.log.dir", dir.resolve("log").toString()), Map.entry("ranker.model.bundle", ""),
        Map.entry("ranker.log.max-file-size", "2MB"),
        Map.entry("ranker.log.max-file-age", "10m"),
        Map.entry("ranker.log.sync-interval", "250ms"),
        Map.entry("ranker.log.queue-size", "128"),
        Map.entry("ranker.ordering.policy", "epsilon_greedy"),
        Map.entry("ranker.ordering.epsilon", "0.05"),
        Map.entry("ranker.ordering.stochastic-slots", "2"),
        Map.entry("ranker.model.models-root", root.toString()),
        Map.entry("ranker.model.model-version", "3"))).environments("settings-test").start()) {
      LogSettings log = ctx.getBean(LogSettings.class);
      assertTrue(log.enabled());
      assertEquals(2L << 20, log.maxFileSize());
      assertEquals(Duration.ofMinutes(10), log.maxFileAge());
      assertEquals(Duration.ofMillis(250), log.syncInterval());
      assertEquals(128, log.queueSize());
      OrderingSettings o = ctx.getBean(OrderingSettings.class);
      assertEquals(Policy.EPSILON_GREEDY, o.policy());
      assertEquals(0.05, o.epsilon());
      assertEquals(2, o.stochasticSlots());
      ModelSettings m = ctx.getBean(ModelSettings.class);
      assertEquals(root.toString(), m.modelsRoot());
      assertEquals(3L, m.modelVersion());
      assertEquals("wd-3", ctx.getBean(ModelRegistry.class).current().control().version(), "the pinned version");
      assertTrue(ctx.getBean(ServingLog.class).enabled());
    }
    // Closing the context closed the log: the start record, naming the pinned model's catalog snapshot, is on disk.
    List<LogRecord> records = new ArrayList<>();
    ServingLogReader.read(dir.resolve("log"), (r, f, l) -> records.add(r));
    assertEquals(1, records.size());
    StartRecord start = (StartRecord) records.get(0);
    assertTrue(Files.isRegularFile(dir.resolve("log").resolve(start.catalog())), start.catalog());
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new OrderingSettings(OrderingSettings.Value.BID, OrderingSettings.Diversity.NONE, 1, 0.7, 0, 50, null)
            .withPolicy(Policy.SOFTMAX, 0.1, 0, 1));
    assertTrue(e.getMessage().contains("ranker.ordering.temperature"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new LogSettings("d", null, null, null, 0));
    assertTrue(e.getMessage().contains("ranker.log.queue-size"), e.getMessage());
  }
}
