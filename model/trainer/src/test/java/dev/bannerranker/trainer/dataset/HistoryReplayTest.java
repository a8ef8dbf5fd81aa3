package dev.bannerranker.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryReplayTest {
  private static BehaviourEvent event(String user, long t) {
    return new BehaviourEvent(user, t, EventType.VIEW, "b", "c", 1, 5f);
  }

  private static Impression impression(String id, long t) {
    return new Impression(id, "u", t, "bn", "home", 1, Platform.WEB, false);
  }

  @Test
  void handsOnStrictlyEarlierRecordsInTimeOrderEventsFirstWithinASecondAndResumes() {
    HistoryReplay replay = new HistoryReplay(List.of(event("e10", 10), event("e20", 20), event("e30", 30)),
        List.of(impression("i5", 5), impression("i20", 20), impression("i25", 25)));
    List<String> seen = new ArrayList<>();
    replay.advanceTo(20, e -> seen.add(e.userId()), i -> seen.add(i.impressionId()));
    assertEquals(List.of("i5", "e10"), seen, "strictly before 20");
    replay.advanceTo(30, e -> seen.add(e.userId()), i -> seen.add(i.impressionId()));
    assertEquals(List.of("i5", "e10", "e20", "i20", "i25"), seen, "the product event first within a second");
    replay.advanceTo(30, e -> seen.add(e.userId()), i -> seen.add(i.impressionId()));
    assertEquals(5, seen.size(), "nothing is handed on twice");
    replay.advanceTo(Long.MAX_VALUE, e -> seen.add(e.userId()), i -> seen.add(i.impressionId()));
    assertEquals("e30", seen.get(5));
  }
}
