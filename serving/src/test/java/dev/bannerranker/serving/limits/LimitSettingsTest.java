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
    assertEquals(Map.of("rank", n, "recordevents", n), new LimitSettings(null).limits());
  }

  @Test
  void configuredLimitsReplaceTheDefaultsAndZeroTurnsOneOff() {
    assertEquals(Map.of("rank", 5, "upsertprofiles", 3), new LimitSettings(Map.of("Rank", 5, "record-events", 0,
        "upsert-profiles", 3)).limits());
  }

  @Test
  void aNegativeLimitIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new LimitSettings(Map.of("rank", -1)));
  }
}
