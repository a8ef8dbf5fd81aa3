package dev.bannerranker.loop.offpolicy;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The per-position estimates on a synthetic log that follows the position-based click model: a click at position k
 * has probability theta_k x relevance(context, banner). The logging policy draws the top banner by a softmax and puts
 * the others below in a fixed order; the target is the oracle order. The target's true CTR at k is known.
 */
class PositionEstimatorsTest {
  static final int CONTEXTS = 20;
  static final int ARMS = 6;
  static final int SHOWN = 3;
  static final double[] THETA = {1.0, 0.6, 0.35};
  static final double MODEL_SCALE = 0.7; // the direct model is off by a constant factor

  record World(double[][] relevance, double[][] logging, int[][] target, double[] truth) {
    static World of(long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[][] rel = new double[CONTEXTS][ARMS];
      double[][] pi = new double[CONTEXTS][ARMS];
      int[][] target = new int[CONTEXTS][];
      double[] truth = new double[SHOWN];
      for (int x = 0; x < CONTEXTS; x++) {
        double sum = 0;
        for (int a = 0; a < ARMS; a++) {
          rel[x][a] = 0.02 + 0.2 * r.nextDouble();
          pi[x][a] = Math.exp(1.5 * r.nextDouble());
          sum += pi[x][a];
        }
        for (int a = 0; a < ARMS; a++) {
          pi[x][a] /= sum;
        }
        double[] rx = rel[x];
        target[x] = java.util.stream.IntStream.range(0, ARMS).boxed()
            .sorted((a, b) -> Double.compare(rx[b], rx[a])).mapToInt(Integer::intValue).toArray();
        for (int k = 0; k < SHOWN; k++) {
          truth[k] += THETA[k] * rel[x][target[x][k]] / CONTEXTS;
        }
      }
      return new World(rel, pi, target, truth);
    }

    /** n logged requests as the replay hands them over: {r, qLogged} and the positions. */
    Object[] log(int n, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[][][] a = new double[6][SHOWN][n];
      double[] reward = new double[n];
      double[] qLogged = new double[n];
      for (int i = 0; i < n; i++) {
        int x = r.nextInt(CONTEXTS);
        int top = EstimatorsTest.draw(logging[x], r.nextDouble());
        int[] list = new int[SHOWN];
        list[0] = top;
        for (int k = 1, arm = 0; k < SHOWN; arm++) { // below the top: the others in index order
          if (arm != top) {
            list[k++] = arm;
          }
        }
        for (int k = 0; k < SHOWN; k++) {
          double click = r.nextDouble() < THETA[k] * relevance[x][list[k]] ? 1 : 0;
          a[0][k][i] = 1;
          a[1][k][i] = click;
          a[2][k][i] = click;
          a[3][k][i] = MODEL_SCALE * relevance[x][list[k]];
          a[4][k][i] = target[x][k] == top ? 1 / logging[x][top] : 0;
          a[5][k][i] = MODEL_SCALE * relevance[x][target[x][k]];
        }
        reward[i] = a[1][0][i];
        qLogged[i] = MODEL_SCALE * relevance[x][top];
      }
      return new Object[] {reward, qLogged,
          new OffPolicyEvaluation.Positions(a[0], a[1], a[2], a[3], a[4], a[5])};
    }
  }

  @Test
  void eachPositionsIntervalsCoverTheTargetsTrueClickThroughAndTheExamination() {
    World world = World.of(5);
    int seeds = 20;
    int[][] covered = new int[SHOWN][3]; // SNIPS, DR, examination
    double[] meanSnips = new double[SHOWN];
    for (int seed = 0; seed < seeds; seed++) {
      Object[] log = world.log(20_000, 200 + seed);
      double[] r = (double[]) log[0];
      double[] qLogged = (double[]) log[1];
      OffPolicyEvaluation.Positions p = (OffPolicyEvaluation.Positions) log[2];
      List<Estimators.PositionEstimate> est = Estimators.positions(p, r, qLogged, 200, seed);
      assertEquals(SHOWN, est.size());
      // position 1 is the top-slot estimate itself
      Estimators.Estimates top = Estimators.estimate(p.w()[0], r, p.q()[0], qLogged, 200, seed);
      assertEquals(top.snips().value(), est.get(0).snips().value(), 1e-12);
      assertEquals(top.dr().value(), est.get(0).dr().value(), 1e-12);
      assertEquals(1.0, est.get(0).examination().value());
      for (int k = 0; k < SHOWN; k++) {
        Estimators.PositionEstimate e = est.get(k);
        double truth = world.truth()[k];
        covered[k][0] += e.snips().ciLow() <= truth && truth <= e.snips().ciHigh() ? 1 : 0;
        covered[k][1] += e.dr().ciLow() <= truth && truth <= e.dr().ciHigh() ? 1 : 0;
        covered[k][2] += e.examination().ciLow() <= THETA[k] && THETA[k] <= e.examination().ciHigh() ? 1 : 0;
        meanSnips[k] += e.snips().value() / seeds;
        assertEquals(20_000, e.requests());
      }
    }
    for (int k = 0; k < SHOWN; k++) {
      String at = "position " + (k + 1) + ": ";
      // 95 % intervals: 16 or more of 20 unless the estimator is off (a 1 in 300 chance)
      assertTrue(covered[k][0] >= 16, at + "SNIPS covered the truth in " + covered[k][0] + " of " + seeds);
      assertTrue(covered[k][1] >= 16, at + "DR covered the truth in " + covered[k][1] + " of " + seeds);
      assertTrue(covered[k][2] >= 16, at + "the examination interval covered theta in " + covered[k][2]);
      assertEquals(world.truth()[k], meanSnips[k], 0.05 * world.truth()[k], at + "near the truth on average");
    }
    // the fixture's positions differ by more than the intervals' width, so a position-blind estimate would miss
    assertTrue(world.truth()[2] < 0.7 * world.truth()[0]);
  }

  @Test
  void aPositionShownInNoRequestHasNoEstimateRatherThanZero() {
    double[][] one = {{1, 1}, {0, 0}};
    double[][] clicks = {{1, 0}, {0, 0}};
    double[][] expected = {{0.5, 0.5}, {0, 0}};
    double[][] w = {{2, 0}, {0, 0}};
    OffPolicyEvaluation.Positions p = new OffPolicyEvaluation.Positions(one, clicks, clicks, expected, w, expected);
    List<Estimators.PositionEstimate> est =
        Estimators.positions(p, new double[] {1, 0}, new double[] {0.5, 0.5}, 20, 1);
    assertEquals(1.0, est.get(0).ips().value(), 1e-12); // (2 + 0) / 2
    assertEquals(0, est.get(1).requests());
    assertTrue(Double.isNaN(est.get(1).snips().value()));
    assertTrue(Double.isNaN(est.get(1).examination().value()));
  }
}
