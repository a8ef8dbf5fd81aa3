package dev.bannerranker.trainer.widedeep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The moving average of the weights, and when the trainer validates. */
class WeightAverageTest {

  @Test
  void theAverageIsTheBiasCorrectedMovingMeanOfTheSteps() {
    INDArray first = Nd4j.createFromArray(new float[] {1, 2});
    WeightAverage avg = new WeightAverage(0.5, first);
    avg.add(first);
    // One step: the step itself, not pulled toward the zero it starts from.
    assertArrayEquals(new float[] {1, 2}, avg.average().toFloatVector(), 1e-6f);
    avg.add(Nd4j.createFromArray(new float[] {3, 4}));
    // Weights 0.5 * 0.5 and 0.5, over 1 - 0.5^2: a third of the first step, two thirds of the second.
    assertArrayEquals(new float[] {7f / 3, 10f / 3}, avg.average().toFloatVector(), 1e-6f);
    assertEquals(2, avg.steps());
    // The parameters passed in are not kept: changing them later leaves the average alone.
    assertArrayEquals(new float[] {1, 2}, first.toFloatVector(), 0f);
  }

  @Test
  void aDecayOutsideTheOpenIntervalOrAnEmptyAverageIsRefused() {
    INDArray like = Nd4j.zeros(1, 3);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new WeightAverage(1.0, like)).getMessage()
        .contains("decay must be in (0, 1), got 1.0"));
    assertThrows(IllegalArgumentException.class, () -> new WeightAverage(0.0, like));
    assertThrows(IllegalStateException.class, () -> new WeightAverage(0.9, like).average());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(8), Map.of(), 64, 1, 1, 1, 0.003, 0.05, 1e-5,
            1.5, 7));
    assertTrue(bad.getMessage().contains("weightAverageDecay"), bad.getMessage());
  }

  /** The validations split each epoch's batches into even parts, the last right after the epoch's last batch. */
  @Test
  void validationsFallEvenlyThroughTheEpoch() {
    assertEquals(List.of(3, 5, 8, 10), dueAfter(10, 4));
    assertEquals(List.of(10), dueAfter(10, 1));
    assertEquals(List.of(1, 2, 3), dueAfter(3, 3));
    List<Integer> many = dueAfter(437, 4);
    assertEquals(4, many.size());
    assertEquals(437, many.get(3));
  }

  private static List<Integer> dueAfter(int batches, int perEpoch) {
    List<Integer> out = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      if (WideDeepTrainer.validationDue(b, batches, perEpoch)) {
        out.add(b + 1);
      }
    }
    return out;
  }

  /**
   * Format 1-2 manifests may record neither setting: they read as one validation per epoch and no average, the rule
   * they were trained with; in the current form both must be given.
   */
  @Test
  void aManifestWithoutTheSettingsReadsAsTheOlderRule() throws java.io.IOException {
    ObjectMapper json = new ObjectMapper();
    WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(8), Map.of(), 64, 1, 1, 4, 0.003,
        0.05, 1e-4, 0.99, 7);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = json.convertValue(cfg, Map.class);
    assertEquals(4, map.remove("validationsPerEpoch"));
    assertEquals(0.99, map.remove("weightAverageDecay"));
    WideDeepConfig old = OlderManifests.readBack(map, 2);
    assertEquals(1, old.validationsPerEpoch());
    assertEquals(0.0, old.weightAverageDecay());
    assertFalse(old.equals(cfg));
    var e = assertThrows(dev.bannerranker.bundle.BundleException.class, () -> OlderManifests.readBack(map, 3));
    assertTrue(e.getMessage().contains("validationsPerEpoch"), e.getMessage());
  }
}
