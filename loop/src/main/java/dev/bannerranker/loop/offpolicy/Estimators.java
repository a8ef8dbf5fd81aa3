package dev.bannerranker.loop.offpolicy;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Off-policy estimators of a target policy's click-through from logged requests. Request i has the importance weight
 * {@code w[i] = 1[target's choice == logged choice] / propensity of the logged choice}, the logged reward
 * {@code r[i]} (0 or 1), and the direct model's click probability of the target's choice {@code q[i]} and of the
 * logged choice {@code qLogged[i]}:
 * <pre>
 * IPS   = mean(w r)
 * SNIPS = sum(w r) / sum(w)
 * DR    = mean(q + w (r - qLogged))
 * ESS   = (sum w)^2 / sum(w^2)
 * </pre>
 * Each comes with a 95 % percentile interval from a bootstrap over requests.
 */
public final class Estimators {
  private Estimators() {}

  /** A point estimate, its 95 % bootstrap interval and the effective sample size of its weights. */
  public record Estimate(double value, double ciLow, double ciHigh, double ess) {}

  /** All four: the three estimators and the logging policy's own observed click-through. */
  public record Estimates(Estimate ips, Estimate snips, Estimate dr, Estimate observed, int requests) {}

  public static Estimates estimate(double[] w, double[] r, double[] q, double[] qLogged, int bootstrap, long seed) {
    int n = w.length;
    if (r.length != n || q.length != n || qLogged.length != n) {
      throw new IllegalArgumentException("arrays of different lengths");
    }
    if (bootstrap < 1) {
      throw new IllegalArgumentException("--bootstrap must be at least 1");
    }
    double ess = ess(w, null);
    if (n == 0) {
      Estimate none = new Estimate(Double.NaN, Double.NaN, Double.NaN, 0);
      return new Estimates(none, none, none, none, 0);
    }
    double[][] samples = new double[4][bootstrap];
    SplittableRandom rng = new SplittableRandom(seed);
    int[] counts = new int[n];
    for (int b = 0; b < bootstrap; b++) {
      Arrays.fill(counts, 0);
      for (int k = 0; k < n; k++) {
        counts[rng.nextInt(n)]++;
      }
      double[] s = sums(w, r, q, qLogged, counts);
      samples[0][b] = s[0] / n;
      samples[1][b] = s[2] == 0 ? 0 : s[0] / s[2];
      samples[2][b] = s[1] / n;
      samples[3][b] = s[3] / n;
    }
    double[] s = sums(w, r, q, qLogged, null);
    return new Estimates(
        interval(s[0] / n, samples[0], ess),
        interval(s[2] == 0 ? 0 : s[0] / s[2], samples[1], ess),
        interval(s[1] / n, samples[2], ess),
        interval(s[3] / n, samples[3], n),
        n);
  }

  /** {sum w r, sum (q + w (r - qLogged)), sum w, sum r}, each request counted counts[i] times (or once). */
  private static double[] sums(double[] w, double[] r, double[] q, double[] qLogged, int[] counts) {
    double wr = 0;
    double dr = 0;
    double ws = 0;
    double rs = 0;
    for (int i = 0; i < w.length; i++) {
      int c = counts == null ? 1 : counts[i];
      if (c == 0) {
        continue;
      }
      wr += c * w[i] * r[i];
      dr += c * (q[i] + w[i] * (r[i] - qLogged[i]));
      ws += c * w[i];
      rs += c * r[i];
    }
    return new double[] {wr, dr, ws, rs};
  }

  /** (sum w)^2 / sum w^2; 0 when every weight is 0. */
  static double ess(double[] w, int[] counts) {
    double s = 0;
    double s2 = 0;
    for (int i = 0; i < w.length; i++) {
      int c = counts == null ? 1 : counts[i];
      s += c * w[i];
      s2 += c * w[i] * w[i];
    }
    return s2 == 0 ? 0 : s * s / s2;
  }

  private static Estimate interval(double value, double[] samples, double ess) {
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    return new Estimate(value, quantile(sorted, 0.025), quantile(sorted, 0.975), ess);
  }

  /** Linear interpolation between order statistics. */
  static double quantile(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
