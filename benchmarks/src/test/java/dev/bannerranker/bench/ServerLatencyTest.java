package dev.bannerranker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ServerLatencyTest {
  private static String text(double inOneMs, double inTwoMs, double inFourMs, double beyond) {
    String labels = "method=\"Rank\",methodType=\"UNARY\",service=\"ads.ranking.v1.RankingService\",statusCode=\"OK\",";
    double a = inOneMs;
    double b = a + inTwoMs;
    double c = b + inFourMs;
    return "# TYPE grpc_server_processing_duration_seconds histogram\n"
        + "grpc_server_processing_duration_seconds_bucket{" + labels + "le=\"0.001\",} " + a + "\n"
        + "grpc_server_processing_duration_seconds_bucket{" + labels + "le=\"0.002\",} " + b + "\n"
        + "grpc_server_processing_duration_seconds_bucket{" + labels + "le=\"0.004\",} " + c + "\n"
        + "grpc_server_processing_duration_seconds_bucket{" + labels + "le=\"+Inf\",} " + (c + beyond) + "\n"
        // Shed Ranks and other methods are not Rank's answered calls.
        + "grpc_server_processing_duration_seconds_bucket{method=\"Rank\",methodType=\"UNARY\",service=\"s\","
        + "statusCode=\"RESOURCE_EXHAUSTED\",le=\"0.001\",} 5000.0\n"
        + "grpc_server_processing_duration_seconds_bucket{method=\"Check\",statusCode=\"OK\",le=\"0.004\",} 7.0\n";
  }

  @Test
  void quantilesOfTheCallsBetweenTwoScrapesInterpolateWithinTheirBucket() {
    TreeMap<Double, Double> before = ServerLatency.rankBuckets(text(100, 0, 0, 0));
    TreeMap<Double, Double> after = ServerLatency.rankBuckets(text(100 + 50, 40, 10, 0));
    assertEquals(4, after.size());
    // 100 calls between the scrapes: 50 under 1 ms, 40 in (1, 2], 10 in (2, 4].
    assertEquals(0.5, ServerLatency.quantileMs(before, after, 0.25), 1e-9, "halfway into the first bucket");
    assertEquals(1.25, ServerLatency.quantileMs(before, after, 0.6), 1e-9, "a quarter into (1, 2] ms");
    assertEquals(3.8, ServerLatency.quantileMs(before, after, 0.99), 1e-9, "nine tenths into (2, 4] ms");
  }

  @Test
  void callsBeyondTheLastBoundGiveThatBoundAndNoCallsGiveNaN() {
    TreeMap<Double, Double> before = ServerLatency.rankBuckets(text(0, 0, 0, 0));
    assertEquals(4.0, ServerLatency.quantileMs(before, ServerLatency.rankBuckets(text(0, 0, 0, 10)), 0.99), 1e-9);
    assertTrue(Double.isNaN(ServerLatency.quantileMs(before, before, 0.99)));
  }
}
