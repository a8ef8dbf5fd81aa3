package dev.bannerranker.trainer.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SessionTuningTest {
  /**
   * Sessions each drawn from one of 10 topics of 12 items (p0-p11, p12-p23, ...), six distinct items in random order:
   * the next item is always of the session's topic, so vectors trained long enough list it among the 20 nearest, and
   * one epoch barely moves them from their random start.
   */
  static List<SessionLog.Session> topicSessions(int count, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<SessionLog.Session> out = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      int topic = rng.nextInt(10);
      List<Integer> members = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        members.add(12 * topic + i);
      }
      java.util.Collections.shuffle(members, new java.util.Random(rng.nextLong()));
      List<String> items = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        items.add("p" + members.get(i));
      }
      out.add(new SessionLog.Session("s" + s, s, items));
    }
    return out;
  }

  @Test
  void tuningPicksTheClearlyBetterSetting() {
    SessionPipeline.Split split = SessionPipeline.split(topicSessions(1000, 3), 0.1, 0.1);
    Item2VecConfig base = new Item2VecConfig(16, 1, 5, 1, 1, 0, 0.025, 0, 1, 7);
    Item2VecConfig longer = SessionPipeline.with(base, 30, 1, 5, 0);
    List<SessionPipeline.Trial> trials = SessionPipeline.tune(split, List.of(base, longer),
        new PrintStream(PrintStream.nullOutputStream()));
    assertEquals(2, trials.size());
    assertTrue(trials.get(1).hitRate() > trials.get(0).hitRate() + 0.1,
        "30 epochs " + trials.get(1).hitRate() + " vs 1 epoch " + trials.get(0).hitRate());
    assertEquals(longer, SessionPipeline.best(trials).config());
  }

  @Test
  void candidatesStartWithTheGivenValuesAreDistinctAndSeeded() {
    Item2VecConfig base = Item2VecConfig.defaults(7);
    List<Item2VecConfig> c = SessionPipeline.candidates(base, 12);
    assertEquals(12, c.size());
    assertEquals(base, c.get(0));
    assertEquals(12, new HashSet<>(c).size());
    assertEquals(c, SessionPipeline.candidates(base, 12));
    assertTrue(!c.equals(SessionPipeline.candidates(Item2VecConfig.defaults(8), 12)));
  }

  @Test
  void theSplitIsByStartTimeWithTheLatestAsTest() {
    List<SessionLog.Session> all = topicSessions(20, 1);
    SessionPipeline.Split split = SessionPipeline.split(all, 0.1, 0.2);
    assertEquals(all.subList(0, 14), split.train());
    assertEquals(all.subList(14, 16), split.validation());
    assertEquals(all.subList(16, 20), split.test());
  }
}
