package dev.bannerranker.loop.offpolicy;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EstimatorsTest {
  static final int CONTEXTS = 20;
  static final int ARMS = 5;

  /** A synthetic world: true CTRs per (context, arm), a softmax logging policy and a deterministic target. */
  record Synthetic(double[][] ctr, double[][] logging, int[] target, double truth, double loggingCtr) {
    static Synthetic of(long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[][] ctr = new double[CONTEXTS][ARMS];
      double[][] pi = new double[CONTEXTS][ARMS];
      int[] target = new int[CONTEXTS];
      double truth = 0;
      double loggingCtr = 0;
      for (int x = 0; x < CONTEXTS; x++) {
        double sum = 0;
        for (int a = 0; a < ARMS; a++) {
          ctr[x][a] = 0.01 + 0.15 * r.nextDouble();
          pi[x][a] = Math.exp(1.5 * r.nextDouble());
          sum += pi[x][a];
        }
        int best = 0;
        for (int a = 0; a < ARMS; a++) {
          pi[x][a] /= sum;
          if (ctr[x][a] > ctr[x][best]) {
            best = a;
          }
          loggingCtr += pi[x][a] * ctr[x][a] / CONTEXTS;
        }
        target[x] = best; // the oracle: clearly better than the logging policy
        truth += ctr[x][best] / CONTEXTS;
      }
      return new Synthetic(ctr, pi, target, truth, loggingCtr);
    }

    /** n logged requests; the direct model is the truth plus a fixed bias, so DR has something to correct. */
    double[][] log(int n, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[] w = new double[n];
      double[] reward = new double[n];
      double[] q = new double[n];
      double[] qLogged = new double[n];
      for (int i = 0; i < n; i++) {
        int x = r.nextInt(CONTEXTS);
        int a = draw(logging[x], r.nextDouble());
        reward[i] = r.nextDouble() < ctr[x][a] ? 1 : 0;
        w[i] = a == target[x] ? 1 / logging[x][a] : 0;
        q[i] = ctr[x][target[x]] * 0.7;
        qLogged[i] = ctr[x][a] * 0.7;
      }
      return new double[][] {w, reward, q, qLogged};
    }
  }

  /** The arm a uniform draw u picks from the distribution pi. */
  static int draw(double[] pi, double u) {
    int a = 0;
    double c = pi[0];
    while (u > c && a < pi.length - 1) {
      c += pi[++a];
    }
    return a;
  }

  @Test
  void ipsSnipsAndDrCoverTheTrueValueOverSeeds() {
    int covered = 0;
    int coveredDr = 0;
    int seeds = 10;
    double meanIps = 0;
    Synthetic s = Synthetic.of(3);
    for (int seed = 0; seed < seeds; seed++) {
      double[][] log = s.log(20_000, 100 + seed);
      Estimators.Estimates e = Estimators.estimate(log[0], log[1], log[2], log[3], 400, seed);
      if (e.ips().ciLow() <= s.truth() && s.truth() <= e.ips().ciHigh()
          && e.snips().ciLow() <= s.truth() && s.truth() <= e.snips().ciHigh()) {
        covered++;
      }
      if (e.dr().ciLow() <= s.truth() && s.truth() <= e.dr().ciHigh()) {
        coveredDr++;
      }
      meanIps += e.ips().value() / seeds;
      // the estimate is of the target, not of the logging policy: its interval leaves the logging CTR out
      assertTrue(e.ips().ciLow() > s.loggingCtr(), "seed " + seed);
      assertEquals(s.loggingCtr(), e.observed().value(), 0.01, "the observed CTR is the logging policy's");
    }
    assertTrue(covered >= 8, "IPS and SNIPS intervals covered the truth in " + covered + " of " + seeds);
    assertTrue(coveredDr >= 8, "DR intervals covered the truth in " + coveredDr + " of " + seeds);
    assertEquals(s.truth(), meanIps, 0.01, "unbiased: the mean over seeds is near the truth");
  }

  @Test
  void smallHandExample() {
    double[] w = {2, 0, 2, 0};
    double[] r = {1, 1, 0, 0};
    double[] q = {0.5, 0.5, 0.5, 0.5};
    double[] qLogged = {0.5, 0.1, 0.5, 0.1};
    Estimators.Estimates e = Estimators.estimate(w, r, q, qLogged, 50, 1);
    assertEquals(0.5, e.ips().value(), 1e-12); // (2 + 0 + 0 + 0) / 4
    assertEquals(0.5, e.snips().value(), 1e-12); // 2 / 4
    assertEquals(0.5, e.dr().value(), 1e-12); // (0.5+1 + 0.5 + 0.5-1 + 0.5) / 4
    assertEquals(2.0, e.ips().ess(), 1e-12); // 16 / 8
    assertEquals(0.5, e.observed().value(), 1e-12);
    assertTrue(e.ips().ciLow() <= e.ips().value() && e.ips().value() <= e.ips().ciHigh());
  }

  @Test
  void noRequestsGiveNoEstimateRatherThanZero() {
    Estimators.Estimates e = Estimators.estimate(new double[0], new double[0], new double[0], new double[0], 10, 1);
    assertTrue(Double.isNaN(e.ips().value()));
    assertEquals(0, e.requests());
  }

  @Test
  void theParetoShapeOfTheLargestWeightsTellsAHeavyTailFromALightOne() {
    SplittableRandom r = new SplittableRandom(17);
    int n = 50_000;
    double[] heavy = new double[n]; // survival x^(-1/0.9): a Pareto tail of shape 0.9
    double[] light = new double[n]; // bounded weights, as a logging policy with a propensity floor gives
    for (int i = 0; i < n; i++) {
      heavy[i] = i % 4 == 0 ? Math.pow(1 - r.nextDouble(), -0.9) : 0; // most requests disagree: weight 0
      light[i] = 1 / (0.2 + 0.8 * r.nextDouble());
    }
    assertEquals(0.9, Estimators.paretoK(heavy), 0.15);
    assertTrue(Estimators.paretoK(light) < 0.3, "light: " + Estimators.paretoK(light));
    assertTrue(Double.isNaN(Estimators.paretoK(new double[] {0, 2, 0, 3})), "too few weights to fit");
  }
}
