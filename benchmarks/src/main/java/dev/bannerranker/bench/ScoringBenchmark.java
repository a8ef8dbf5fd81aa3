package dev.bannerranker.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
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
 * One request (one user, N candidates) scored by each implementation, in one JVM; see {@link ScoringImpls} for
 * what each includes. The time per call is sampled, so the JSON has the median and tail per (impl, N).
 *
 * <p>Setup builds (or reuses) the benchmark model of {@link BenchModel}, creates the implementation, and first
 * checks that all implementations agree within 1e-4 on this N: a trial whose implementations disagree fails instead
 * of measuring.
 *
 * <p>{@code sequenceAttention=on} scores with the same model plus sequence attention ({@link
 * BenchModel#sharedWithSequenceAttention}): project, onnxruntime and scalar; the DL4J graph has none, so
 * {@code impl=dl4j} with it is a trial that fails at setup (leave it out with {@code -p impl=project,onnxruntime}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Djava.awt.headless=true", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class ScoringBenchmark {
  /** Largest absolute difference in probability tolerated between any implementation and {@code project}. */
  public static final double TOLERANCE = 1e-4;

  @Param({"project", "onnxruntime", "dl4j", "scalar"})
  public String impl;

  @Param({"50", "200", "1000"})
  public int candidates;

  @Param({"off", "on"})
  public String sequenceAttention;

  private ScoringImpls.Impl scorer;
  private float[] out;

  private static ComputationGraph graph;

  static synchronized ComputationGraph graph(BenchModel m) {
    if (graph == null) {
      Nd4j.getEnvironment().setMaxMasterThreads(1);
      Nd4j.getEnvironment().setMaxThreads(1);
      graph = Dl4jGraph.fromBundle(m.bundle());
    }
    return graph;
  }

  @Setup(Level.Trial)
  public void setUp() {
    boolean attention = "on".equals(sequenceAttention);
    if (!attention && !"off".equals(sequenceAttention)) {
      throw new IllegalArgumentException("sequenceAttention is on or off, not " + sequenceAttention);
    }
    BenchModel m = attention ? BenchModel.sharedWithSequenceAttention() : BenchModel.shared();
    if (!ScoringImpls.names(m.model()).contains(impl)) {
      throw new IllegalArgumentException("impl " + impl + " cannot score this model (sequenceAttention="
          + sequenceAttention + "); one of " + ScoringImpls.names(m.model()));
    }
    ComputationGraph g = attention ? null : graph(BenchModel.shared());
    ScoringImpls.Request request = ScoringImpls.Request.of(m, candidates);
    Map<String, Double> diffs = ScoringImpls.checkAgreement(request, g, TOLERANCE);
    System.out.println("parity at n=" + candidates + ", sequence attention " + sequenceAttention
        + (attention ? " (" + m.user().sequenceCount + " events)" : "") + " (max |p - p_project|): " + diffs
        + "; OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
    scorer = ScoringImpls.create(impl, request, g);
    out = new float[candidates];
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (scorer != null) {
      scorer.close();
    }
  }

  @Benchmark
  public float[] score() {
    scorer.score(out);
    return out;
  }
}
