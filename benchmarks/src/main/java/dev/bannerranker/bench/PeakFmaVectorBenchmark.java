package dev.bannerranker.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Peak FMA throughput with the Vector API: {@link #ACCUMULATORS} independent {@code FloatVector} FMA chains of the
 * preferred width, kept in registers, so nothing but the FMA units limits it. Score in GFLOP/s (see
 * {@link PeakFmaBenchmark}). Runs in its own fork with {@code --add-modules jdk.incubator.vector}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Threads(1)
public class PeakFmaVectorBenchmark {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int ACCUMULATORS = 12;
  /** Lane-steps per accumulator per call: 1024 steps of 16 lanes, or 2048 of 8 on a 256-bit machine. */
  static final int LANE_STEPS = 1024 * 16;
  static final int STEPS = LANE_STEPS / S.length();
  static final int FLOPS = LANE_STEPS * ACCUMULATORS * 2;

  private final float m = 0.5f;
  private final float a = 0.5f;

  @Benchmark
  @OperationsPerInvocation(FLOPS)
  public float vectorFma() {
    FloatVector mm = FloatVector.broadcast(S, m);
    FloatVector aa = FloatVector.broadcast(S, a);
    FloatVector x0 = FloatVector.broadcast(S, 1.00f);
    FloatVector x1 = FloatVector.broadcast(S, 1.01f);
    FloatVector x2 = FloatVector.broadcast(S, 1.02f);
    FloatVector x3 = FloatVector.broadcast(S, 1.03f);
    FloatVector x4 = FloatVector.broadcast(S, 1.04f);
    FloatVector x5 = FloatVector.broadcast(S, 1.05f);
    FloatVector x6 = FloatVector.broadcast(S, 1.06f);
    FloatVector x7 = FloatVector.broadcast(S, 1.07f);
    FloatVector x8 = FloatVector.broadcast(S, 1.08f);
    FloatVector x9 = FloatVector.broadcast(S, 1.09f);
    FloatVector x10 = FloatVector.broadcast(S, 1.10f);
    FloatVector x11 = FloatVector.broadcast(S, 1.11f);
    for (int s = 0; s < STEPS; s++) {
      x0 = x0.fma(mm, aa);
      x1 = x1.fma(mm, aa);
      x2 = x2.fma(mm, aa);
      x3 = x3.fma(mm, aa);
      x4 = x4.fma(mm, aa);
      x5 = x5.fma(mm, aa);
      x6 = x6.fma(mm, aa);
      x7 = x7.fma(mm, aa);
      x8 = x8.fma(mm, aa);
      x9 = x9.fma(mm, aa);
      x10 = x10.fma(mm, aa);
      x11 = x11.fma(mm, aa);
    }
    FloatVector sum = x0.add(x1).add(x2).add(x3).add(x4).add(x5).add(x6).add(x7).add(x8).add(x9).add(x10).add(x11);
    return sum.reduceLanes(VectorOperators.ADD);
  }
}
