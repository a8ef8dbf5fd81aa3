package dev.bannerranker.bench.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ShedCountsTest {
  private static final String BEFORE = """
      # HELP ranker_calls_shed_total Calls answered RESOURCE_EXHAUSTED
      # TYPE ranker_calls_shed_total counter
      ranker_calls_shed_total{reason="concurrency_limit",rpc="Rank"} 12.0
      ranker_calls_shed_total{reason="queue_full",rpc="RecordEvents"} 3.0
      ranker_calls_shed_total_other{reason="x",rpc="Rank"} 99.0
      ranker_concurrency_limit_drops_total{rpc="rank"} 4.0
      """;
  private static final String AFTER = """
      ranker_calls_shed_total{reason="concurrency_limit",rpc="Rank"} 20.0
      ranker_calls_shed_total{reason="queue_full",rpc="RecordEvents"} 3.0
      ranker_calls_shed_total{rpc="RecordEvents",reason="concurrency_limit"} 5.0
      """;

  @Test
  void readsTheShedCountersByRpcAndReasonAndTheirIncrease() {
    Map<String, Double> before = Scenarios.shedByRpcAndReason(BEFORE);
    assertEquals(Map.of("Rank/concurrency_limit", 12.0, "RecordEvents/queue_full", 3.0), before);
    assertEquals(Map.of("Rank/concurrency_limit", 8L, "RecordEvents/concurrency_limit", 5L),
        Scenarios.increase(before, Scenarios.shedByRpcAndReason(AFTER)));
  }
}
