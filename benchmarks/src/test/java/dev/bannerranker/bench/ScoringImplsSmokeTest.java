package dev.bannerranker.bench;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark state at its smallest: a tiny world, the default network sizes, 50 candidates. The four
 * implementations must agree before any of them is worth timing; JMH itself never runs in the build.
 */
class ScoringImplsSmokeTest {
  @TempDir static Path dir;
  private static BenchModel tiny;

  /** One tiny model for the class: training it is most of the test time. */
  private static synchronized BenchModel tiny() {
    if (tiny == null) {
      tiny = BenchModel.load(dir, BenchModel.Recipe.tiny(), BenchModel.quiet());
    }
    return tiny;
  }

  @Test
  void allFourImplementationsAgreeOnTheSmallestRequest() {
    BenchModel m = tiny();
    ScoringImpls.Request r = ScoringImpls.Request.of(m, 50);
    Map<String, Double> diffs = ScoringImpls.checkAgreement(r, Dl4jGraph.fromBundle(m.bundle()), ScoringBenchmark.TOLERANCE);
    assertEquals(ScoringImpls.NAMES, List.copyOf(diffs.keySet()));
    diffs.forEach((impl, d) -> assertTrue(d <= ScoringBenchmark.TOLERANCE, impl + " differs by " + d));
    // (42 cross, the two fold-in scores among them, + 8 taste inputs) × 64 + 64 × 32 + 32: the split path's matrix
    // work at the default sizes
    assertEquals(50 * 64 + 64 * 32 + 32, ScoringImpls.macsPerCandidate(m.model()));
    // a second load reuses the cache instead of training again: the same bundle, to the nanosecond it was written,
    // and nothing logged about generating or training
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    BenchModel again = BenchModel.load(dir, BenchModel.Recipe.tiny(),
        new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(m.bundle().modelVersion(), again.bundle().modelVersion());
    assertEquals(m.bundle().manifest().createdAt(), again.bundle().manifest().createdAt());
    assertEquals("", log.toString(java.nio.charset.StandardCharsets.UTF_8), "the cached model was rebuilt");
  }

  @Test
  void onnxRuntimeAndScalarAgreeWithTheScorerWithSequenceAttention() throws Exception {
    BenchModel base = tiny();
    BenchModel m = BenchModel.withSequenceAttention(base);
    int slots = m.bundle().spec().sequenceAttention().length();
    assertEquals(slots, m.user().sequenceCount, "the benchmark user fills every slot");
    onnx.Onnx.ModelProto graph = onnx.Onnx.ModelProto.parseFrom(OnnxExport.perCandidateModel(m.model().spec(), m.bundle().weights()));
    assertEquals(List.of(OnnxExport.USER_PART, OnnxExport.BANNER_PART, OnnxExport.CROSS, OnnxExport.WIDE_SUM,
            OnnxExport.QUERY, OnnxExport.KEYS_T, OnnxExport.VALUES_W1, OnnxExport.EVENT_MASK),
        graph.getGraph().getInputList().stream().map(i -> i.getName()).toList());
    // every slot, a few events (the rest padded and masked), none (the attention term is 0)
    for (int events : new int[] {Integer.MAX_VALUE, 5, 1, 0}) {
      var user = events == Integer.MAX_VALUE ? m.user() : m.userWithFirstEvents(events);
      assertEquals(Math.min(events, slots), user.sequenceCount);
      ScoringImpls.Request r = new ScoringImpls.Request(m.model(), user, m.context(), m.candidates(50));
      Map<String, Double> diffs = ScoringImpls.checkAgreement(r, null, 1e-5);
      assertEquals(List.of("project", "onnxruntime", "scalar"), List.copyOf(diffs.keySet()));
      if (user.sequenceCount > 0) {
        // the attention term moves the scores, so agreeing with project proves the graph computes it
        float[] with = new float[r.n()];
        float[] without = new float[r.n()];
        m.model().predict(user, r.ctx(), r.candidates(), r.n(), with);
        base.model().predict(events == Integer.MAX_VALUE ? base.user() : base.userWithFirstEvents(events), r.ctx(), base.candidates(50), r.n(), without);
        double moved = 0;
        for (int i = 0; i < r.n(); i++) {
          moved = Math.max(moved, Math.abs(with[i] - without[i]));
        }
        assertTrue(moved > 1e-3, "attention changed the scores by only " + moved);
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> ScoringImpls.create("dl4j", ScoringImpls.Request.of(m, 50), Dl4jGraph.fromBundle(base.bundle())));
  }

  @Test
  void pipelineBenchmarkSetUpRanksTheRecordedUserAndAgreesWithPredict() {
    BenchModel m = tiny();
    // build() records the user's history through RecordEvents, then checks that rank takes the personalized path
    // and returns the probabilities that predict gives.
    ServingPipeline p = ServingPipeline.build(m, 50);
    assertEquals(50, p.candidates());
    assertTrue(p.scored() > 0 && p.scored() <= 50, "scored " + p.scored());
    assertEquals(ServingPipeline.SLOTS, p.rank().banners().size());
    float[] out = new float[p.scored()];
    p.predict(out);
    for (float x : out) {
      assertTrue(x > 0 && x < 1, "probability " + x);
    }
  }

  @Test
  void rankEndpointBenchmarkRanksThroughTheInProcessServer() throws Exception {
    RankEndpointBenchmark b = new RankEndpointBenchmark();
    b.candidates = 50;
    b.setUp(tiny()); // fails unless the endpoint ranks as the pipeline does
    try {
      var r = b.rank();
      assertEquals(ServingPipeline.SLOTS, r.getBannersCount());
      assertEquals(16, r.getRequestId().length());
      // the same request as wire bytes: parsed by the server, the response serialised
      var fromBytes = dev.bannerranker.proto.v1.RankResponse.parseFrom(b.rankBytes());
      assertEquals(ServingPipeline.SLOTS, fromBytes.getBannersCount());
      assertEquals(r.getModelVersion(), fromBytes.getModelVersion());
      assertNotEquals(r.getRequestId(), fromBytes.getRequestId(), "a second Rank gets a request id of its own");
    } finally {
      b.tearDown();
    }
  }

  @Test
  void conversionBenchmarkSetUpRanksWithTheConversionTowerAndAgreesWithPredictConversion() {
    BenchModel click = tiny();
    BenchModel m = BenchModel.loadConversion(click, BenchModel.Recipe.tiny(), BenchModel.quiet());
    assertFalse(click.model().hasConversion());
    assertTrue(m.model().hasConversion());
    assertEquals(dir.resolve("bundle-conversion"), m.bundleDir());
    // build() checks that rank's pCTR and pCVR are those of predict and predictConversion
    ServingPipeline p = ServingPipeline.build(m, 50);
    var ranked = p.rank().banners();
    assertEquals(ServingPipeline.SLOTS, ranked.size());
    for (var item : ranked) {
      assertTrue(item.predictedCvr() > 0 && item.predictedCvr() < 1, "pCVR " + item.predictedCvr());
    }
    for (var item : ServingPipeline.build(click, 50).rank().banners()) {
      assertTrue(Double.isNaN(item.predictedCvr()), "the click bundle predicts no conversions");
    }
  }

  @Test
  void reportComputesRatiosAndGoalsFromJmhJson() throws Exception {
    String json = "["
        + result("ScoringBenchmark.score", "project", 200, 10.0)
        + "," + result("ScoringBenchmark.score", "onnxruntime", 200, 20.0)
        + "," + result("ScoringBenchmark.score", "dl4j", 200, 150.0)
        + "," + result("KernelBenchmark.kernel", "project", 200, 5.0)
        + "," + result("PipelineBenchmark.rank", null, 200, 80.0)
        + "," + result("PipelineBenchmark.predict", null, 200, 50.0)
        + ",{\"benchmark\":\"dev.bannerranker.bench.PeakFmaBenchmark.javaFma\",\"jdkVersion\":\"17\",\"vmName\":\"x\","
        + "\"vmVersion\":\"y\",\"primaryMetric\":{\"score\":100.0,\"scoreUnit\":\"ops/ns\"}}]";
    String md = Report.render(new ObjectMapper().readTree(json), 1000);
    assertTrue(md.contains("| 200 | project | 10.00 |"), md);
    assertTrue(md.contains("2.00×"), md); // onnxruntime / project
    assertTrue(md.contains("15.00×"), md); // dl4j / project
    assertTrue(md.contains("N=200: project at least as fast as ONNX Runtime: **met**"), md);
    assertTrue(md.contains("N=200: project ≥ 10× faster than DL4J: **met** (15.0×)"), md);
    // kernel: 2 × 1000 × 200 flops in 5 µs = 80 GFLOP/s = 80 % of 100
    assertTrue(md.contains("project's matrix work ≥ 50% of peak: **met** (80.0%)"), md);
    assertTrue(md.contains("| 200 | rank | 80.00 | 160.00 | 30.00 | 1.60× |"), md);
    assertTrue(md.contains("| 200 | predict | 50.00 | 100.00 |  |  |"), md);
    assertTrue(md.contains("N=200: the full pipeline ranks in ≤ 200 µs (median, one core): **met** (80.00 µs; p99 160.00 µs)"), md);
  }

  @Test
  void reportComparesTrialsWithSequenceAttentionAmongThemselves() throws Exception {
    String json = "["
        + result("ScoringBenchmark.score", "project", 200, 10.0, "off")
        + "," + result("ScoringBenchmark.score", "onnxruntime", 200, 20.0, "off")
        + "," + result("ScoringBenchmark.score", "project", 200, 12.0, "on")
        + "," + result("ScoringBenchmark.score", "onnxruntime", 200, 30.0, "on")
        + "," + result("PipelineBenchmark.rank", null, 200, 80.0, "off")
        + "," + result("PipelineBenchmark.predict", null, 200, 50.0, "off")
        + "," + result("PipelineBenchmark.rank", null, 200, 100.0, "on")
        + "," + result("PipelineBenchmark.predict", null, 200, 70.0, "on") + "]";
    String md = Report.render(new ObjectMapper().readTree(json), 1000);
    // GFLOP/s and peak only without attention (the multiply-add count is of the network without it)
    assertTrue(md.contains("| 200 | project | 10.00 | 20.00 | 50.0 | 40.00 |"), md);
    assertTrue(md.contains("| 200 | onnxruntime +attention | 30.00 | 60.00 | 150.0 |  |  | 1.00× |"), md);
    assertTrue(md.contains("| 200 | project +attention | 12.00 | 24.00 | 60.0 |  |  | 2.50× |"), md);
    assertTrue(md.contains("N=200: project at least as fast as ONNX Runtime: **met** (2.00×)"), md);
    assertTrue(md.contains("N=200, sequence attention: project at least as fast as ONNX Runtime: **met** (2.50×)"), md);
    assertTrue(md.contains("| 200 | rank | 80.00 | 160.00 | 30.00 | 1.60× |"), md);
    assertTrue(md.contains("| 200 | rank +attention | 100.00 | 200.00 | 30.00 | 1.43× |"), md);
    assertTrue(md.contains("the full pipeline ranks in ≤ 200 µs (median, one core): **met** (80.00 µs"), md);
  }

  private static String result(String bench, String impl, int n, double medianUs) {
    return result(bench, impl, n, medianUs, null);
  }

  private static String result(String bench, String impl, int n, double medianUs, String attention) {
    return "{\"benchmark\":\"dev.bannerranker.bench." + bench + "\",\"jdkVersion\":\"17\",\"vmName\":\"x\",\"vmVersion\":\"y\","
        + "\"params\":{" + (impl == null ? "" : "\"impl\":\"" + impl + "\",")
        + (attention == null ? "" : "\"sequenceAttention\":\"" + attention + "\",") + "\"candidates\":\"" + n + "\"},"
        + "\"primaryMetric\":{\"score\":" + medianUs + ",\"scoreUnit\":\"us/op\",\"scorePercentiles\":{\"50.0\":" + medianUs
        + ",\"99.0\":" + (2 * medianUs) + "}}}";
  }
}
