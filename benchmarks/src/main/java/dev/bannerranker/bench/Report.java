package dev.bannerranker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a JMH JSON result of {@link ScoringBenchmark}, {@link KernelBenchmark}, the peak-FMA benchmarks and
 * {@link PipelineBenchmark} into Markdown tables: median and p99 per call, time per candidate, GFLOP/s and share of
 * the measured peak, and the speed ratios against ONNX Runtime and DL4J; the full pipeline against pure scoring;
 * then the goals of issue 4 with a verdict each.
 *
 * <pre>
 *   java -cp banner-ranker-benchmarks.jar dev.bannerranker.bench.Report results/scoring.json [--model-dir DIR] [--out FILE.md]
 * </pre>
 *
 * GFLOP/s = 2 × (multiply-adds per candidate of the split path's matrix work) × N / median time, the same count for
 * every implementation (dl4j and scalar do more arithmetic, their whole first layer, so for them it is the useful
 * rate, not the executed one). The multiply-adds come from the benchmark model's feature spec.
 *
 * <p>A trial with {@code sequenceAttention=on} is its own row, its impl or method followed by {@value #ATTENTION}, and
 * compared with the other rows with attention; it has no GFLOP/s (the count above is without attention).
 */
public final class Report {
  private Report() {}

  /** Issue 4: the full pipeline ranks 200 candidates in at most 200 µs on one core. */
  static final int PIPELINE_GOAL_N = 200;
  static final double PIPELINE_GOAL_MICROS = 200;

  /** Appended to the impl (or method) of a trial with sequence attention on. */
  static final String ATTENTION = " +attention";

  record Row(String benchmark, String impl, int n, double median, double p99, String unit) {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: Report RESULT.json [--model-dir DIR] [--out FILE.md]");
      System.exit(2);
    }
    Path json = Paths.get(args[0]);
    Path modelDir = BenchModel.defaultDir();
    Path out = null;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--model-dir": modelDir = Paths.get(args[++i]); break;
        case "--out": out = Paths.get(args[++i]); break;
        default: throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String md = render(new ObjectMapper().readTree(json.toFile()), macsPerCandidate(modelDir.resolve("bundle")));
    System.out.print(md);
    if (out != null) {
      Files.writeString(out, md, StandardCharsets.UTF_8);
    }
  }

  /** Multiply-adds per candidate of the split path, from the bundle's spec (see {@link ScoringImpls#macsPerCandidate}). */
  static long macsPerCandidate(Path bundleDir) {
    FeatureSpec spec = BundleIO.readManifest(bundleDir).featureSpec();
    List<Integer> h = spec.hiddenLayers();
    long macs = (long) (new FeatureEncoder(spec).crossSize() + spec.tasteDim()) * h.get(0);
    for (int l = 1; l < h.size(); l++) {
      macs += (long) h.get(l - 1) * h.get(l);
    }
    return macs + h.get(h.size() - 1);
  }

  static String render(JsonNode results, long macs) {
    List<Row> rows = new ArrayList<>();
    double peakJava = Double.NaN;
    double peakVector = Double.NaN;
    String jdk = "";
    for (JsonNode r : results) {
      String bench = r.get("benchmark").asText();
      String shortName = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
      JsonNode pm = r.get("primaryMetric");
      jdk = r.path("jdkVersion").asText() + " (" + r.path("vmName").asText() + " " + r.path("vmVersion").asText() + ")";
      if (shortName.startsWith("PeakFmaBenchmark.")) {
        peakJava = pm.get("score").asDouble();
        continue;
      }
      if (shortName.startsWith("PeakFmaVectorBenchmark.")) {
        peakVector = pm.get("score").asDouble();
        continue;
      }
      JsonNode params = r.path("params");
      JsonNode pct = pm.path("scorePercentiles");
      double median = pct.has("50.0") ? pct.get("50.0").asDouble() : pm.get("score").asDouble();
      double p99 = pct.has("99.0") ? pct.get("99.0").asDouble() : Double.NaN;
      // Benchmarks without an impl parameter (PipelineBenchmark) compare their methods instead.
      String impl = params.has("impl") ? params.get("impl").asText() : shortName.substring(shortName.indexOf('.') + 1);
      if ("on".equals(params.path("sequenceAttention").asText())) {
        impl += ATTENTION;
      }
      rows.add(new Row(shortName.substring(0, shortName.indexOf('.')), impl,
          params.path("candidates").asInt(), toMicros(median, pm.get("scoreUnit").asText()),
          toMicros(p99, pm.get("scoreUnit").asText()), "us"));
    }
    double peak = Double.isNaN(peakVector) ? peakJava : Double.isNaN(peakJava) ? peakVector : Math.max(peakJava, peakVector);

    StringBuilder sb = new StringBuilder();
    sb.append("Machine: ").append(machine()).append("; JDK ").append(jdk).append(".\n\n");
    sb.append(String.format(Locale.ROOT, "Matrix work per candidate: %d multiply-adds (%d flops).%n%n", macs, 2 * macs));
    sb.append("Peak FMA (one core): ")
        .append(String.format(Locale.ROOT, "plain Java `Math.fma` %.1f GFLOP/s, Vector API %.1f GFLOP/s; peak = %.1f GFLOP/s.%n%n",
            peakJava, peakVector, peak));

    Map<Integer, Map<String, Row>> full = byN(rows, "ScoringBenchmark");
    if (!full.isEmpty()) {
      sb.append("### Full request: ScoringBenchmark (one user, N candidates; median of sampled calls)\n\n");
      sb.append("| N | impl | median µs | p99 µs | ns / candidate | GFLOP/s | % of peak | speed vs onnxruntime | speed vs dl4j |\n");
      sb.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (var e : full.entrySet()) {
        int n = e.getKey();
        for (String suffix : List.of("", ATTENTION)) {
          Row ort = e.getValue().get("onnxruntime" + suffix);
          Row dl4j = e.getValue().get("dl4j" + suffix);
          for (String impl : ScoringImpls.NAMES) {
            Row r = e.getValue().get(impl + suffix);
            if (r != null) {
              sb.append(line(r, n, macs, peak, ort, dl4j));
            }
          }
        }
      }
      sb.append('\n');
    }
    Map<Integer, Map<String, Row>> kern = byN(rows, "KernelBenchmark");
    if (!kern.isEmpty()) {
      sb.append("### Matrix work only: KernelBenchmark (inputs encoded at setup)\n\n");
      sb.append("| N | impl | median µs | p99 µs | ns / candidate | GFLOP/s | % of peak | speed vs onnxruntime | speed vs dl4j |\n");
      sb.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (var e : kern.entrySet()) {
        Row ort = e.getValue().get("onnxruntime");
        for (Row r : e.getValue().values()) {
          sb.append(line(r, e.getKey(), macs, peak, ort, null));
        }
      }
      sb.append('\n');
    }

    Map<Integer, Map<String, Row>> pipeline = byN(rows, "PipelineBenchmark");
    if (!pipeline.isEmpty()) {
      sb.append("### Full pipeline: PipelineBenchmark (RankingService.rank, one user, N candidate ids; median of sampled calls)\n\n");
      sb.append("`rank` is the whole pipeline without gRPC; `predict` is `ScoringModel.predict` alone on the banners `rank` "
          + "scores, in the same run.\n\n");
      sb.append("| N | method | median µs | p99 µs | rank − predict (median) µs | rank / predict |\n");
      sb.append("|---:|---|---:|---:|---:|---:|\n");
      for (var e : pipeline.entrySet()) {
        for (String suffix : List.of("", ATTENTION)) {
          Row rank = e.getValue().get("rank" + suffix);
          Row predict = e.getValue().get("predict" + suffix);
          for (Row r : java.util.Arrays.asList(rank, predict)) {
            if (r == null) {
              continue;
            }
            boolean both = r == rank && predict != null;
            sb.append(String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %s | %s |%n", e.getKey(), r.impl(),
                r.median(), r.p99(), both ? String.format(Locale.ROOT, "%.2f", rank.median() - predict.median()) : "",
                both ? String.format(Locale.ROOT, "%.2f×", rank.median() / predict.median()) : ""));
          }
        }
      }
      sb.append('\n');
    }

    sb.append("### Goals\n\n");
    for (var e : full.entrySet()) {
      Row p = e.getValue().get("project");
      Row o = e.getValue().get("onnxruntime");
      Row d = e.getValue().get("dl4j");
      Row pa = e.getValue().get("project" + ATTENTION);
      Row oa = e.getValue().get("onnxruntime" + ATTENTION);
      if (pa != null && oa != null) {
        sb.append(String.format(Locale.ROOT,
            "- N=%d, sequence attention: project at least as fast as ONNX Runtime: %s (%.2f×)%n", e.getKey(),
            verdict(oa.median() / pa.median() >= 1), oa.median() / pa.median()));
      }
      if (p == null) {
        continue;
      }
      if (o != null) {
        sb.append(String.format(Locale.ROOT, "- N=%d: project at least as fast as ONNX Runtime: %s (%.2f×)%n", e.getKey(),
            verdict(o.median() / p.median() >= 1), o.median() / p.median()));
      }
      if (d != null) {
        sb.append(String.format(Locale.ROOT, "- N=%d: project ≥ 10× faster than DL4J: %s (%.1f×)%n", e.getKey(),
            verdict(d.median() / p.median() >= 10), d.median() / p.median()));
      }
    }
    Row rank200 = pipeline.getOrDefault(PIPELINE_GOAL_N, Map.of()).get("rank");
    if (rank200 != null) {
      sb.append(String.format(Locale.ROOT, "- N=%d: the full pipeline ranks in ≤ %.0f µs (median, one core): %s (%.2f µs; p99 %.2f µs)%n",
          PIPELINE_GOAL_N, PIPELINE_GOAL_MICROS, verdict(rank200.median() <= PIPELINE_GOAL_MICROS), rank200.median(),
          rank200.p99()));
    }
    for (var e : kern.entrySet()) {
      Row k = e.getValue().get("project");
      if (k != null && !Double.isNaN(peak)) {
        double share = gflops(k, e.getKey(), macs) / peak;
        sb.append(String.format(Locale.ROOT, "- N=%d: project's matrix work ≥ 50%% of peak: %s (%.1f%%)%n", e.getKey(),
            verdict(share >= 0.5), 100 * share));
      }
    }
    return sb.toString();
  }

  private static String verdict(boolean ok) {
    return ok ? "**met**" : "**not met**";
  }

  private static Map<Integer, Map<String, Row>> byN(List<Row> rows, String bench) {
    Map<Integer, Map<String, Row>> m = new TreeMap<>();
    for (Row r : rows) {
      if (r.benchmark().equals(bench)) {
        m.computeIfAbsent(r.n(), k -> new TreeMap<>()).put(r.impl(), r);
      }
    }
    return m;
  }

  private static double gflops(Row r, int n, long macs) {
    return 2.0 * macs * n / (r.median() * 1e3); // flops per ns = GFLOP/s
  }

  private static String line(Row r, int n, long macs, double peak, Row ort, Row dl4j) {
    double g = gflops(r, n, macs);
    boolean counted = !r.impl().endsWith(ATTENTION);
    return String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.1f | %s | %s | %s | %s |%n", n, r.impl(), r.median(),
        r.p99(), r.median() * 1e3 / n, counted ? String.format(Locale.ROOT, "%.2f", g) : "",
        counted ? String.format(Locale.ROOT, "%.1f%%", 100 * g / peak) : "", ratio(ort, r), ratio(dl4j, r));
  }

  /** How many times faster {@code r} is than {@code base} ({@code base time / r time}). */
  private static String ratio(Row base, Row r) {
    return base == null ? "" : String.format(Locale.ROOT, "%.2f×", base.median() / r.median());
  }

  private static double toMicros(double v, String unit) {
    switch (unit) {
      case "us/op": return v;
      case "ns/op": return v / 1e3;
      case "ms/op": return v * 1e3;
      case "s/op": return v * 1e6;
      default: throw new IllegalArgumentException("unexpected JMH unit " + unit);
    }
  }

  static String machine() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: keep "unknown"
    }
    TreeSet<String> flags = new TreeSet<>();
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
        if (line.startsWith("flags")) {
          for (String f : line.substring(line.indexOf(':') + 1).trim().split(" ")) {
            if (f.equals("avx2") || f.equals("avx512f") || f.equals("fma")) {
              flags.add(f);
            }
          }
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // ignore
    }
    return String.format(Locale.ROOT, "%d cores (nproc), %s, %s", Runtime.getRuntime().availableProcessors(), cpu,
        String.join("+", flags));
  }
}
