package dev.bannerranker.serving.ranking;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.serving.ranking.Ordering.Scored;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Arrays a Rank needs only while it runs, kept per thread and grown as needed, so a Rank does not allocate them anew:
 * on one CPU the young collections are what the tail latency waits for. Nothing here outlives the call that fills
 * it: {@link #release} empties the references, so a model swapped out is not kept by an idle thread.
 */
final class RankScratch {
  private static final ThreadLocal<RankScratch> BY_THREAD = ThreadLocal.withInitial(RankScratch::new);

  private BannerFeatures[] banners = new BannerFeatures[0];
  private float[][] parts = new float[0][];
  private float[] ctr = new float[0];
  private float[] cvr = new float[0];
  private final ArrayList<Scored> sorted = new ArrayList<>();
  private final ArrayList<Scored> left = new ArrayList<>();
  private final ArrayList<Scored> pool = new ArrayList<>();
  private int[] allowed = new int[0];
  private double[] weights = new double[0];
  /** Banner indices already seen among a request's candidates; clear between uses. */
  final BitSet seen = new BitSet();

  static RankScratch get() {
    return BY_THREAD.get();
  }

  BannerFeatures[] banners(int n) {
    if (banners.length < n) {
      banners = new BannerFeatures[grown(banners.length, n)];
    }
    return banners;
  }

  float[][] parts(int n) {
    if (parts.length < n) {
      parts = new float[grown(parts.length, n)][];
    }
    return parts;
  }

  float[] ctr(int n) {
    if (ctr.length < n) {
      ctr = new float[grown(ctr.length, n)];
    }
    return ctr;
  }

  float[] cvr(int n) {
    if (cvr.length < n) {
      cvr = new float[grown(cvr.length, n)];
    }
    return cvr;
  }

  /** Ordering's copy of the ranked banners, to sort. */
  List<Scored> sorted(List<Scored> ranked) {
    sorted.clear();
    sorted.addAll(ranked);
    return sorted;
  }

  /** Ordering's copy of the sorted banners that the stochastic positions draw from. */
  List<Scored> left(List<Scored> from) {
    left.clear();
    left.addAll(from);
    return left;
  }

  /** Ordering's exploration pool, empty. */
  List<Scored> pool() {
    pool.clear();
    return pool;
  }

  int[] allowed(int n) {
    if (allowed.length < n) {
      allowed = new int[grown(allowed.length, n)];
    }
    return allowed;
  }

  /** Entries beyond what the caller writes may hold an earlier call's values. */
  double[] weights(int n) {
    if (weights.length < n) {
      weights = new double[grown(weights.length, n)];
    }
    return weights;
  }

  /** Empties Ordering's lists (their references). */
  void releaseLists() {
    sorted.clear();
    left.clear();
    pool.clear();
  }

  /** Drops the references of the first {@code n} entries. */
  void release(int n) {
    Arrays.fill(banners, 0, Math.min(n, banners.length), null);
    Arrays.fill(parts, 0, Math.min(n, parts.length), null);
  }

  private static int grown(int length, int n) {
    return Math.max(n, length + (length >> 1));
  }
}
