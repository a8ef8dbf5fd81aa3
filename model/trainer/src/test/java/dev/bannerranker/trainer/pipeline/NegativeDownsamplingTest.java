package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.widedeep.WideDeepTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@code train --negative-rate 0.5} on the tiny world: fewer training rows, predictions at the true click rate. */
class NegativeDownsamplingTest {
  static final double RATE = 0.5;

  private static double mean(float[] p) {
    double s = 0;
    for (float x : p) {
      s += x;
    }
    return s / p.length;
  }

  @Test
  void theBundleRecordsTheRateAndTrainsOnFewerRowsOnly() throws IOException {
    TrainingPipeline.Outcome t = TinyWorld.withNegativeRate(RATE);
    assertEquals(RATE, t.bundle().manifest().negativeRate());
    assertEquals(RATE, BundleIO.readManifest(TinyWorld.ROOT.resolve("bundle-r" + RATE)).negativeRate());
    assertTrue(Files.readString(TinyWorld.ROOT.resolve("bundle-r" + RATE).resolve("manifest.json"))
        .contains("\"negativeRate\""));
    var full = TinyWorld.TRAINED.metrics().rows();
    var sampled = t.metrics().rows();
    assertEquals(full.valid(), sampled.valid(), "validation keeps every row");
    assertEquals(full.test(), sampled.test(), "test keeps every row");
    int[] allTrain = t.dataset().rowsOf(TimeSplit.TRAIN);
    long clicks = Arrays.stream(allTrain).filter(r -> t.dataset().clicked[r]).count();
    double expected = clicks + RATE * (allTrain.length - clicks);
    assertEquals(expected, sampled.train(), 0.05 * expected, "every click and about half the non-clicks");
    assertEquals(1.0, TinyWorld.TRAINED.bundle().manifest().negativeRate());
  }

  /** On the test days the mean corrected prediction is the observed click rate; the uncorrected one is not. */
  @Test
  void correctedPredictionsMatchTheObservedClickRate() {
    TrainingPipeline.Outcome t = TinyWorld.withNegativeRate(RATE);
    int[] test = t.testRows();
    ScoringModel model = ScoringModel.of(BundleIO.load(TinyWorld.ROOT.resolve("bundle-r" + RATE)));
    float[] q = QuickMetrics.predict(model, t.rows(), test);
    float[] raw = WideDeepTrainer.predict(t.net(), t.rows(), test, t.options().wideDeep());
    double ctr = Arrays.stream(test).filter(r -> t.dataset().clicked[r]).count() / (double) test.length;
    double calibratedGap = Math.abs(mean(q) - ctr);
    assertTrue(calibratedGap < 0.2 * ctr, "mean prediction " + mean(q) + ", observed CTR " + ctr);
    assertTrue(Math.abs(mean(raw) - ctr) > 2 * calibratedGap, "uncorrected mean " + mean(raw) + ", CTR " + ctr);
  }

  /** The scorer (serving and evaluation) equals DL4J's output put through the same correction. */
  @Test
  void scorerMatchesCorrectedDl4j() {
    TrainingPipeline.Outcome t = TinyWorld.withNegativeRate(RATE);
    int[] rows = Arrays.copyOf(t.testRows(), Math.min(800, t.testRows().length));
    float[] dl4j = WideDeepTrainer.calibrated(WideDeepTrainer.predict(t.net(), t.rows(), rows, t.options().wideDeep()),
        RATE);
    float[] java = QuickMetrics.predict(ScoringModel.of(BundleIO.load(TinyWorld.ROOT.resolve("bundle-r" + RATE))),
        t.rows(), rows);
    for (int i = 0; i < rows.length; i++) {
      assertEquals(dl4j[i], java[i], 1e-5, "row " + rows[i]);
    }
  }

  /** The validation loss that picks the kept weights is that of the corrected predictions. */
  @Test
  void validationLossIsOfTheCorrectedPredictions() {
    TrainingPipeline.Outcome t = TinyWorld.withNegativeRate(RATE);
    var training = t.bundle().manifest().training();
    double kept = training.validLoss().get(training.bestValidation() - 1);
    assertEquals(t.metrics().valid().logloss(), kept, 1e-4);
  }
}
