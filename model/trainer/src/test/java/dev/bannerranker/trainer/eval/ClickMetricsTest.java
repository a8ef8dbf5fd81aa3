package dev.bannerranker.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.trainer.eval.ClickMetrics.CalibrationCurve;
import dev.bannerranker.trainer.eval.ClickMetrics.RocCurve;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClickMetricsTest {

  /** Rows of {@code users} users with {@code perUser} impressions each; labels at a 20 % rate. */
  private record Rows(float[] better, float[] worse, boolean[] clicked, int[] user) {}

  private static Rows rows(int users, int perUser, long seed) {
    Random r = new Random(seed);
    int n = users * perUser;
    Rows x = new Rows(new float[n], new float[n], new boolean[n], new int[n]);
    for (int i = 0; i < n; i++) {
      x.user()[i] = i / perUser;
      x.clicked()[i] = r.nextDouble() < 0.2;
      double signal = x.clicked()[i] ? 1 : 0;
      x.better()[i] = (float) (signal + 1.2 * r.nextGaussian());
      x.worse()[i] = (float) (signal + 2.0 * r.nextGaussian());
    }
    return x;
  }

  @Test
  void aucDifferenceEstimateIsThePlainDifference() {
    Rows x = rows(300, 5, 1);
    var d = ClickMetrics.aucDifference(x.better(), x.worse(), x.clicked(), x.user(), 200, 7);
    assertEquals(ClickMetrics.auc(x.better(), x.clicked()) - ClickMetrics.auc(x.worse(), x.clicked()), d.estimate(), 1e-12);
    assertTrue(d.low() <= d.estimate() && d.estimate() <= d.high(), d.toString());
    assertEquals(d, ClickMetrics.aucDifference(x.better(), x.worse(), x.clicked(), x.user(), 200, 7), "same seed");
  }

  @Test
  void aClearlyBetterScoreIsSignificantlyAheadAndTheSameScoreIsNot() {
    Rows x = rows(1000, 4, 2);
    var ahead = ClickMetrics.aucDifference(x.better(), x.worse(), x.clicked(), x.user(), 300, 7);
    assertTrue(ahead.low() > 0, "the whole interval above zero: " + ahead);
    var same = ClickMetrics.aucDifference(x.worse(), x.worse(), x.clicked(), x.user(), 300, 7);
    assertEquals(0, same.low(), 0);
    assertEquals(0, same.high(), 0);
    var behind = ClickMetrics.aucDifference(x.worse(), x.better(), x.clicked(), x.user(), 300, 7);
    assertTrue(behind.high() < 0, behind.toString());
  }

  /**
   * A user's impressions are resampled together: when every user's rows are ten copies of one row, the interval is
   * as wide as with the single rows (about √10 wider than if the copies were counted as independent).
   */
  @Test
  void theBootstrapResamplesUsersNotImpressions() {
    Rows one = rows(2000, 1, 3);
    int copies = 10;
    int n = one.clicked().length * copies;
    float[] a = new float[n];
    float[] b = new float[n];
    boolean[] y = new boolean[n];
    int[] user = new int[n];
    int[] eachRow = new int[n];
    for (int i = 0; i < n; i++) {
      int src = i / copies;
      a[i] = one.better()[src];
      b[i] = one.worse()[src];
      y[i] = one.clicked()[src];
      user[i] = src;
      eachRow[i] = i;
    }
    var single = ClickMetrics.aucDifference(one.better(), one.worse(), one.clicked(), one.user(), 400, 11);
    var byUser = ClickMetrics.aucDifference(a, b, y, user, 400, 11);
    var byRow = ClickMetrics.aucDifference(a, b, y, eachRow, 400, 11);
    double wSingle = single.high() - single.low();
    double wUser = byUser.high() - byUser.low();
    double wRow = byRow.high() - byRow.low();
    assertEquals(wSingle, wUser, 0.25 * wSingle, "clustered width " + wUser + " vs single rows " + wSingle);
    assertTrue(wRow < 0.5 * wUser, "rows as clusters " + wRow + " vs users " + wUser);
  }

  @Test
  void aucDifferenceRejectsBadInput() {
    Rows x = rows(10, 3, 4);
    assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.aucDifference(x.better(), new float[3], x.clicked(), x.user(), 10, 1));
    int[] negative = x.user().clone();
    negative[0] = -1;
    var e = assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.aucDifference(x.better(), x.worse(), x.clicked(), negative, 10, 1));
    assertTrue(e.getMessage().contains("cluster"), e.getMessage());
  }

  /** O(n^2) definition: P(score_pos > score_neg) + 0.5 P(tie). */
  private static double bruteForceAuc(float[] s, boolean[] y) {
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < s.length; i++) {
      if (!y[i]) continue;
      for (int j = 0; j < s.length; j++) {
        if (y[j]) continue;
        pairs++;
        if (s[i] > s[j]) wins += 1;
        else if (s[i] == s[j]) wins += 0.5;
      }
    }
    return wins / pairs;
  }

  @Test
  void aucMatchesPairwiseCountWithTies() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 20; trial++) {
      int n = 50 + rnd.nextInt(1500);
      float[] s = new float[n];
      boolean[] y = new boolean[n];
      for (int i = 0; i < n; i++) {
        y[i] = rnd.nextDouble() < 0.1 + 0.3 * (trial % 3) / 2.0;
        // Few distinct values (including negatives and -0.0) force many ties across classes.
        s[i] = (rnd.nextInt(21) - 10) / 10f + (y[i] ? 0.15f * rnd.nextInt(3) : 0f);
        if (s[i] == 0f && rnd.nextBoolean()) s[i] = -0f;
      }
      y[0] = true;
      y[1] = false;
      assertEquals(bruteForceAuc(s, y), ClickMetrics.auc(s, y), 1e-12, "trial " + trial);
    }
  }

  @Test
  void aucPerfectInvertedAndAllTied() {
    float[] s = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
    assertEquals(1.0, ClickMetrics.auc(s, new boolean[] {false, false, false, true, true}));
    assertEquals(0.0, ClickMetrics.auc(s, new boolean[] {true, true, false, false, false}));
    assertEquals(0.5, ClickMetrics.auc(new float[5], new boolean[] {true, false, true, false, false}));
  }

  @Test
  void aucRejectsBadInput() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.auc(new float[3], new boolean[2]));
    assertTrue(e.getMessage().contains("length mismatch"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.auc(new float[3], new boolean[3]));
    assertTrue(e.getMessage().contains("one class"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.auc(new float[] {1, 2}, new boolean[] {true, true}));
    assertTrue(e.getMessage().contains("one class"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.auc(new float[] {Float.NaN, 1}, new boolean[] {true, false}));
  }

  @Test
  void logLossHandComputed() {
    // -(ln 0.9 + ln(1 - 0.2)) / 2
    assertEquals((0.10536051565782628 + 0.2231435513142097) / 2,
        ClickMetrics.logLoss(new float[] {0.9f, 0.2f}, new boolean[] {true, false}), 1e-7);
    assertEquals(Math.log(2), ClickMetrics.logLoss(new float[] {0.5f}, new boolean[] {false}), 1e-12);
    // Clipped at 1e-7: -ln(1e-7) = 16.118..., finite for a certain mistake either way.
    assertEquals(-Math.log(1e-7), ClickMetrics.logLoss(new float[] {0f}, new boolean[] {true}), 1e-6);
    assertEquals(-Math.log(1e-7), ClickMetrics.logLoss(new float[] {1f}, new boolean[] {false}), 1e-6);
    assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.logLoss(new float[2], new boolean[1]));
    assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.logLoss(new float[0], new boolean[0]));
  }

  @Test
  void eceNearZeroWhenCalibratedAndLargeWhenNot() {
    Random rnd = new Random(7);
    int n = 1_000_000;
    float[] p = new float[n];
    float[] doubled = new float[n];
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      p[i] = 0.01f + 0.09f * rnd.nextFloat(); // CTRs of 1-10%
      y[i] = rnd.nextFloat() < p[i];
      doubled[i] = 2 * p[i];
    }
    // Per-bin sampling noise is ~sqrt(0.05 / 1e5) = 0.0007.
    assertEquals(0, ClickMetrics.expectedCalibrationError(p, y, 10), 0.002);
    assertEquals(0.055, ClickMetrics.expectedCalibrationError(doubled, y, 10), 0.003);
    CalibrationCurve cal = ClickMetrics.calibration(p, y, 10);
    assertEquals(10, cal.bins());
    long total = 0;
    for (int b = 0; b < cal.bins(); b++) {
      total += cal.count()[b];
      assertEquals(n / 10, cal.count()[b]);
      if (b > 0) assertTrue(cal.meanPredicted()[b] > cal.meanPredicted()[b - 1]);
    }
    assertEquals(n, total);
  }

  @Test
  void calibrationKeepsTiesInOneBin() {
    boolean[] y = {true, false, false, false, true, false};
    CalibrationCurve constant = ClickMetrics.calibration(new float[6], y, 3);
    assertEquals(1, constant.bins());
    assertEquals(6, constant.count()[0]);
    float[] p = {0.1f, 0.1f, 0.1f, 0.1f, 0.5f, 0.9f};
    CalibrationCurve cal = ClickMetrics.calibration(p, y, 3);
    assertEquals(2, cal.bins()); // the run of 0.1 swallows the second bin
    assertEquals(4, cal.count()[0]);
    assertEquals(0.1, cal.meanPredicted()[0], 1e-6);
    assertEquals(0.25, cal.observedRate()[0], 1e-12);
    assertEquals(2, cal.count()[1]);
    assertEquals(0.7, cal.meanPredicted()[1], 1e-6);
    assertEquals(0.5, cal.observedRate()[1], 1e-12);
    // ECE = (4 |0.1 - 0.25| + 2 |0.7 - 0.5|) / 6 = 1/6
    assertEquals(1.0 / 6, ClickMetrics.expectedCalibrationError(p, y, 3), 1e-6);
  }

  @Test
  void ndcgHandWorkedTwoUsers() {
    // User 7: ranked 0.9(no) 0.8(click) 0.7(no) 0.6(click); k = 3
    //   DCG = 1/log2(3), IDCG = 1 + 1/log2(3), NDCG = 0.386853
    // User 3: ranked 0.5(click) 0.1(no) -> 1.0
    // User 9: no clicks -> excluded from the mean.
    // Rows of different users are interleaved to exercise the grouping.
    int[] g = {7, 3, 9, 7, 7, 3, 9, 7};
    float[] s = {0.7f, 0.1f, 0.3f, 0.9f, 0.6f, 0.5f, 0.8f, 0.8f};
    boolean[] y = {false, false, false, false, true, true, false, true};
    double inv = 1 / (Math.log(3) / Math.log(2));
    double user7 = inv / (1 + inv);
    assertEquals(0.386853, user7, 1e-6);
    assertEquals((user7 + 1.0) / 2, ClickMetrics.ndcgAtK(g, s, y, 3), 1e-12);
    // k = 1: user 7's top row is unclicked -> 0, user 3 -> 1.
    assertEquals(0.5, ClickMetrics.ndcgAtK(g, s, y, 1), 1e-12);
    // k larger than any group: user 7 = (1/log2 3 + 1/log2 5) / (1 + 1/log2 3).
    double full7 = (inv + Math.log(2) / Math.log(5)) / (1 + inv);
    assertEquals((full7 + 1.0) / 2, ClickMetrics.ndcgAtK(g, s, y, 100), 1e-12);
  }

  @Test
  void ndcgBreaksTiesByOriginalIndex() {
    int[] g = {1, 1};
    float[] s = {0.5f, 0.5f};
    assertEquals(0.0, ClickMetrics.ndcgAtK(g, s, new boolean[] {false, true}, 1));
    assertEquals(1.0, ClickMetrics.ndcgAtK(g, s, new boolean[] {true, false}, 1));
    assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.ndcgAtK(g, s, new boolean[] {false, false}, 1));
    assertThrows(IllegalArgumentException.class,
        () -> ClickMetrics.ndcgAtK(new int[1], s, new boolean[2], 1));
  }

  @Test
  void rocEndpointsMonotoneDownsampledAndAreaMatchesAuc() {
    Random rnd = new Random(3);
    int n = 20_000;
    float[] s = new float[n];
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      y[i] = rnd.nextFloat() < 0.05f;
      s[i] = (float) (rnd.nextGaussian() + (y[i] ? 1 : 0));
    }
    RocCurve full = ClickMetrics.roc(s, y, Integer.MAX_VALUE);
    RocCurve small = ClickMetrics.roc(s, y, 200);
    assertEquals(200, small.fpr().length);
    for (RocCurve c : new RocCurve[] {full, small}) {
      int m = c.fpr().length;
      assertEquals(0f, c.fpr()[0]);
      assertEquals(0f, c.tpr()[0]);
      assertEquals(1f, c.fpr()[m - 1]);
      assertEquals(1f, c.tpr()[m - 1]);
      for (int i = 1; i < m; i++) {
        assertTrue(c.fpr()[i] >= c.fpr()[i - 1] && c.tpr()[i] >= c.tpr()[i - 1]);
      }
    }
    assertEquals(ClickMetrics.auc(s, y), trapezoid(full), 1e-5);
    assertEquals(ClickMetrics.auc(s, y), trapezoid(small), 2e-3);
  }

  private static double trapezoid(RocCurve c) {
    double a = 0;
    for (int i = 1; i < c.fpr().length; i++) {
      a += (c.fpr()[i] - c.fpr()[i - 1]) * (c.tpr()[i] + c.tpr()[i - 1]) / 2.0;
    }
    return a;
  }
}
