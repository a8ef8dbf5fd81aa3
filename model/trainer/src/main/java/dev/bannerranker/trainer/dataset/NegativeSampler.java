package dev.bannerranker.trainer.dataset;

import java.util.SplittableRandom;

/**
 * Negative downsampling: every click and a seeded share of the non-clicks. Only the training rows are sampled, so
 * validation and test measure the true click distribution; the scorer corrects the predictions back to it
 * ({@code NegativeSampling} in the runtime).
 */
public final class NegativeSampler {
  private NegativeSampler() {}

  /** The rows of {@code rows} kept at {@code rate}, in their order; {@code rows} itself when {@code rate == 1}. */
  public static int[] sample(int[] rows, boolean[] clicked, double rate, long seed) {
    return sample(rows, r -> clicked[r], rate, seed);
  }

  /**
   * As above with the labels looked up by row, so rows held on disk (row shards, where a row is its position in the
   * log) are sampled exactly as the same rows held in memory.
   */
  public static int[] sample(int[] rows, java.util.function.IntPredicate clicked, double rate, long seed) {
    if (rate >= 1.0) {
      return rows;
    }
    SplittableRandom rng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    int[] kept = new int[rows.length];
    int n = 0;
    for (int r : rows) {
      // One draw per row whatever its label, so the kept non-clicks do not depend on where the clicks fall.
      boolean keep = rng.nextDouble() < rate;
      if (clicked.test(r) || keep) {
        kept[n++] = r;
      }
    }
    return java.util.Arrays.copyOf(kept, n);
  }
}
