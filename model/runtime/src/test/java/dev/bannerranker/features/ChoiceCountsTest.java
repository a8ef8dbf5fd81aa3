package dev.bannerranker.features;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChoiceCountsTest {
  private static final EventType[] TYPES = EventType.values();

  record Event(int brand, int category, EventType type, long time) {}

  /** Visits of a heavy shopper: enough distinct pairs and choices to fill both tables and evict. */
  static List<Event> events(long seed, int n, int brands, int categories) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Event> out = new ArrayList<>();
    long t = 1_772_409_600L;
    for (int i = 0; i < n; i++) {
      t += r.nextInt(6) == 0 ? 3_600 + r.nextInt(20_000) : r.nextInt(200);
      out.add(new Event(r.nextInt(brands + 1), r.nextInt(categories + 1),
          r.nextInt(5) == 0 ? TYPES[r.nextInt(TYPES.length)] : EventType.VIEW, t));
    }
    return out;
  }

  static void count(ChoiceCounts c, List<Event> events) {
    events.forEach(e -> c.add(e.brand(), e.category(), e.type(), e.time()));
  }

  static void assertSameCounts(ChoiceCounts expected, ChoiceCounts actual) {
    assertArrayEquals(expected.brandPairs()[0], actual.brandPairs()[0]);
    assertArrayEquals(expected.brandPairs()[1], actual.brandPairs()[1]);
    assertArrayEquals(expected.categoryChoices()[0], actual.categoryChoices()[0]);
    assertArrayEquals(expected.categoryChoices()[1], actual.categoryChoices()[1]);
  }

  @Test
  void packedCountsGoOnCountingAsTheOriginal() {
    for (int seed = 1; seed <= 20; seed++) {
      List<Event> events = events(seed, 1_500, 300, 60);
      for (int split : new int[] {0, 1, 7, 200, 900}) {
        ChoiceCounts original = new ChoiceCounts();
        count(original, events.subList(0, split));
        byte[] packed = original.pack();
        byte[] framed = new byte[packed.length + 6];
        System.arraycopy(packed, 0, framed, 3, packed.length);
        framed[2] = -1; // neighbours the reader must not see
        framed[framed.length - 1] = -1;
        ChoiceCounts restored = ChoiceCounts.unpack(framed, 3, 3 + packed.length);
        assertSameCounts(original, restored);
        // the slots (eviction order) and the visit in progress came back too
        count(original, events.subList(split, events.size()));
        count(restored, events.subList(split, events.size()));
        assertSameCounts(original, restored);
        assertEquals(ChoiceCounts.MAX_BRAND_PAIRS, original.brandPairs()[0].length, "the test must fill the table");
      }
    }
  }

  @Test
  void packingKeepsExtremeTimesAndSaturatedCounts() {
    ChoiceCounts c = new ChoiceCounts();
    for (int i = 0; i < 70_000; i++) {
      c.add(3, 2, EventType.VIEW, -5_000_000_000L + i);
    }
    ChoiceCounts restored = ChoiceCounts.unpack(c.pack(), 0, c.pack().length);
    assertEquals(65_535, restored.brandPairs()[1][0]);
    // still inside the visit: a second category is a second choice after 2
    c.add(1, 4, EventType.VIEW, -5_000_000_000L + 70_000);
    restored.add(1, 4, EventType.VIEW, -5_000_000_000L + 70_000);
    assertSameCounts(c, restored);
    assertEquals((2 + 1) << 16 | 4, restored.categoryChoices()[0][1]);
    ChoiceCounts empty = new ChoiceCounts();
    assertTrue(ChoiceCounts.unpack(empty.pack(), 0, empty.pack().length).isEmpty());
  }

  @Test
  void countingUnderIdsThenTranslatingEqualsCountingUnderIndices() {
    for (int seed = 1; seed <= 20; seed++) {
      // ids 1..300 and 1..60 map one-to-one onto shuffled indices
      int[] brandIndex = shuffled(new SplittableRandom(seed), 300, 1_000);
      int[] categoryIndex = shuffled(new SplittableRandom(-seed), 60, 500);
      List<Event> events = events(seed, 1_500, 300, 60);
      ChoiceCounts byId = new ChoiceCounts();
      ChoiceCounts byIndex = new ChoiceCounts();
      for (Event e : events) {
        byId.add(e.brand(), e.category(), e.type(), e.time());
        byIndex.add(brandIndex[e.brand()], categoryIndex[e.category()], e.type(), e.time());
      }
      ChoiceCounts translated = byId.translate(b -> brandIndex[b], c -> categoryIndex[c]);
      assertSameCounts(byIndex, translated);
      List<Event> more = events(seed + 100, 500, 300, 60);
      for (Event e : more) {
        translated.add(brandIndex[e.brand()], categoryIndex[e.category()], e.type(), e.time() + 10_000_000);
        byIndex.add(brandIndex[e.brand()], categoryIndex[e.category()], e.type(), e.time() + 10_000_000);
      }
      assertSameCounts(byIndex, translated);
    }
  }

  /** index[id] for ids 1..n: distinct values in 1..max, index[0] = 0. */
  private static int[] shuffled(SplittableRandom r, int n, int max) {
    int[] all = new int[max];
    for (int i = 0; i < max; i++) {
      all[i] = i + 1;
    }
    for (int i = max - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int x = all[i];
      all[i] = all[j];
      all[j] = x;
    }
    int[] index = new int[n + 1];
    System.arraycopy(all, 0, index, 1, n);
    return index;
  }

  @Test
  void translationDropsWhatTheModelDoesNotKnow() {
    ChoiceCounts byId = new ChoiceCounts();
    long t = 1_000_000;
    byId.add(7, 9, EventType.VIEW, t); // category 9 unknown to the model: first choice of the visit
    byId.add(5, 1, EventType.VIEW, t + 10); // second choice, after the unknown 9
    byId.add(8, 1, EventType.VIEW, t + 20); // brand 8 unknown
    byId.add(5, 1, EventType.VIEW, t + 5_000); // a new visit: first choice 1
    ChoiceCounts model = byId.translate(b -> b == 5 ? 2 : 0, c -> c == 1 ? 3 : 0);
    assertArrayEquals(new int[] {3 << 16 | 2}, model.brandPairs()[0]);
    assertArrayEquals(new int[] {2}, model.brandPairs()[1]);
    // the choice after the unknown category joins the first choices of category 3, as the model counted them
    assertArrayEquals(new int[] {3}, model.categoryChoices()[0]);
    assertArrayEquals(new int[] {2}, model.categoryChoices()[1]);
    assertTrue(new ChoiceCounts().translate(b -> b, c -> c).isEmpty());
  }
}
