package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.eval.ClickMetrics;
import dev.bannerranker.trainer.eval.EvaluationReport;
import dev.bannerranker.trainer.eval.EvaluationReport.ConversionScores;
import dev.bannerranker.trainer.widedeep.RowEncoder;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import dev.bannerranker.trainer.widedeep.WideDeepNetwork;
import dev.bannerranker.trainer.widedeep.WideDeepTrainer;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code evaluate}'s conversion section for a click-and-conversion bundle: its conversion figures on the test days,
 * the oracle's from the true probabilities, and two baselines on the same rows: a conversion model trained on the
 * clicked impressions alone (the sample-selection-biased way the joint model avoids), and popularity.
 */
final class ConversionEvaluation {
  private ConversionEvaluation() {}

  /** Pseudo-clicks that shrink a banner's training conversion rate toward the global one (popularity baseline). */
  static final double POPULARITY_PRIOR_CLICKS = 20;
  /** The clicked-only baseline's epoch budget grows with how much smaller its training set is, up to this. */
  static final int CLICKED_ONLY_MAX_EPOCHS = 200;

  /**
   * The section, or null when the test days have no conversion or only conversions (no AUC is defined).
   *
   * @param pCtr the model's click probability of each test row
   * @param users each test row's user, for the paired bootstrap
   */
  static EvaluationReport.Conversion run(ScoringModel model, WideDeepConfig settings, RowEncoder rows,
      ImpressionDataset ds, BannerFeatures[] byIndex, int[] test, int[] users, float[] pCtr, boolean progress,
      PrintStream out, PrintStream err) {
    boolean[] y = new boolean[test.length];
    int conversions = 0;
    int clicks = 0;
    for (int i = 0; i < test.length; i++) {
      y[i] = ds.clicked[test[i]] && ds.converted[test[i]];
      conversions += y[i] ? 1 : 0;
      clicks += ds.clicked[test[i]] ? 1 : 0;
    }
    if (conversions == 0 || conversions == clicks) {
      err.println("warning: the test days have " + conversions + " conversions of " + clicks
          + " clicks; no conversion figures");
      return null;
    }
    Clicked c = clicked(ds, test, users, y);
    float[] cvr = QuickMetrics.predictConversion(model, rows, test);
    ConversionScores modelScores = scores(pCtr, cvr, y, c, null, null, null);

    ConversionScores oracle = null;
    boolean truth = true;
    for (int r : test) {
      truth &= !Float.isNaN(ds.trueCtr[r]) && !Float.isNaN(ds.trueCvr[r]);
    }
    if (truth) {
      float[] trueCtr = new float[test.length];
      float[] trueCvr = new float[test.length];
      for (int i = 0; i < test.length; i++) {
        trueCtr[i] = ds.trueCtr[test[i]];
        trueCvr[i] = ds.trueCvr[test[i]];
      }
      oracle = scores(trueCtr, trueCvr, y, c, null, null, null);
    }

    Map<String, ConversionScores> baselines = new LinkedHashMap<>();
    long start = System.nanoTime();
    ClickedOnly b = clickedOnly(model, settings, ds, byIndex, test, progress);
    baselines.put("clicked_only", scores(pCtr, b.cvr(), y, c, cvr, pCtcvr(pCtr, cvr), users,
        "the same wide & deep network trained on the clicked training impressions alone (label: converted); its "
            + "pCVR times the model's pCTR"));
    out.printf("baseline clicked_only: %d clicked training rows, best after %.2f of %.2f epochs, trained in %.1f s%n",
        b.trainRows(), b.fit().bestEpoch(), b.fit().epochsTrained(), (System.nanoTime() - start) / 1e9);
    baselines.put("popularity", scores(popularityCtr(model.encoder(), ds, byIndex, test),
        popularityCvr(ds, byIndex, test), y, c, cvr, pCtcvr(pCtr, cvr), users,
        "banner CTR times banner conversion rate per click of the training days, each shrunk toward the global rate"));
    return new EvaluationReport.Conversion(conversions, modelScores, oracle, baselines);
  }

  /** The clicked test rows: their positions in {@code test}, labels and users. */
  private record Clicked(int[] at, boolean[] y, int[] users) {}

  private static Clicked clicked(ImpressionDataset ds, int[] test, int[] users, boolean[] y) {
    int n = 0;
    for (int r : test) {
      n += ds.clicked[r] ? 1 : 0;
    }
    int[] at = new int[n];
    boolean[] cy = new boolean[n];
    int[] cu = new int[n];
    int k = 0;
    for (int i = 0; i < test.length; i++) {
      if (ds.clicked[test[i]]) {
        at[k] = i;
        cy[k] = y[i];
        cu[k] = users[i];
        k++;
      }
    }
    return new Clicked(at, cy, cu);
  }

  static float[] pCtcvr(float[] ctr, float[] cvr) {
    float[] p = new float[ctr.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = ctr[i] * cvr[i];
    }
    return p;
  }

  static float[] pick(float[] p, int[] at) {
    float[] out = new float[at.length];
    for (int i = 0; i < at.length; i++) {
      out[i] = p[at[i]];
    }
    return out;
  }

  /**
   * A scorer's figures from its click probability {@code ctr} and conversion probability of a click {@code cvr} on
   * every test row; with {@code modelCvr} and {@code modelCtcvr} (a baseline) also the model's AUC leads over it.
   */
  private static ConversionScores scores(float[] ctr, float[] cvr, boolean[] y, Clicked c, float[] modelCvr,
      float[] modelCtcvr, int[] users, String description) {
    float[] ctcvr = pCtcvr(ctr, cvr);
    float[] clickedCvr = pick(cvr, c.at());
    EvaluationReport.AucDifference lead = null;
    EvaluationReport.AucDifference cvrLead = null;
    if (modelCvr != null) {
      lead = EvaluationPipeline.aucLead(modelCtcvr, ctcvr, y, users);
      cvrLead = EvaluationPipeline.aucLead(pick(modelCvr, c.at()), clickedCvr, c.y(), c.users());
    }
    return new ConversionScores(ClickMetrics.auc(ctcvr, y), ClickMetrics.logLoss(ctcvr, y),
        ClickMetrics.expectedCalibrationError(ctcvr, y, EvaluationPipeline.ECE_BINS), ClickMetrics.auc(clickedCvr, c.y()),
        ClickMetrics.logLoss(clickedCvr, c.y()),
        ClickMetrics.expectedCalibrationError(clickedCvr, c.y(), EvaluationPipeline.ECE_BINS), lead, cvrLead,
        description);
  }

  private static ConversionScores scores(float[] ctr, float[] cvr, boolean[] y, Clicked c, float[] modelCvr,
      float[] modelCtcvr, int[] users) {
    return scores(ctr, cvr, y, c, modelCvr, modelCtcvr, users, null);
  }

  private record ClickedOnly(float[] cvr, WideDeepTrainer.Result fit, int trainRows) {}

  /**
   * The bundle's network (click model form, its settings) trained on the clicked training and validation rows with
   * the conversions as labels. Its rows are a click-rate share of the model's, so its epoch budget and patience are
   * scaled up by their ratio (at most {@value #CLICKED_ONLY_MAX_EPOCHS} epochs): the same number of steps at most,
   * early stopping deciding.
   */
  private static ClickedOnly clickedOnly(ScoringModel model, WideDeepConfig s, ImpressionDataset ds,
      BannerFeatures[] byIndex, int[] test, boolean progress) {
    int[] allTrain = ds.rowsOf(TimeSplit.TRAIN);
    int[] train = clickedRows(ds, allTrain);
    int[] valid = clickedRows(ds, ds.rowsOf(TimeSplit.VALID));
    double ratio = (double) allTrain.length / Math.max(1, train.length);
    int epochs = (int) Math.min(CLICKED_ONLY_MAX_EPOCHS, Math.ceil(s.maxEpochs() * ratio));
    WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, s.hidden(), s.embeddingDims(),
        s.batchSize(), epochs, s.patience() * epochs / s.maxEpochs(), s.validationsPerEpoch(), s.learningRate(),
        s.wideLearningRate(), s.l2Wide(), s.weightAverageDecay(), s.seed());
    ImpressionDataset conversions = ds.withLabels(ds.converted);
    RowEncoder rows = new RowEncoder(model.encoder(), conversions, byIndex, model.vectors());
    var net = WideDeepNetwork.build(model.spec(), cfg);
    var fit = WideDeepTrainer.train(net, rows, conversions, train, valid, cfg, progress, false);
    return new ClickedOnly(WideDeepTrainer.predict(net, rows, test, cfg), fit, train.length);
  }

  private static int[] clickedRows(ImpressionDataset ds, int[] rows) {
    return java.util.Arrays.stream(rows).filter(r -> ds.clicked[r]).toArray();
  }

  /** The banner CTR shrunk toward the global CTR, as the click popularity baseline. */
  private static float[] popularityCtr(FeatureEncoder enc, ImpressionDataset ds, BannerFeatures[] byIndex,
      int[] test) {
    float[] p = new float[test.length];
    for (int i = 0; i < test.length; i++) {
      BannerFeatures b = byIndex[ds.bannerIdx[test[i]]];
      p[i] = (float) (1 / (1 + Math.exp(-enc.ctrLogit(b.clicks(), b.impressions()))));
    }
    return p;
  }

  /** The banner's conversions per click on the training days, shrunk toward the global rate. */
  private static float[] popularityCvr(ImpressionDataset ds, BannerFeatures[] byIndex, int[] test) {
    long[] clicks = new long[byIndex.length];
    long[] conversions = new long[byIndex.length];
    long allClicks = 0;
    long allConversions = 0;
    for (int r : ds.rowsOf(TimeSplit.TRAIN)) {
      if (ds.clicked[r]) {
        clicks[ds.bannerIdx[r]]++;
        allClicks++;
        if (ds.converted[r]) {
          conversions[ds.bannerIdx[r]]++;
          allConversions++;
        }
      }
    }
    double global = allClicks == 0 ? 0 : (double) allConversions / allClicks;
    float[] p = new float[test.length];
    for (int i = 0; i < test.length; i++) {
      int b = ds.bannerIdx[test[i]];
      p[i] = (float) ((conversions[b] + POPULARITY_PRIOR_CLICKS * global) / (clicks[b] + POPULARITY_PRIOR_CLICKS));
    }
    return p;
  }
}
