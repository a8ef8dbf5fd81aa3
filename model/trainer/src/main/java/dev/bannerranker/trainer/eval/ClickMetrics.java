package dev.bannerranker.trainer.eval;

import java.util.Arrays;

/**
 * Offline metrics for a click model, one array entry per impression.
 *
 * <p>Inputs can be a million rows, so every ordering is done by sorting packed primitive
 * {@code long} keys (score bits in the high word, row index in the low word) instead of boxed
 * indices with a comparator: a few MB and tens of milliseconds, and ties always break by original
 * row index, which keeps every result deterministic.
 */
public final class ClickMetrics {
  /** Probabilities are clipped to [EPS, 1 - EPS] in {@link #logLoss}. */
  public static final double EPS = 1e-7;

  private ClickMetrics() {}

  /** ROC curve from (0,0) to (1,1); one point per distinct score threshold, possibly downsampled. */
  public record RocCurve(float[] fpr, float[] tpr) {
    public RocCurve {
      if (fpr.length != tpr.length) {
        throw new IllegalArgumentException("fpr has " + fpr.length + " points but tpr " + tpr.length);
      }
    }
  }

  /**
   * Reliability diagram: one entry per non-empty bin, ordered by mean prediction.
   *
   * @param meanPredicted mean predicted click probability in the bin
   * @param observedRate fraction of the bin's impressions that were clicked
   * @param count impressions in the bin
   */
  public record CalibrationCurve(double[] meanPredicted, double[] observedRate, long[] count) {
    public CalibrationCurve {
      if (meanPredicted.length != observedRate.length || meanPredicted.length != count.length) {
        throw new IllegalArgumentException("calibration arrays differ in length: "
            + meanPredicted.length + ", " + observedRate.length + ", " + count.length);
      }
    }

    /** Number of bins. */
    public int bins() {
      return count.length;
    }

    /** Count-weighted mean of |mean predicted − observed rate| over the bins (the ECE). */
    public double expectedCalibrationError() {
      double sum = 0;
      long total = 0;
      for (int b = 0; b < count.length; b++) {
        sum += count[b] * Math.abs(meanPredicted[b] - observedRate[b]);
        total += count[b];
      }
      return total == 0 ? 0 : sum / total;
    }
  }

  /**
   * ROC AUC, i.e. the Mann-Whitney probability that a random clicked impression scores above a
   * random unclicked one, counting tied pairs as one half (the average-rank treatment of ties).
   *
   * @throws IllegalArgumentException on mismatched lengths, NaN scores, or if only one class is
   *     present
   */
  public static double auc(float[] scores, boolean[] clicked) {
    checkLengths("scores", scores.length, clicked.length);
    requireBothClasses(clicked);
    // Unit weights: every sum stays a whole or half number far below 2^53, so the double arithmetic is exact.
    return weightedAuc(sortKeys(scores, false), clicked, null, null);
  }

  /**
   * AUC(a) − AUC(b) on the same impressions, with a 95 % percentile interval.
   *
   * @param estimate the difference on the impressions as they are
   * @param low 2.5th percentile of the resampled differences
   * @param high 97.5th percentile
   * @param resamples number of bootstrap resamples
   */
  public record AucDifference(double estimate, double low, double high, int resamples) {}

  /**
   * AUC(a) − AUC(b), with an interval from a paired bootstrap over clusters (users): each resample weights every
   * cluster by an independent Poisson(1) count, so a user's correlated impressions stay together, and both scores see
   * the same resample, so the interval is that of the difference itself. Each score is sorted once; a resample costs
   * one weighted pass per score. Deterministic for a seed.
   *
   * @param clusters cluster id per impression, in {@code [0, max]}
   * @throws IllegalArgumentException on mismatched lengths, NaN scores, negative cluster ids, or one class only
   */
  public static AucDifference aucDifference(float[] a, float[] b, boolean[] clicked, int[] clusters, int resamples,
      long seed) {
    checkLengths("a", a.length, clicked.length);
    checkLengths("b", b.length, clicked.length);
    checkLengths("clusters", clusters.length, clicked.length);
    if (resamples < 2) {
      throw new IllegalArgumentException("resamples must be at least 2, got " + resamples);
    }
    requireBothClasses(clicked);
    int maxCluster = -1;
    for (int c : clusters) {
      if (c < 0) {
        throw new IllegalArgumentException("cluster ids must not be negative, got " + c);
      }
      maxCluster = Math.max(maxCluster, c);
    }
    long[] keysA = sortKeys(a, false);
    long[] keysB = sortKeys(b, false);
    double[] weight = new double[maxCluster + 1];
    java.util.Arrays.fill(weight, 1.0);
    double estimate = weightedAuc(keysA, clicked, clusters, weight) - weightedAuc(keysB, clicked, clusters, weight);
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    double[] diffs = new double[resamples];
    int done = 0;
    while (done < resamples) {
      for (int c = 0; c < weight.length; c++) {
        weight[c] = poissonOne(rng);
      }
      double da = weightedAuc(keysA, clicked, clusters, weight);
      if (Double.isNaN(da)) {
        continue; // a resample without one of the classes: draw again
      }
      diffs[done++] = da - weightedAuc(keysB, clicked, clusters, weight);
    }
    java.util.Arrays.sort(diffs);
    return new AucDifference(estimate, percentile(diffs, 0.025), percentile(diffs, 0.975), resamples);
  }

  /**
   * Σa/Σn − Σb/Σn over clusters (such as sessions), with a 95 % percentile interval from the same paired Poisson(1)
   * bootstrap over clusters as {@link #aucDifference}: for a rate per judged event, such as a hit rate, where cluster c
   * has {@code a[c]} and {@code b[c]} successes of the two methods out of {@code n[c]} events. Deterministic for a seed.
   */
  public static AucDifference rateDifference(double[] a, double[] b, double[] n, int resamples, long seed) {
    checkLengths("a", a.length, n.length);
    checkLengths("b", b.length, n.length);
    if (resamples < 2) {
      throw new IllegalArgumentException("resamples must be at least 2, got " + resamples);
    }
    double[] weight = new double[n.length];
    java.util.Arrays.fill(weight, 1.0);
    double estimate = weightedRateDifference(a, b, n, weight);
    if (Double.isNaN(estimate)) {
      throw new IllegalArgumentException("no events to compare");
    }
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    double[] diffs = new double[resamples];
    int done = 0;
    while (done < resamples) {
      for (int c = 0; c < weight.length; c++) {
        weight[c] = poissonOne(rng);
      }
      double d = weightedRateDifference(a, b, n, weight);
      if (!Double.isNaN(d)) {
        diffs[done++] = d; // a resample without events is drawn again
      }
    }
    java.util.Arrays.sort(diffs);
    return new AucDifference(estimate, percentile(diffs, 0.025), percentile(diffs, 0.975), resamples);
  }

  private static double weightedRateDifference(double[] a, double[] b, double[] n, double[] weight) {
    double sa = 0;
    double sb = 0;
    double sn = 0;
    for (int c = 0; c < n.length; c++) {
      sa += weight[c] * a[c];
      sb += weight[c] * b[c];
      sn += weight[c] * n[c];
    }
    return sn == 0 ? Double.NaN : (sa - sb) / sn;
  }

  /**
   * Mann-Whitney AUC over score-sorted keys with a weight per impression's cluster (all 1 when {@code clusters} is
   * null), ties counted as one half; NaN with a class missing.
   */
  private static double weightedAuc(long[] keys, boolean[] clicked, int[] clusters, double[] weight) {
    double u = 0;
    double negBelow = 0;
    double posTotal = 0;
    for (int i = 0, n = keys.length; i < n; ) {
      int bits = scoreBits(keys[i]);
      double pos = 0;
      double neg = 0;
      for (; i < n && scoreBits(keys[i]) == bits; i++) {
        int r = row(keys[i]);
        double w = clusters == null ? 1 : weight[clusters[r]];
        if (clicked[r]) pos += w;
        else neg += w;
      }
      u += pos * negBelow + 0.5 * pos * neg;
      negBelow += neg;
      posTotal += pos;
    }
    return posTotal == 0 || negBelow == 0 ? Double.NaN : u / (posTotal * negBelow);
  }

  /** A Poisson(1) draw by inversion. */
  private static int poissonOne(java.util.SplittableRandom rng) {
    double u = rng.nextDouble();
    double p = Math.exp(-1);
    double cdf = p;
    int k = 0;
    while (u > cdf && k < 20) {
      k++;
      p /= k;
      cdf += p;
    }
    return k;
  }

  /** Linear interpolation between the order statistics of sorted values. */
  private static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * Mean binary cross-entropy (natural log), with probabilities clipped to [1e-7, 1 − 1e-7] so a
   * single confident mistake costs about 16 rather than infinity.
   *
   * @throws IllegalArgumentException on mismatched lengths, empty input or a NaN probability
   */
  public static double logLoss(float[] p, boolean[] clicked) {
    checkLengths("p", p.length, clicked.length);
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      if (Float.isNaN(p[i])) throw new IllegalArgumentException("p[" + i + "] is NaN");
      double q = Math.min(Math.max(p[i], EPS), 1 - EPS);
      sum -= clicked[i] ? Math.log(q) : Math.log1p(-q);
    }
    return sum / p.length;
  }

  /**
   * Expected calibration error: the count-weighted mean |mean p − click rate| over {@code bins}
   * <em>equal-mass</em> (quantile) bins. Equal-width bins are useless for CTRs of a few percent
   * because nearly every prediction would land in the first bin. See {@link #calibration} for how
   * bins are formed. With finite data the ECE of a perfectly calibrated model is not 0 but of the
   * order of the per-bin sampling noise, sqrt(rate / (n / bins)).
   *
   * @throws IllegalArgumentException on mismatched lengths, empty input, NaN or {@code bins < 1}
   */
  public static double expectedCalibrationError(float[] p, boolean[] clicked, int bins) {
    return calibration(p, clicked, bins).expectedCalibrationError();
  }

  /**
   * Reliability curve over equal-mass bins: rows are sorted by prediction and cut into {@code
   * bins} runs of about n/bins rows each. A run of identical predictions is never split across
   * bins (its members are indistinguishable, so splitting them would only add noise), so heavily
   * tied predictions yield fewer, larger bins; a constant predictor yields one bin.
   *
   * @throws IllegalArgumentException on mismatched lengths, empty input, NaN or {@code bins < 1}
   */
  public static CalibrationCurve calibration(float[] p, boolean[] clicked, int bins) {
    checkLengths("p", p.length, clicked.length);
    if (bins < 1) throw new IllegalArgumentException("bins must be >= 1 but was " + bins);
    long[] keys = sortKeys(p, false);
    int n = keys.length;
    int b = Math.min(bins, n);
    double[] meanP = new double[b];
    double[] rate = new double[b];
    long[] count = new long[b];
    int m = 0;
    int start = 0;
    for (int bin = 1; bin <= b && start < n; bin++) {
      int end = (int) ((long) n * bin / b);
      if (end <= start) continue; // the previous bin swallowed this one through a tie run
      while (end < n && scoreBits(keys[end]) == scoreBits(keys[end - 1])) end++;
      double sumP = 0;
      long clicks = 0;
      for (int j = start; j < end; j++) {
        int r = row(keys[j]);
        sumP += p[r];
        if (clicked[r]) clicks++;
      }
      meanP[m] = sumP / (end - start);
      rate[m] = (double) clicks / (end - start);
      count[m] = end - start;
      m++;
      start = end;
    }
    return new CalibrationCurve(
        Arrays.copyOf(meanP, m), Arrays.copyOf(rate, m), Arrays.copyOf(count, m));
  }

  /**
   * NDCG@k with binary gains (clicked = 1), computed per group (user) and averaged over the
   * groups that have at least one click. Within a group rows are ranked by descending score, ties
   * broken by ascending original index. DCG uses the discount 1/log2(rank + 1), rank from 1.
   *
   * @throws IllegalArgumentException on mismatched lengths, NaN scores, {@code k < 1} or when no
   *     group has a click
   */
  public static double ndcgAtK(int[] groupIds, float[] scores, boolean[] clicked, int k) {
    checkLengths("scores", scores.length, clicked.length);
    if (groupIds.length != scores.length) {
      throw new IllegalArgumentException("length mismatch: groupIds has " + groupIds.length
          + " rows but scores has " + scores.length);
    }
    if (k < 1) throw new IllegalArgumentException("k must be >= 1 but was " + k);
    int n = scores.length;

    // Dense group number per row, and where each group's slice starts in the grouped order.
    long[] byGroup = new long[n];
    for (int i = 0; i < n; i++) byGroup[i] = ((long) groupIds[i] << 32) | i;
    Arrays.sort(byGroup);
    int[] groupOf = new int[n];
    int[] start = new int[n + 1];
    int groups = 0;
    for (int j = 0; j < n; j++) {
      if (j == 0 || (int) (byGroup[j] >> 32) != (int) (byGroup[j - 1] >> 32)) start[groups++] = j;
      groupOf[row(byGroup[j])] = groups - 1;
    }
    start[groups] = n;
    byGroup = null; // let the GC have it before the second sort

    // Stable bucket sort of the globally ranked rows into their groups keeps the ranking per group.
    int[] next = Arrays.copyOf(start, groups);
    int[] ranked = new int[n];
    for (long key : sortKeys(scores, true)) {
      int r = row(key);
      ranked[next[groupOf[r]]++] = r;
    }

    int depth = Math.min(k, n);
    double[] cumDiscount = new double[depth + 1]; // cumDiscount[c] = ideal DCG with c clicks
    for (int r = 0; r < depth; r++) cumDiscount[r + 1] = cumDiscount[r] + 1 / log2(r + 2);
    double sum = 0;
    int counted = 0;
    for (int g = 0; g < groups; g++) {
      int clicks = 0;
      double dcg = 0;
      for (int j = start[g]; j < start[g + 1]; j++) {
        if (!clicked[ranked[j]]) continue;
        clicks++;
        int rank = j - start[g];
        if (rank < depth) dcg += cumDiscount[rank + 1] - cumDiscount[rank];
      }
      if (clicks == 0) continue;
      sum += dcg / cumDiscount[Math.min(clicks, depth)];
      counted++;
    }
    if (counted == 0) throw new IllegalArgumentException("no group has a click; NDCG@k is undefined");
    return sum / counted;
  }

  /**
   * ROC curve with one point per distinct score threshold (plus the origin), downsampled evenly
   * over thresholds to at most {@code maxPoints} points; the end points (0,0) and (1,1) are kept.
   *
   * @throws IllegalArgumentException on mismatched lengths, NaN scores, a single class or {@code
   *     maxPoints < 2}
   */
  public static RocCurve roc(float[] scores, boolean[] clicked, int maxPoints) {
    checkLengths("scores", scores.length, clicked.length);
    if (maxPoints < 2) throw new IllegalArgumentException("maxPoints must be >= 2 but was " + maxPoints);
    long nPos = requireBothClasses(clicked);
    long nNeg = clicked.length - nPos;
    long[] keys = sortKeys(scores, true);
    int n = keys.length;
    float[] fpr = new float[n + 1];
    float[] tpr = new float[n + 1];
    int m = 1;
    long tp = 0;
    long fp = 0;
    for (int i = 0; i < n; ) {
      int bits = scoreBits(keys[i]);
      for (; i < n && scoreBits(keys[i]) == bits; i++) {
        if (clicked[row(keys[i])]) tp++;
        else fp++;
      }
      fpr[m] = (float) ((double) fp / nNeg);
      tpr[m] = (float) ((double) tp / nPos);
      m++;
    }
    if (m <= maxPoints) return new RocCurve(Arrays.copyOf(fpr, m), Arrays.copyOf(tpr, m));
    float[] dfpr = new float[maxPoints];
    float[] dtpr = new float[maxPoints];
    for (int j = 0; j < maxPoints; j++) {
      int src = (int) Math.round((double) j * (m - 1) / (maxPoints - 1));
      dfpr[j] = fpr[src];
      dtpr[j] = tpr[src];
    }
    return new RocCurve(dfpr, dtpr);
  }

  /**
   * Sorts rows by score, packed as (order-preserving score bits, row index) so that a plain
   * primitive sort orders by score and then by ascending row index.
   */
  private static long[] sortKeys(float[] scores, boolean descending) {
    long[] keys = new long[scores.length];
    for (int i = 0; i < scores.length; i++) {
      float s = scores[i];
      if (Float.isNaN(s)) throw new IllegalArgumentException("score at index " + i + " is NaN");
      int bits = Float.floatToIntBits(s == 0f ? 0f : s); // fold -0.0 into 0.0 so they tie
      bits ^= (bits >> 31) & 0x7fffffff; // negative floats: reverse magnitude so int order = float order
      if (descending) bits = ~bits; // ~ is strictly decreasing and cannot overflow
      keys[i] = ((long) bits << 32) | i;
    }
    Arrays.sort(keys);
    return keys;
  }

  private static int row(long key) {
    return (int) key;
  }

  private static int scoreBits(long key) {
    return (int) (key >> 32);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  private static void checkLengths(String what, int n, int clickedLength) {
    if (n != clickedLength) {
      throw new IllegalArgumentException(
          "length mismatch: " + what + " has " + n + " rows but clicked has " + clickedLength);
    }
    if (n == 0) throw new IllegalArgumentException("no rows: " + what + " is empty");
  }

  /** Returns the number of positives. */
  private static long requireBothClasses(boolean[] clicked) {
    long pos = 0;
    for (boolean c : clicked) if (c) pos++;
    if (pos == 0 || pos == clicked.length) {
      throw new IllegalArgumentException("only one class present: " + pos + " clicked of "
          + clicked.length + " rows; AUC/ROC need both clicked and unclicked rows");
    }
    return pos;
  }
}
