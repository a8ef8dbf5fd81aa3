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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the conversion tower costs: the benchmark recipe trained with {@code --objective click} ({@link
 * BenchModel#shared}) against the same recipe trained with {@code click+conversion} ({@link
 * BenchModel#sharedConversion}), in one run. {@code score} is the scorer alone on the first N catalog banners: pCTR,
 * and under the conversion model pCVR too, as the service computes them ({@code ScoringModel.predict}, then
 * {@code predictConversion}). {@code rank} is the whole {@code RankingService.rank} of {@link ServingPipeline}, the
 * same ordering settings for both, so the difference is the conversion tower.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Djava.awt.headless=true", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class ConversionBenchmark {
  @Param({"click", "click+conversion"})
  public String objective;

  @Param({"200"})
  public int candidates;

  private ScoringImpls.Request request;
  private boolean conversion;
  private ServingPipeline pipeline;
  private float[] ctr;
  private float[] cvr;

  @Setup(Level.Trial)
  public void setUp() {
    conversion = switch (objective) {
      case "click" -> false;
      case "click+conversion" -> true;
      default -> throw new IllegalArgumentException("objective must be click or click+conversion: " + objective);
    };
    BenchModel m = conversion ? BenchModel.sharedConversion() : BenchModel.shared();
    if (m.model().hasConversion() != conversion) {
      throw new IllegalStateException("the " + objective + " bundle " + (conversion ? "has no" : "has a")
          + " conversion tower");
    }
    request = ScoringImpls.Request.of(m, candidates);
    pipeline = ServingPipeline.build(m, candidates);
    ctr = new float[candidates];
    cvr = new float[candidates];
    System.out.println(objective + ": " + pipeline.scored() + " of " + pipeline.candidates()
        + " candidates eligible and scored in rank");
  }

  @Benchmark
  public void score(Blackhole bh) {
    request.model().predict(request.user(), request.ctx(), request.candidates(), candidates, ctr);
    bh.consume(ctr);
    if (conversion) {
      request.model().predictConversion(request.user(), request.ctx(), request.candidates(), candidates, cvr);
      bh.consume(cvr);
    }
  }

  @Benchmark
  public RankResult rank() {
    return pipeline.rank();
  }
}
