package dev.bannerranker.bench;

import dev.bannerranker.serving.ranking.RankResult;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The full ranking pipeline per request, without gRPC: {@code RankingService.rank} (validation, A/B arm, user state,
 * eligibility, user features, scoring, ordering, metrics) for one user and N candidate ids, one thread; see
 * {@link ServingPipeline} for the wiring, the user and the candidates. {@code predict} is the peer in the same run:
 * {@code ScoringModel.predict} alone on the banners the pipeline scores, so rank − predict is what the pipeline
 * adds to pure scoring.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Djava.awt.headless=true", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class PipelineBenchmark {
  @Param({"50", "200", "1000"})
  public int candidates;

  /**
   * {@code on}: the same model with sequence attention added, seeded random weights for it ({@link
   * BenchModel#sharedWithSequenceAttention}), so the cost of attention is measured in the same run.
   */
  @Param({"off", "on"})
  public String sequenceAttention;

  private ServingPipeline pipeline;
  private float[] out;

  @Setup(Level.Trial)
  public void setUp() {
    pipeline = ServingPipeline.build("on".equals(sequenceAttention) ? BenchModel.sharedWithSequenceAttention()
        : BenchModel.shared(), candidates);
    out = new float[pipeline.scored()];
    System.out.println("pipeline: " + pipeline.candidates() + " candidate ids, " + pipeline.scored()
        + " eligible and scored");
  }

  @Benchmark
  public RankResult rank() {
    return pipeline.rank();
  }

  @Benchmark
  public float[] predict() {
    pipeline.predict(out);
    return out;
  }
}
