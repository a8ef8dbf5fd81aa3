package dev.bannerranker.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeSplitTest {
  private static Impression at(String id, String time) {
    return new Impression(id, "u-1", java.time.Instant.parse(time).getEpochSecond(), "bn-1", "home_hero", 1,
        Platform.WEB, false);
  }

  /** A stray late impression makes the last day its own: the error names it, so it can be found in the file. */
  @Test
  void anEmptyPartNamesTheImpressionsTheLogRunsBetween() {
    List<Impression> sorted = new ArrayList<>();
    for (int day = 2; day <= 9; day++) {
      sorted.add(at("im-" + day, "2026-03-0" + day + "T12:00:00Z"));
    }
    sorted.add(at("im-stray", "2062-03-09T12:00:00Z"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeSplit.lastDays(sorted, 1, 1));
    assertTrue(e.getMessage().contains("im-stray") && e.getMessage().contains("im-2"), e.getMessage());
  }
}
