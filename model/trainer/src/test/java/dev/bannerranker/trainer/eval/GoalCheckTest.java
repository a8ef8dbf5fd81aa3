package dev.bannerranker.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GoalCheckTest {
  private static EvaluationReport withBaselines(Map<String, EvaluationReport.Baseline> baselines, Double oracle) {
    return new EvaluationReport("m", 100, 5, 0.75, 0.2, 0.005, 0.4, oracle, oracle == null ? null : 0.19, null,
        baselines, null, null, 1);
  }

  private static EvaluationReport.Baseline baseline(double auc, double low) {
    return new EvaluationReport.Baseline(auc, 0.2, new EvaluationReport.AucDifference(0.75 - auc, low, 0.05, 100,
        "user"), "b");
  }

  @Test
  void aheadIsThePointEstimateSignificantlyAheadAlsoTheInterval() {
    var g = GoalCheck.of(withBaselines(Map.of("a", baseline(0.70, 0.01), "b", baseline(0.74, -0.001)), 0.755));
    assertTrue(g.get(GoalCheck.AHEAD));
    assertFalse(g.get(GoalCheck.SIGNIFICANTLY_AHEAD), "b's interval reaches below zero");
    assertTrue(g.get(GoalCheck.NEAR_ORACLE));
    assertTrue(g.get(GoalCheck.CALIBRATED));

    g = GoalCheck.of(withBaselines(Map.of("a", baseline(0.70, 0.01), "b", baseline(0.76, 0.001)), null));
    assertFalse(g.get(GoalCheck.AHEAD), "b's AUC is higher");
    assertFalse(g.get(GoalCheck.SIGNIFICANTLY_AHEAD));
    assertFalse(g.containsKey(GoalCheck.NEAR_ORACLE), "no oracle, no oracle goal");

    g = GoalCheck.of(withBaselines(Map.of("a", baseline(0.70, 0.01)), 0.80));
    assertEquals(true, g.get(GoalCheck.SIGNIFICANTLY_AHEAD));
    assertFalse(g.get(GoalCheck.NEAR_ORACLE), "0.05 below the oracle");
  }
}
