package dev.bannerranker.bench;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.scoring.DenseKernels;
import dev.bannerranker.scoring.MatrixKernels;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.scoring.WideDeepScorer;
import dev.bannerranker.scoring.WideDeepWeights;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The matrix work of one request alone, kernel against kernel, on inputs encoded once at setup: the per-candidate
 * part of the network (first-layer sum of user part, banner part and the per-candidate inputs (cross block, taste
 * product) × W1; ReLU; the upper layers; the output; the sigmoid of deep + wide).
 *
 * <ul>
 *   <li>{@code project}: {@link WideDeepScorer#deepLogits}, the scorer's matrix work (the kernels of
 *       {@code MatrixKernels} over blocks of candidates), then the sigmoid.
 *   <li>{@code onnxruntime}: one {@code session.run} of {@link OnnxExport}'s graph on the bound input buffers.
 *   <li>{@code scalar}: the same {@link WideDeepScorer#deepLogits} with the scalar kernels
 *       ({@code MatrixKernels.scalar()}), the fallback a JVM without {@code jdk.incubator.vector} runs.
 * </ul>
 *
 * The GFLOP/s of this benchmark (2 × {@link ScoringImpls#macsPerCandidate} × N per call) is the one compared with
 * {@link PeakFmaBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Djava.awt.headless=true", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class KernelBenchmark {
  @Param({"project", "onnxruntime", "scalar"})
  public String impl;

  @Param({"50", "200", "1000"})
  public int candidates;

  private int n;
  private int crossN;
  private WideDeepScorer scorer;
  private float[] userPart;
  private float[][] bannerParts;
  private float[] cross;
  private float[] wideSum;
  private float[] out;
  private ScoringImpls.OnnxRuntime ort;

  @Setup(Level.Trial)
  public void setUp() {
    BenchModel m = BenchModel.shared();
    ScoringModel model = m.model();
    ScoringImpls.Request r = ScoringImpls.Request.of(m, candidates);
    n = candidates;
    FeatureEncoder enc = model.encoder();
    WideDeepWeights w = model.bundle().weights();
    ScoringImpls.PerCandidate dynamic = new ScoringImpls.PerCandidate(model);
    crossN = dynamic.width();
    scorer = model.scorer();
    userPart = model.scorer().userPart(r.user(), r.ctx());
    bannerParts = new float[n][];
    cross = new float[n * crossN];
    wideSum = new float[n];
    int[] wide = new int[enc.wideCount()];
    BannerFeatures[] c = r.candidates();
    float[] userTaste = dynamic.userTaste(r.user());
    for (int i = 0; i < n; i++) {
      bannerParts[i] = model.bannerPart(c[i]);
      dynamic.encode(r.user(), c[i], r.ctx(), userTaste, cross, i * crossN);
      enc.wideIndices(r.user(), c[i], r.ctx(), wide, 0);
      for (int idx : wide) {
        wideSum[i] += w.wide()[idx];
      }
    }
    out = new float[n];
    // Every implementation must reproduce the full scorer before anything is timed.
    float[] ref = new float[n];
    model.predict(r.user(), r.ctx(), c, n, ref);
    check("project kernels", ref, deepThenSigmoid(scorer, out));
    ort = new ScoringImpls.OnnxRuntime(r);
    ort.fillInputs();
    ort.runKernel();
    float[] o = new float[n];
    for (int i = 0; i < n; i++) {
      o[i] = ort.output(i);
    }
    check("onnxruntime kernel", ref, o);
    if (!impl.equals("onnxruntime")) {
      ort.close();
      ort = null;
    }
    WideDeepScorer scalar = new WideDeepScorer(enc, w, MatrixKernels.scalar());
    check("scalar kernels", ref, deepThenSigmoid(scalar, o));
    scorer = impl.equals("scalar") ? scalar : model.scorer();
  }

  private static void check(String what, float[] ref, float[] got) {
    for (int i = 0; i < ref.length; i++) {
      if (!(Math.abs(ref[i] - got[i]) <= ScoringBenchmark.TOLERANCE)) {
        throw new IllegalStateException(what + " differs from ScoringModel.predict at candidate " + i + ": " + got[i]
            + " vs " + ref[i]);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (ort != null) {
      ort.close();
    }
  }

  @Benchmark
  public float[] kernel() {
    if (ort != null) {
      ort.runKernel();
      return out;
    }
    return deepThenSigmoid(scorer, out);
  }

  /** The per-candidate matrix work of {@link WideDeepScorer#predict}: the scorer's {@code deepLogits}, the sigmoid. */
  private float[] deepThenSigmoid(WideDeepScorer s, float[] dst) {
    s.deepLogits(userPart, bannerParts, cross, n, dst);
    for (int i = 0; i < n; i++) {
      dst[i] = DenseKernels.sigmoid(dst[i] + wideSum[i]);
    }
    return dst;
  }
}
