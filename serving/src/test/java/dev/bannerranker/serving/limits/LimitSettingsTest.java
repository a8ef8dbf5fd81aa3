package dev.bannerranker.serving.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitSettingsTest {
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  @Test
  void rankAndRecordEventsAreLimitedByDefaultFromTheProcessors() {
    int n = LimitSettings.DEFAULT_PER_PROCESSOR * CORES;
    assertEquals(Map.of("rank", n, "recordevents", n), new LimitSettings(null, null).limits());
  }

  @Test
  void configuredLimitsReplaceTheDefaultsAndZeroTurnsOneOff() {
    assertEquals(Map.of("rank", 5, "upsertprofiles", 3), new LimitSettings(Map.of("Rank", 5, "record-events", 0,
        "upsert-profiles", 3), null).limits());
  }

  @Test
  void aNegativeLimitIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new LimitSettings(Map.of("rank", -1), null));
  }

  @Test
  void rankFollowsLatencyByDefaultAndTheToleranceIsZeroOrAboveOne() {
    assertEquals(LimitSettings.DEFAULT_RANK_LATENCY_TOLERANCE, new LimitSettings(null, null).rankLatencyTolerance());
    assertEquals(0.0, new LimitSettings(null, 0.0).rankLatencyTolerance());
    assertEquals(3.0, new LimitSettings(null, 3.0).rankLatencyTolerance());
    for (double bad : new double[] {-1, 0.5, 1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThrows(IllegalArgumentException.class, () -> new LimitSettings(null, bad), Double.toString(bad));
    }
  }
}
