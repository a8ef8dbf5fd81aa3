package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import dev.bannerranker.trainer.widedeep.WideDeepNetwork;
import dev.bannerranker.trainer.widedeep.WideDeepTrainer;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Early stopping with several validations per epoch and a moving average of the weights, on the tiny world: what is
 * validated is what is kept, and validating the average leaves the training path alone.
 */
class WeightAveragingTrainingTest {
  private static final int EPOCHS = 2;
  private static final int PER_EPOCH = 3;

  @Test
  void theKeptWeightsAreTheBestValidatedAverageAndTrainingIsUndisturbed() {
    var t = TinyWorld.TRAINED;
    int[] train = split(t, false);
    int[] valid = split(t, true);
    WideDeepConfig base = t.options().wideDeep();
    // A large patience: every validation of both epochs runs.
    WideDeepConfig averaged = new WideDeepConfig(base.mode(), base.hidden(), base.embeddingDims(), base.batchSize(),
        EPOCHS, 100, PER_EPOCH, base.learningRate(), base.wideLearningRate(), base.l2Wide(), 0.9, base.seed());
    WideDeepConfig plain = new WideDeepConfig(base.mode(), base.hidden(), base.embeddingDims(), base.batchSize(),
        EPOCHS, 100, PER_EPOCH, base.learningRate(), base.wideLearningRate(), base.l2Wide(), 0, base.seed());
    var spec = t.bundle().spec();

    WideDeepTrainer.Result a = WideDeepTrainer.train(WideDeepNetwork.build(spec, averaged), t.rows(), t.dataset(), train,
        valid, averaged, false);
    WideDeepTrainer.Result p = WideDeepTrainer.train(WideDeepNetwork.build(spec, plain), t.rows(), t.dataset(), train,
        valid, plain, false);

    assertEquals(EPOCHS * PER_EPOCH, a.validLoss().size());
    assertEquals(EPOCHS * PER_EPOCH, a.trainLoss().size());
    assertEquals(EPOCHS, a.fitSeconds().size());
    assertEquals(PER_EPOCH, a.validationsPerEpoch());
    // The best validation is the smallest loss, and the graph holds the very weights that scored it.
    int argmin = argmin(a.validLoss());
    assertEquals(argmin + 1, a.bestValidation());
    assertEquals((argmin + 1) / (double) PER_EPOCH, a.bestEpoch(), 1e-12);
    assertEquals(a.validLoss().get(argmin), lossOf(a, valid, averaged), 1e-6);
    assertEquals(p.validLoss().get(argmin(p.validLoss())), lossOf(p, valid, plain), 1e-6);
    // The training weights follow the same path with or without an average beside them: their validation losses
    // match the plain run's at every point, which would not hold if the average leaked into training.
    assertEquals(p.validLoss().size(), a.trainingWeightsValidLoss().size());
    for (int i = 0; i < p.validLoss().size(); i++) {
      assertEquals(p.validLoss().get(i), a.trainingWeightsValidLoss().get(i), 1e-9, "validation " + (i + 1));
    }
    // ...and the average is something else than those weights.
    assertNotEquals(p.validLoss().get(0), a.validLoss().get(0), 1e-6);
    assertTrue(p.trainingWeightsValidLoss().isEmpty());
  }

  @Test
  void trainingWithoutRowsIsRefused() {
    var t = TinyWorld.TRAINED;
    WideDeepConfig cfg = t.options().wideDeep();
    var net = WideDeepNetwork.build(t.bundle().spec(), cfg);
    var e = assertThrows(IllegalArgumentException.class,
        () -> WideDeepTrainer.train(net, t.rows(), t.dataset(), new int[0], split(t, true), cfg, false));
    assertTrue(e.getMessage().contains("no training rows"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> WideDeepTrainer.train(net, t.rows(), t.dataset(), split(t, false), new int[0], cfg, false));
    assertTrue(e.getMessage().contains("no validation rows"), e.getMessage());
  }

  /** Patience 0.5 at 4 validations per epoch stops at the third validation after the best, unless the epochs run out. */
  @Test
  void trainingStopsAtTheFirstValidationMoreThanThePatienceAfterTheBest() {
    var t = TinyWorld.TRAINED;
    int[] train = split(t, false);
    int[] valid = split(t, true);
    WideDeepConfig base = t.options().wideDeep();
    int maxEpochs = 6;
    WideDeepConfig cfg = new WideDeepConfig(base.mode(), base.hidden(), base.embeddingDims(), base.batchSize(),
        maxEpochs, 0.5, 4, base.learningRate(), base.wideLearningRate(), base.l2Wide(), 0.9, base.seed());
    WideDeepTrainer.Result r = WideDeepTrainer.train(WideDeepNetwork.build(t.bundle().spec(), cfg), t.rows(),
        t.dataset(), train, valid, cfg, false, false);
    int after = r.validLoss().size() - r.bestValidation();
    if (r.validLoss().size() < maxEpochs * 4) {
      assertEquals(3, after, "validations " + r.validLoss());
    } else {
      assertTrue(after <= 3, "validations " + r.validLoss());
    }
    for (int i = r.bestValidation(); i < r.validLoss().size(); i++) {
      assertTrue(r.validLoss().get(i) >= r.validLoss().get(r.bestValidation() - 1) - 1e-6);
    }
  }

  private static double lossOf(WideDeepTrainer.Result r, int[] valid, WideDeepConfig cfg) {
    float[] q = WideDeepTrainer.predict(r.net(), TinyWorld.TRAINED.rows(), valid, cfg);
    double s = 0;
    for (int i = 0; i < valid.length; i++) {
      double x = Math.min(Math.max(q[i], 1e-7), 1 - 1e-7);
      s -= TinyWorld.TRAINED.dataset().clicked[valid[i]] ? Math.log(x) : Math.log(1 - x);
    }
    return s / valid.length;
  }

  private static int argmin(List<Double> xs) {
    int best = 0;
    for (int i = 1; i < xs.size(); i++) {
      if (xs.get(i) < xs.get(best)) {
        best = i;
      }
    }
    return best;
  }

  /** Every fifth row that is not a test row is a validation row; the others train. */
  private static int[] split(TrainingPipeline.Outcome t, boolean validation) {
    int[] nonTest = nonTestRows(t);
    return IntStream.range(0, nonTest.length).filter(i -> (i % 5 == 0) == validation).map(i -> nonTest[i]).toArray();
  }

  private static int[] nonTestRows(TrainingPipeline.Outcome t) {
    boolean[] test = new boolean[t.dataset().size];
    for (int r : t.testRows()) {
      test[r] = true;
    }
    return IntStream.range(0, t.dataset().size).filter(r -> !test[r]).toArray();
  }
}
