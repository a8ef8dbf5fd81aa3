package dev.bannerranker.trainer.item2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionBuilderTest {
  private static final long T = 1_773_000_000L;
  private static final long UNTIL = T + 86_400;

  private static BehaviourEvent view(String user, long t, String brand) {
    return new BehaviourEvent(user, t, EventType.VIEW, brand, "shoes", 2, 10f);
  }

  /** u1 browses, pauses 31 minutes, clicks a banner and browses on; u2 browses once before and once after UNTIL. */
  private static EventLog log() {
    Banner banner = new Banner("bn-1", "Velora", "dresses", "home_hero", "image", "light", 0, "cmp-1", 2, T - 86_400,
        T + 10 * 86_400, 1.0, 1, Set.of(), Set.of(), Set.of());
    List<BehaviourEvent> events = List.of(view("u1", T, "A"), view("u1", T + 60, "B"), view("u1", T + 60 + 31 * 60, "C"),
        view("u2", T, "D"), view("u2", UNTIL, "E"));
    List<Impression> impressions = List.of(
        new Impression("im-1", "u1", T + 61 + 31 * 60, "bn-1", "home_hero", 1, Platform.WEB, true),
        new Impression("im-2", "u1", T + 62 + 31 * 60, "bn-1", "home_hero", 1, Platform.WEB, false));
    return new EventLog(List.of(banner), List.of(), events, impressions, Map.of(), new DataProblems(0));
  }

  @Test
  void aPauseLongerThanTheGapStartsANewSession() {
    assertEquals(List.of(List.of("b:A", "c:shoes", "b:B", "c:shoes"), List.of("b:C", "c:shoes", "a:bn-1"),
        List.of("b:D", "c:shoes")), SessionBuilder.sessions(log(), UNTIL, 30));
  }

  @Test
  void gapZeroMakesEachUsersWholeHistoryOneSession() {
    assertEquals(List.of(List.of("b:A", "c:shoes", "b:B", "c:shoes", "b:C", "c:shoes", "a:bn-1"),
        List.of("b:D", "c:shoes")), SessionBuilder.sessions(log(), UNTIL, 0));
  }
}
