package dev.bannerranker.trainer.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The project's acceptance thresholds for an evaluation, kept out of the user's report: tests and release checks ask
 * them of an {@link EvaluationReport}; a user reads the figures and intervals themselves.
 */
public final class GoalCheck {
  /** The model's AUC within this much of the oracle's (generated worlds only). */
  public static final double ORACLE_AUC_GAP = 0.01;
  /** The largest acceptable expected calibration error. */
  public static final double MAX_ECE = 0.01;

  public static final String NEAR_ORACLE = "auc_within_0.01_of_oracle";
  public static final String CALIBRATED = "ece_at_most_0.01";
  public static final String AHEAD = "ahead_of_every_baseline";
  public static final String SIGNIFICANTLY_AHEAD = "significantly_ahead_of_every_baseline";

  private GoalCheck() {}

  /**
   * Each goal and whether the report meets it. Ahead compares point estimates; significantly ahead also asks for every
   * baseline's 95 % interval of the paired AUC difference to lie above zero, since the point estimates can lead by less
   * than one test day's sampling noise.
   */
  public static Map<String, Boolean> of(EvaluationReport r) {
    Map<String, Boolean> g = new LinkedHashMap<>();
    if (r.oracleAuc() != null) {
      g.put(NEAR_ORACLE, r.auc() >= r.oracleAuc() - ORACLE_AUC_GAP);
    }
    g.put(CALIBRATED, r.ece() <= MAX_ECE);
    boolean ahead = r.baselines().values().stream().allMatch(b -> r.auc() > b.auc());
    g.put(AHEAD, ahead);
    g.put(SIGNIFICANTLY_AHEAD, ahead && r.baselines().values().stream()
        .allMatch(b -> b.aucDifference() != null && b.aucDifference().significant()));
    return g;
  }
}
