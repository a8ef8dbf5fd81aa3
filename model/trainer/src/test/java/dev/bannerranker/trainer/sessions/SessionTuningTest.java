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

  /**
   * Fixed successors: in each of 10 groups, six items a{g}_0..a{g}_5 are each always followed by the group's b{g}, in
   * two-item sessions, so an a and its b never co-occur otherwise and the a's share one context: by cosine an a's
   * nearest items are its siblings, which never follow it; by input.output its b is the likeliest context.
   */
  @Test
  void inputOutputScoringFindsTheFixedSuccessorThatCosineMisses() {
    List<SessionLog.Session> sessions = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(11);
    for (int s = 0; s < 2400; s++) {
      int g = rng.nextInt(10);
      sessions.add(new SessionLog.Session("s" + s, s, List.of("a" + g + "_" + rng.nextInt(6), "b" + g)));
    }
    NextItem.Catalog catalog = new NextItem.Catalog(sessions);
    SessionPipeline.Vectors v = SessionPipeline.train(sessions, catalog,
        new Item2VecConfig(16, 1, 5, 20, 1, 0, 0.025, 0, 1, 7));
    List<SessionLog.Session> test = sessions.subList(0, 200);
    NextItem.Scores cosine = NextItem.judge(NextItem.item2vec(catalog, v.inputs(), v.outputs(),
        NextItem.Scoring.COSINE), catalog, test, 3);
    NextItem.Scores next = NextItem.judge(NextItem.item2vec(catalog, v.inputs(), v.outputs(),
        NextItem.Scoring.LAST_ITEM), catalog, test, 3);
    assertTrue(next.hitRate() > 0.95, "input.output HR@3 " + next.hitRate());
    assertTrue(cosine.hitRate() < 0.2, "cosine HR@3 " + cosine.hitRate());
  }
}
