package dev.bannerranker.research;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The logging policies OffPolicySpread redraws with: the service's softmax, optionally mixed with a uniform share. */
class OffPolicySpreadTest {
  /** Log scores relative to the best: scores 1, 0.5, 0.25 and 0.1. */
  private static final double[] LOG_SCORES = {0, Math.log(0.5), Math.log(0.25), Math.log(0.1)};

  @Test
  void withoutAFloorItIsTheServiceSoftmaxOfScoresToThePowerOneOverT() {
    double t = 0.25;
    double[] pi = OffPolicySpread.loggingPolicy(LOG_SCORES, t, 0);
    double z = 0;
    for (double s : LOG_SCORES) {
      z += Math.pow(Math.exp(s), 1 / t);
    }
    for (int c = 0; c < pi.length; c++) {
      assertEquals(Math.pow(Math.exp(LOG_SCORES[c]), 1 / t) / z, pi[c], 1e-12, "banner " + c);
    }
  }

  @Test
  void aFloorMixesInAUniformShareAndKeepsAProbabilityDistribution() {
    double f = 0.2;
    double[] soft = OffPolicySpread.loggingPolicy(LOG_SCORES, 0.5, 0);
    double[] pi = OffPolicySpread.loggingPolicy(LOG_SCORES, 0.5, f);
    double sum = 0;
    for (int c = 0; c < pi.length; c++) {
      assertEquals((1 - f) * soft[c] + f / pi.length, pi[c], 1e-12, "banner " + c);
      assertTrue(pi[c] >= f / pi.length, "every banner keeps at least its uniform share");
      sum += pi[c];
    }
    assertEquals(1, sum, 1e-12);
  }

  @Test
  void aHigherTemperatureGivesTheWorstBannerMoreProbability() {
    double cold = OffPolicySpread.loggingPolicy(LOG_SCORES, 0.25, 0)[3];
    double warm = OffPolicySpread.loggingPolicy(LOG_SCORES, 0.5, 0)[3];
    assertTrue(warm > 10 * cold, "0.1^2 against 0.1^4, relative to the best");
  }
}
