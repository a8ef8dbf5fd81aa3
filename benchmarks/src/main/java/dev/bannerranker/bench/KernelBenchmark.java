package dev.bannerranker.bench;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.scoring.DenseKernels;
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
 *   <li>{@code prototype}: {@link FeatureMajorKernel}, the same arithmetic in plain Java with the activations laid
 *       out feature-major so that the inner loops run over the candidates: a measured proposal for the scorer (its
 *       fork keeps {@code accumulate} out of line, see the {@code @Fork} flags).
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
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Djava.awt.headless=true", "--add-modules=jdk.incubator.vector",
    // Only the prototype: C2 (JDK 17) vectorises its inner loops when the method is compiled on its own, and leaves
    // them scalar in some forks when it inlines the method at the prototype's three call sites.
    "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,dev.bannerranker.bench.FeatureMajorKernel::accumulate"})
@Threads(1)
public class KernelBenchmark {
  @Param({"project", "onnxruntime", "prototype"})
  public String impl;

  @Param({"50", "200", "1000"})
  public int candidates;

  private int n;
  private int crossN;
  private int crossOff;
  private WideDeepScorer scorer;
  private float[] userPart;
  private float[][] bannerParts;
  private float[] cross;
  private float[] wideSum;
  private float[] out;
  private ScoringImpls.OnnxRuntime ort;
  private FeatureMajorKernel prototype;

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
    crossOff = dynamic.offset();
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
    // Both kernels must reproduce the full scorer before anything is timed.
    float[] ref = new float[n];
    model.predict(r.user(), r.ctx(), c, n, ref);
    project();
    check("project kernels", ref, out);
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
    FeatureMajorKernel fm = new FeatureMajorKernel(w, crossOff, crossN);
    fm.score(userPart, bannerParts, cross, wideSum, n, o);
    check("prototype kernel", ref, o);
    prototype = impl.equals("prototype") ? fm : null;
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
    if (prototype != null) {
      prototype.score(userPart, bannerParts, cross, wideSum, n, out);
      return out;
    }
    return project();
  }

  /** The per-candidate matrix work of {@link WideDeepScorer#predict}: the scorer's own {@code deepLogits}. */
  private float[] project() {
    scorer.deepLogits(userPart, bannerParts, cross, n, out);
    for (int i = 0; i < n; i++) {
      out[i] = DenseKernels.sigmoid(out[i] + wideSum[i]);
    }
    return out;
  }
}
