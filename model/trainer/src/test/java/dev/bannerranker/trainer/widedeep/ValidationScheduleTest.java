package dev.bannerranker.trainer.widedeep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The validation cadence, counted in training rows of the unsampled epoch, and the patience. */
class ValidationScheduleTest {
  private static WideDeepConfig cfg(int batchSize, double patience, int validationsPerEpoch) {
    return new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(8), Map.of(), batchSize, 8, patience,
        validationsPerEpoch, 0.003, 0.05, 1e-4, 0.99, 7);
  }

  /**
   * On all the training rows the schedule is the settings themselves, to the last bit: validationsPerEpoch (at most
   * one per batch) at the same batches, and patience × that many validations, so such runs train as before.
   */
  @Test
  void withoutDownsamplingItIsTheSettingsThemselves() {
    for (int batchSize : new int[] {1, 64, 512, 2048}) {
      for (long rows : new long[] {1, 3, 100, 2047, 2048, 2049, 31_056, 894_396, 11_385_014}) {
        int batches = (int) ((rows + batchSize - 1) / batchSize);
        for (int v = 1; v <= 9; v++) {
          for (double patience : new double[] {0, 0.1, 0.25, 1.0 / 3, 0.5, 0.7, 1, 1.5, 2, 3.3}) {
            ValidationSchedule s = ValidationSchedule.of(cfg(batchSize, patience, v), rows, rows);
            int perEpoch = Math.min(v, batches);
            String where = "batch " + batchSize + ", rows " + rows + ", " + v + " per epoch, patience " + patience;
            assertEquals(perEpoch, s.perEpoch(), where);
            assertEquals(Double.doubleToLongBits(patience * perEpoch),
                Double.doubleToLongBits(s.patienceValidations()), where);
            for (int since = 0; since <= 30; since++) {
              assertEquals(since > patience * perEpoch, s.exhausted(since), where + ", since " + since);
            }
            for (int b = 0; b < Math.min(batches, 3000); b++) {
              assertEquals(WideDeepTrainer.validationDue(b, batches, perEpoch), s.due(b, batches), where + ", b " + b);
            }
          }
        }
      }
    }
  }

  /**
   * The demo world's training rows at R = 0.2 and 0.5 (kept rows as the sampler kept them): about once per as many
   * rows trained as on all rows, and the patience in epochs of the kept rows.
   */
  @Test
  void aShareOfTheRowsValidatesAboutAsOftenPerRowTrained() {
    WideDeepConfig cfg = cfg(2048, 0.5, 4);
    long all = 894_396;
    ValidationSchedule full = ValidationSchedule.of(cfg, all, all);
    assertEquals(4, full.perEpoch());
    assertFalse(full.exhausted(2));
    assertTrue(full.exhausted(3));

    ValidationSchedule fifth = ValidationSchedule.of(cfg, 207_688, all);
    assertEquals(1, fifth.perEpoch(), "a sampled epoch is about a quarter of an unsampled one");
    // Half a sampled epoch with one validation per epoch: the first validation without a better loss ends it.
    assertEquals(0.5, fifth.patienceValidations(), 1e-12);
    assertFalse(fifth.exhausted(0));
    assertTrue(fifth.exhausted(1));

    ValidationSchedule half = ValidationSchedule.of(cfg, 464_578, all);
    assertEquals(2, half.perEpoch());
    assertFalse(half.exhausted(1));
    assertTrue(half.exhausted(2));
  }

  /**
   * Over many shares: the rows trained per validation are within a factor 2 of an unsampled epoch's share (fewer only
   * where a sampled epoch is shorter than that share, since every epoch ends with a validation), and the patience is
   * patience × the validations of a sampled epoch.
   */
  @Test
  void rowsPerValidationFollowTheUnsampledEpochAndPatienceTheSampledOne() {
    long all = 1_000_000;
    for (int v = 1; v <= 8; v++) {
      WideDeepConfig cfg = cfg(256, 0.75, v);
      double unsampledInterval = (double) all / v;
      for (long kept = 1000; kept <= all; kept += 7919) {
        ValidationSchedule s = ValidationSchedule.of(cfg, kept, all);
        double interval = (double) kept / s.perEpoch();
        String where = v + " per epoch, " + kept + " rows";
        assertTrue(interval < 2 * unsampledInterval, where + ": every " + interval);
        if (kept >= unsampledInterval) {
          assertTrue(interval > unsampledInterval / 2, where + ": every " + interval);
        } else {
          assertEquals(1, s.perEpoch(), where);
        }
        assertEquals(0.75 * s.perEpoch(), s.patienceValidations(), 1e-12, where);
      }
    }
  }

  @Test
  void moreRowsThanTheUnsampledEpochOrNoneAreRefused() {
    WideDeepConfig cfg = cfg(64, 0.5, 4);
    assertThrows(IllegalArgumentException.class, () -> ValidationSchedule.of(cfg, 101, 100));
    assertThrows(IllegalArgumentException.class, () -> ValidationSchedule.of(cfg, 0, 100));
  }
}
