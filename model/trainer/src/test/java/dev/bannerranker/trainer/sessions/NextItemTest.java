package dev.bannerranker.trainer.sessions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NextItemTest {
  static List<SessionLog.Session> sessions(String... itemLists) {
    List<SessionLog.Session> out = new ArrayList<>();
    for (int i = 0; i < itemLists.length; i++) {
      out.add(new SessionLog.Session("s" + i, i, List.of(itemLists[i].split(" "))));
    }
    return out;
  }

  @Test
  void hitRateAndMrrOfPopularityOnAHandMadeCase() {
    // counts: a 3, b 2, c 1
    List<SessionLog.Session> train = sessions("a b", "a c", "a b");
    NextItem.Catalog catalog = new NextItem.Catalog(train);
    // t=1: target b, prefix {c}: list a, b -> rank 2. t=2: target a, prefix {c, b}: list a -> rank 1.
    NextItem.Scores s = NextItem.judge(NextItem.popularity(catalog), catalog, sessions("c b a"), 20);
    assertEquals(2, s.predictions());
    assertEquals(1.0, s.hitRate(), 1e-12);
    assertEquals((0.5 + 1.0) / 2, s.mrr(), 1e-12);
    NextItem.Scores top1 = NextItem.judge(NextItem.popularity(catalog), catalog, sessions("c b a"), 1);
    assertEquals(0.5, top1.hitRate(), 1e-12);
    assertEquals(0.5, top1.mrr(), 1e-12);
  }

  @Test
  void repeatsAreNotJudgedAndUnknownItemsAreMisses() {
    List<SessionLog.Session> train = sessions("a b", "a c");
    NextItem.Catalog catalog = new NextItem.Catalog(train);
    // t=1: x never seen in training: judged, a miss. t=2: a repeats the prefix: not judged.
    NextItem.Scores s = NextItem.judge(NextItem.popularity(catalog), catalog, sessions("a x a"), 20);
    assertEquals(1, s.predictions());
    assertEquals(0.0, s.hitRate(), 1e-12);
    assertArrayEquals(new double[] {1}, s.judged());
  }

  @Test
  void itemKnnRanksByCoOccurrenceWithinTheWindowThenFillsFromPopularity() {
    // window 1: b sits next to a twice and to c once; d and e never next to b. Counts: b 3, e 3, a 2, d 2, c 1.
    List<SessionLog.Session> train = sessions("a b", "b a", "c b", "d e e d e");
    NextItem.Catalog catalog = new NextItem.Catalog(train);
    int a = catalog.indexOf("a");
    int b = catalog.indexOf("b");
    int c = catalog.indexOf("c");
    int d = catalog.indexOf("d");
    int e = catalog.indexOf("e");
    NextItem.Predictor knn = NextItem.itemKnn(catalog, train, 1);
    assertArrayEquals(new int[] {a, c, e, d}, knn.top(new int[] {b}, 4));
    // the prefix is never listed: a is in it
    assertArrayEquals(new int[] {c, e, d}, knn.top(new int[] {a, b}, 4));
    // window 3 reaches d from "d e e d": e co-occurs with d 5 times within 3 positions
    NextItem.Predictor wide = NextItem.itemKnn(catalog, train, 3);
    assertEquals(d, wide.top(new int[] {e}, 1)[0]);
  }

  @Test
  void item2vecListsTheLastItemsNearestVectors() {
    List<SessionLog.Session> train = sessions("a b c d");
    NextItem.Catalog catalog = new NextItem.Catalog(train);
    float[][] v = new float[4][];
    v[catalog.indexOf("a")] = new float[] {1, 0};
    v[catalog.indexOf("b")] = new float[] {0.9f, 0.1f};
    v[catalog.indexOf("c")] = new float[] {0, 1};
    // d has no vector: it comes only from the popularity fill
    NextItem.Predictor p = NextItem.item2vec(catalog, v);
    int[] top = p.top(new int[] {catalog.indexOf("a")}, 3);
    assertArrayEquals(new int[] {catalog.indexOf("b"), catalog.indexOf("c"), catalog.indexOf("d")}, top);
  }

  @Test
  void inputOutputScoringRanksByTheRecentItemsInputsAgainstEachCandidatesOutput() {
    List<SessionLog.Session> train = sessions("a b c d");
    NextItem.Catalog catalog = new NextItem.Catalog(train);
    int a = catalog.indexOf("a");
    int b = catalog.indexOf("b");
    int c = catalog.indexOf("c");
    int d = catalog.indexOf("d");
    float[][] in = new float[4][];
    float[][] out = new float[4][];
    in[a] = new float[] {1, 0};
    in[b] = new float[] {0, 1};
    in[c] = new float[] {1, 0};
    in[d] = new float[] {1, 0};
    out[a] = new float[] {0, 0};
    out[b] = new float[] {0, 0};
    out[c] = new float[] {0, 3};
    out[d] = new float[] {2, 0};
    // by cosine, c and d are a's twins; by input.output, a's input points at d's output
    assertEquals(c, NextItem.item2vec(catalog, in, out, NextItem.Scoring.COSINE).top(new int[] {a}, 1)[0]);
    assertEquals(d, NextItem.item2vec(catalog, in, out, NextItem.Scoring.LAST_ITEM).top(new int[] {a}, 1)[0]);
    // prefix a, b: b alone points at c (1 * 3 = 3); with a one step back at full weight d gains 2 * 2 = 4 > 3, at
    // half weight only 2 < 3
    out[d] = new float[] {4, 0};
    NextItem.Scoring full = new NextItem.Scoring(NextItem.Scoring.INPUT_OUTPUT_METHOD, 2, 1.0);
    NextItem.Scoring half = new NextItem.Scoring(NextItem.Scoring.INPUT_OUTPUT_METHOD, 2, 0.5);
    int[] ab = {a, b};
    assertEquals(c, NextItem.item2vec(catalog, in, out, NextItem.Scoring.LAST_ITEM).top(ab, 1)[0]);
    assertEquals(d, NextItem.item2vec(catalog, in, out, full).top(ab, 1)[0]);
    assertEquals(c, NextItem.item2vec(catalog, in, out, half).top(ab, 1)[0]);
  }
}
