package dev.bannerranker.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one core of this machine can do in float multiply-adds, from plain Java: the ceiling the scorer's GFLOP/s is
 * compared with. The score is in operations per nanosecond where one operation is one floating-point operation
 * (an FMA counts 2), so it reads directly as GFLOP/s.
 *
 * <p>{@link #javaFma} runs {@link #CHAIN} dependent {@code Math.fma} per element over an array that fits in L1
 * ({@link #LENGTH} floats = 8 KiB): C2 vectorises the loop and unrolls it, so many independent vector chains are in
 * flight and the loads and stores (one each per {@link #CHAIN} FMAs) do not limit it. {@link PeakFmaVectorBenchmark}
 * is the same with register-resident {@code FloatVector} accumulators (needs {@code jdk.incubator.vector}); the
 * report takes the larger of the two as the peak.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
@Threads(1)
public class PeakFmaBenchmark {
  static final int LENGTH = 2048;
  static final int CHAIN = 8;
  static final int FLOPS = LENGTH * CHAIN * 2;

  private final float[] acc = new float[LENGTH];
  private float m;
  private float a;

  @Setup
  public void setUp() {
    for (int i = 0; i < LENGTH; i++) {
      acc[i] = 1f + i * 1e-4f;
    }
    // x -> x * m + a has the fixed point a / (1 - m) = 1: the values stay normal and bounded forever.
    m = 0.5f;
    a = 0.5f;
  }

  @Benchmark
  @OperationsPerInvocation(FLOPS)
  public float[] javaFma() {
    float[] x = acc;
    float mm = m;
    float aa = a;
    for (int i = 0; i < x.length; i++) {
      float v = x[i];
      v = Math.fma(v, mm, aa);
      v = Math.fma(v, mm, aa);
      v = Math.fma(v, mm, aa);
      v = Math.fma(v, mm, aa);
      v = Math.fma(v, mm, aa);
      v = Math.fma(v, mm, aa);
      v = Math.fma(v, mm, aa);
      v = Math.fma(v, mm, aa);
      x[i] = v;
    }
    return x;
  }
}
