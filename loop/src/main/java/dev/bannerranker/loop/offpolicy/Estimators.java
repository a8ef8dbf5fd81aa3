package dev.bannerranker.loop.offpolicy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
      resample(counts, rng);
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

  /** One bootstrap resample of the requests: how many times each is drawn. */
  private static void resample(int[] counts, SplittableRandom rng) {
    Arrays.fill(counts, 0);
    for (int k = 0; k < counts.length; k++) {
      counts[rng.nextInt(counts.length)]++;
    }
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

  /**
   * The shape k of a generalised Pareto distribution fitted to the largest weights, as Pareto-smoothed importance
   * sampling diagnoses importance weights (Vehtari et al.; the fit of Zhang and Stephens 2009 with its weak prior):
   * the tail is the {@code min(n / 5, 3 sqrt(n))} largest of the n weights, above the next one. Above 0.5 the weights'
   * variance is infinite, so a bootstrap over requests (or any interval from the sample's spread) understates an
   * estimate's spread; above 0.7 even the estimate itself is unreliable. NaN with fewer than 10 weights in the tail.
   */
  public static double paretoK(double[] w) {
    double[] sorted = Arrays.stream(w).filter(x -> x > 0).sorted().toArray();
    int tail = (int) Math.ceil(Math.min(0.2 * w.length, 3 * Math.sqrt(w.length)));
    tail = Math.min(tail, sorted.length - 1);
    if (tail < 10) {
      return Double.NaN;
    }
    double cutoff = sorted[sorted.length - tail - 1];
    double[] x = new double[tail];
    for (int i = 0; i < tail; i++) {
      x[i] = sorted[sorted.length - tail + i] - cutoff;
    }
    if (x[tail - 1] <= 0) {
      return Double.NaN; // a flat tail: nothing to fit
    }
    int n = x.length;
    int m = 30 + (int) Math.sqrt(n);
    double[] b = new double[m];
    double[] logLik = new double[m];
    double quartile = x[Math.max(0, (int) (n / 4.0 + 0.5) - 1)];
    for (int j = 0; j < m; j++) {
      b[j] = (1 - Math.sqrt(m / (j + 0.5))) / (3 * (quartile > 0 ? quartile : x[n - 1])) + 1 / x[n - 1];
      double k = meanLog1p(-b[j], x);
      logLik[j] = n * (Math.log(-b[j] / k) - k - 1);
    }
    double bPost = 0;
    double total = 0;
    for (int j = 0; j < m; j++) {
      double sum = 0;
      for (int i = 0; i < m; i++) {
        sum += Math.exp(logLik[i] - logLik[j]);
      }
      double weight = 1 / sum;
      if (weight >= 1e-14 && Double.isFinite(weight)) {
        bPost += b[j] * weight;
        total += weight;
      }
    }
    bPost /= total;
    double k = meanLog1p(-bPost, x);
    return (n * k + 10 * 0.5) / (n + 10); // the weak prior towards 0.5
  }

  private static double meanLog1p(double c, double[] x) {
    double s = 0;
    for (double v : x) {
      s += Math.log1p(c * v);
    }
    return s / x.length;
  }

  /** The percentile interval of the finite samples (a resample can leave a ratio undefined); NaN without any. */
  private static Estimate interval(double value, double[] samples, double ess) {
    double[] sorted = Arrays.stream(samples).filter(Double::isFinite).sorted().toArray();
    if (sorted.length == 0) {
      return new Estimate(value, Double.NaN, Double.NaN, ess);
    }
    return new Estimate(value, quantile(sorted, 0.025), quantile(sorted, 0.975), ess);
  }

  /** Linear interpolation between order statistics. */
  static double quantile(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** One position's estimates; {@code examination} is the ratio theta_k / theta_1 (exactly 1 at position 1). */
  public record PositionEstimate(int position, Estimate examination, Estimate ips, Estimate snips, Estimate dr,
      Estimate observed, long requests) {}

  /**
   * The click-through of each position under the position-based click model: a click at position k has probability
   * {@code theta_k x relevance(context, banner)}. Position k of the target then has CTR {@code theta_k / theta_1}
   * times the top-slot CTR of the policy that puts the target's k-th banner first, which the top slot's logged
   * propensities estimate (IPS, SNIPS, DR as {@link #estimate}), over the requests that showed position k. The
   * examination ratio is estimated from the log as observed over expected clicks at k, divided by the same at
   * position 1, with the bundle's predicted CTR at one fixed slot as the expectation (so a bias of the model by a
   * constant factor cancels). Intervals: one bootstrap over requests for all positions and both factors.
   */
  public static List<PositionEstimate> positions(OffPolicyEvaluation.Positions p, double[] r, double[] qLogged,
      int bootstrap, long seed) {
    int n = r.length;
    int positions = p.count();
    List<PositionEstimate> out = new ArrayList<>();
    if (n == 0) {
      return out;
    }
    double[][][] samples = new double[positions][5][bootstrap];
    SplittableRandom rng = new SplittableRandom(seed);
    int[] counts = new int[n];
    for (int b = 0; b < bootstrap; b++) {
      resample(counts, rng);
      for (int k = 0; k < positions; k++) {
        double[] v = positionValues(p, r, qLogged, k, counts);
        for (int a = 0; a < 5; a++) {
          samples[k][a][b] = v[a];
        }
      }
    }
    for (int k = 0; k < positions; k++) {
      double[] v = positionValues(p, r, qLogged, k, null);
      double ess = ess(p.w()[k], null);
      long shown = 0;
      for (double s : p.shown()[k]) {
        shown += (long) s;
      }
      out.add(new PositionEstimate(k + 1, interval(v[0], samples[k][0], Double.NaN),
          interval(v[1], samples[k][1], ess), interval(v[2], samples[k][2], ess), interval(v[3], samples[k][3], ess),
          interval(v[4], samples[k][4], shown), shown));
    }
    return out;
  }

  /** {examination, IPS, SNIPS, DR, observed} of position k (0-based), requests counted counts[i] times (or once). */
  private static double[] positionValues(OffPolicyEvaluation.Positions p, double[] r, double[] qLogged, int k,
      int[] counts) {
    double top = 0; // observed / expected clicks at position 1 and at k
    double topExpected = 0;
    double atK = 0;
    double atKExpected = 0;
    double shown = 0;
    double clicks = 0;
    double wr = 0;
    double ws = 0;
    double dr = 0;
    double[] shownK = p.shown()[k];
    double[] w = p.w()[k];
    double[] q = p.q()[k];
    for (int i = 0; i < r.length; i++) {
      int c = counts == null ? 1 : counts[i];
      if (c == 0) {
        continue;
      }
      top += c * p.knownClick()[0][i];
      topExpected += c * p.expected()[0][i];
      if (shownK[i] == 0) {
        continue;
      }
      atK += c * p.knownClick()[k][i];
      atKExpected += c * p.expected()[k][i];
      shown += c;
      clicks += c * p.click()[k][i];
      wr += c * w[i] * r[i];
      ws += c * w[i];
      dr += c * (q[i] + w[i] * (r[i] - qLogged[i]));
    }
    double exam = k == 0 ? 1 : top == 0 || atKExpected == 0 ? Double.NaN : (atK / atKExpected) / (top / topExpected);
    if (shown == 0) {
      return new double[] {exam, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    }
    return new double[] {exam, exam * wr / shown, ws == 0 ? 0 : exam * wr / ws, exam * dr / shown, clicks / shown};
  }
}
