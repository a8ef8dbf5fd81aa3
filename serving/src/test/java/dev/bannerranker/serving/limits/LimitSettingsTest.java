package dev.bannerranker.serving.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitSettingsTest {
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  @Test
  void rankAndRecordEventsAreLimitedByDefaultFromTheProcessors() {
    assertEquals(Map.of("rank", LimitSettings.DEFAULT_RANK_PER_PROCESSOR * CORES,
        "recordevents", LimitSettings.DEFAULT_PER_PROCESSOR * CORES), new LimitSettings(null, null).limits());
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
  void rankFallsUnderOverloadByDefaultAndTheStandingQueueIsZeroOrPositive() {
    assertEquals(LimitSettings.DEFAULT_RANK_STANDING_QUEUE, new LimitSettings(null, null).rankStandingQueue());
    assertEquals(0, new LimitSettings(null, 0).rankStandingQueue());
    assertEquals(3, new LimitSettings(null, 3).rankStandingQueue());
    for (int bad : new int[] {-1, Integer.MIN_VALUE, 1 << 17}) {
      assertThrows(IllegalArgumentException.class, () -> new LimitSettings(null, bad), Integer.toString(bad));
    }
  }
}
