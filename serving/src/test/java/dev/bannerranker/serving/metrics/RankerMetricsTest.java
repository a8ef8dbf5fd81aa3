package dev.bannerranker.serving.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.serving.metrics.RankerMetrics.Stage;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.ranking.RankPath;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RankerMetricsTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RankerMetrics metrics = new RankerMetrics(meters);

  private double responses(String arm, String version, String path) {
    var c = meters.find("ranker.rank.responses").tags("arm", arm, "model_version", version, "path", path).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void responsesAreCountedByArmVersionAndPathAcrossModelSwaps() {
    metrics.ranked(Arm.CONTROL, "v1", RankPath.PERSONALIZED);
    metrics.ranked(Arm.CONTROL, "v1", RankPath.PERSONALIZED);
    metrics.ranked(Arm.CONTROL, "v2", RankPath.COLD_START);
    metrics.ranked(Arm.CONTROL, "v1", RankPath.DEADLINE); // a call still on the old model
    metrics.ranked(Arm.TREATMENT, "v2", RankPath.PERSONALIZED);
    assertEquals(2, responses("control", "v1", "personalized"));
    assertEquals(1, responses("control", "v1", "deadline"));
    assertEquals(1, responses("control", "v2", "cold_start"));
    assertEquals(0, responses("control", "v2", "personalized"));
    assertEquals(1, responses("treatment", "v2", "personalized"));
  }

  @Test
  void fallbacksStartAtZeroAndCountByReason() {
    assertEquals(0, meters.get("ranker.fallbacks").tag("reason", "cold_start").counter().count());
    metrics.fallback(RankPath.DEADLINE);
    metrics.fallback(RankPath.DEADLINE);
    metrics.fallback(RankPath.COLD_START);
    assertEquals(1, meters.get("ranker.fallbacks").tag("reason", "cold_start").counter().count());
    assertEquals(2, meters.get("ranker.fallbacks").tag("reason", "deadline").counter().count());
    assertThrows(IllegalArgumentException.class, () -> metrics.fallback(RankPath.PERSONALIZED));
  }

  @Test
  void aStageLastsFromItsStartToTheReturnedTime() throws InterruptedException {
    long start = System.nanoTime();
    Thread.sleep(2);
    long end = metrics.record(Stage.SCORING, start);
    var timer = meters.get("ranker.stage.duration").tag("stage", "scoring").timer();
    assertEquals(1, timer.count());
    assertEquals(end - start, timer.totalTime(TimeUnit.NANOSECONDS), 1.0);
    assertTrue(end - start >= 2_000_000);
  }
}
