package dev.bannerranker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rank's latency as the service measures it: its {@code grpc_server_processing_duration_seconds} histogram of
 * answered (OK) Ranks, between two scrapes of {@code /prometheus}. It leaves out what the client and the network add
 * (a load generator's own queueing and its late sends), so a load test can tell the two apart.
 */
public final class ServerLatency {
  private static final String BUCKET = "grpc_server_processing_duration_seconds_bucket{";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServerLatency() {}

  /** The cumulative counts of Rank's OK calls by bucket upper bound, in seconds, from {@code url}. */
  public static TreeMap<Double, Double> scrape(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + " answered " + r.statusCode());
    }
    return rankBuckets(r.body());
  }

  /** The cumulative counts of Rank's OK calls by bucket upper bound, in seconds, from Prometheus text. */
  public static TreeMap<Double, Double> rankBuckets(String prometheus) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    for (String line : prometheus.split("\n")) {
      if (!line.startsWith(BUCKET) || !line.contains("method=\"Rank\"") || !line.contains("statusCode=\"OK\"")) {
        continue;
      }
      int le = line.indexOf("le=\"");
      int end = line.indexOf('"', le + 4);
      String bound = line.substring(le + 4, end);
      double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
      buckets.merge(upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
    }
    return buckets;
  }

  /**
   * The {@code q} quantile (0 to 1), in milliseconds, of the calls counted between {@code before} and {@code after},
   * interpolated linearly within its bucket as Prometheus's {@code histogram_quantile} does; NaN without calls.
   */
  public static double quantileMs(TreeMap<Double, Double> before, TreeMap<Double, Double> after, double q) {
    double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0)
        - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
    if (!(total > 0)) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    double countBelow = 0;
    for (Map.Entry<Double, Double> e : after.entrySet()) {
      double count = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
      if (count >= rank) {
        if (e.getKey().isInfinite()) {
          return lower * 1000; // beyond the last finite bound: its bound, as Prometheus answers
        }
        double within = count > countBelow ? (rank - countBelow) / (count - countBelow) : 1;
        return (lower + (e.getKey() - lower) * within) * 1000;
      }
      lower = e.getKey();
      countBelow = count;
    }
    return Double.NaN;
  }
}
