package dev.bannerranker.trainer.generate;

import java.util.SplittableRandom;

/**
 * Deterministic random helpers. Everything uses {@link SplittableRandom} or a SplitMix64 hash of a seed and
 * integer keys, and {@link StrictMath}, so the same seed gives the same numbers on every JVM.
 */
final class Rand {
  private Rand() {}

  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final double TWO_PI = 2 * Math.PI;
  private static final double UNIT = 0x1.0p-53;
  /** Above this mean a Poisson draw uses the rounded normal approximation. */
  private static final double POISSON_NORMAL_ABOVE = 60;

  /** SplitMix64 finaliser (Stafford variant 13). */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A seed derived from {@code base} and one key. */
  static long derive(long base, long key) {
    return mix64(base + GOLDEN_GAMMA * (key + 1));
  }

  /** A seed derived from {@code base} and two keys. */
  static long derive(long base, long key1, long key2) {
    return derive(derive(base, key1), key2);
  }

  /** A fresh stream for one (concern, key1, key2). */
  static SplittableRandom stream(long base, long key1, long key2) {
    return new SplittableRandom(derive(base, key1, key2));
  }

  /** Uniform in the open interval (0, 1) from 53 bits of {@code bits}. */
  static double openUnit(long bits) {
    return ((bits >>> 11) + 0.5) * UNIT;
  }

  /** Standard normal (Box-Muller, one value per call). */
  static double gaussian(SplittableRandom r) {
    double u1 = openUnit(r.nextLong());
    double u2 = r.nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(TWO_PI * u2);
  }

  /** Standard normal that is a pure function of {@code hash}. */
  static double hashGaussian(long hash) {
    double u1 = openUnit(hash);
    double u2 = openUnit(mix64(hash ^ GOLDEN_GAMMA));
    return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(TWO_PI * u2);
  }

  /** Poisson draw (Knuth; rounded normal approximation for large means). */
  static int poisson(SplittableRandom r, double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > POISSON_NORMAL_ABOVE) {
      return (int) Math.max(0, StrictMath.round(mean + StrictMath.sqrt(mean) * gaussian(r)));
    }
    double limit = StrictMath.exp(-mean);
    int k = 0;
    double p = r.nextDouble();
    while (p > limit) {
      k++;
      p *= r.nextDouble();
    }
    return k;
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  static int between(SplittableRandom r, int lo, int hi) {
    return lo + r.nextInt(hi - lo + 1);
  }

  /** Index drawn with probability proportional to {@code weights[i]} (linear scan). */
  static int categorical(SplittableRandom r, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = r.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /**
   * Index drawn from running sums {@code cumulative[0..n)} (cumulative[n-1] is the total): the first i with
   * cumulative[i] > u * total.
   */
  static int fromCumulative(SplittableRandom r, double[] cumulative, int n) {
    double x = r.nextDouble() * cumulative[n - 1];
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  static double sigmoid(double x) {
    return 1.0 / (1.0 + StrictMath.exp(-x));
  }
}
