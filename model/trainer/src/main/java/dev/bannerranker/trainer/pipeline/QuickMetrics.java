package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.bundle.ModelMetrics;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.eval.ClickMetrics;
import dev.bannerranker.trainer.widedeep.RowEncoder;

/** AUC, logloss and calibration error of the runtime scorer on some rows: the numbers the manifest records. */
public final class QuickMetrics {
  private QuickMetrics() {}

  /** Click probabilities from the pure-Java scorer, the code the service runs. */
  public static float[] predict(ScoringModel model, RowEncoder rows, int[] idx) {
    float[] p = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      RowEncoder.Row r = rows.row(idx[i]);
      p[i] = model.scorer().predictUnsplit(r.userDense(), r.userCats(), r.bannerDense(), r.bannerCats(), r.cross(), r.tasteBrands(),
          r.events(), r.eventMask(), r.wide());
    }
    return p;
  }

  /** Conversion probabilities of a click (pCVR) from the pure-Java scorer's conversion tower. */
  public static float[] predictConversion(ScoringModel model, RowEncoder rows, int[] idx) {
    float[] p = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      RowEncoder.Row r = rows.row(idx[i]);
      p[i] = model.conversionScorer().predictUnsplit(r.userDense(), r.userCats(), r.bannerDense(), r.bannerCats(),
          r.cross(), r.tasteBrands(), r.events(), r.eventMask(), r.wide());
    }
    return p;
  }

  static boolean[] labels(ImpressionDataset ds, int[] idx) {
    boolean[] y = new boolean[idx.length];
    for (int i = 0; i < idx.length; i++) {
      y[i] = ds.clicked[idx[i]];
    }
    return y;
  }

  static ModelMetrics.SplitMetrics of(ScoringModel model, RowEncoder rows, ImpressionDataset ds, int[] idx) {
    float[] p = predict(model, rows, idx);
    boolean[] y = labels(ds, idx);
    return new ModelMetrics.SplitMetrics(ClickMetrics.auc(p, y), ClickMetrics.logLoss(p, y),
        ClickMetrics.expectedCalibrationError(p, y, EvaluationPipeline.ECE_BINS), idx.length);
  }
}
