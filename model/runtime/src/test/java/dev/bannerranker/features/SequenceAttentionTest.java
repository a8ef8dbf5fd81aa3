package dev.bannerranker.features;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequenceAttentionTest {
  private static final SequenceAttention A = new SequenceAttention(3, 4, List.of(1.0, 24.0), List.of(5.0, 30.0));

  /** brand 1 = (1,0), brand 2 = (0,1); category 1 = (1,1). */
  private static ItemVectors vectors() {
    return new ItemVectors(2, new float[][] {{0, 0}, {1, 0}, {0, 1}}, new float[][] {{0, 0}, {1, 1}},
        new float[][] {{0, 0}}, new boolean[1]);
  }

  @Test
  void bucketsAreHalfOpenUpperBounds() {
    assertEquals(0, A.ageBucket(-50)); // clock skew counts as age 0
    assertEquals(0, A.ageBucket(3599));
    assertEquals(1, A.ageBucket(3600));
    assertEquals(2, A.ageBucket(24 * 3600));
    assertEquals(0, A.dwellBucket(0f));
    assertEquals(1, A.dwellBucket(5f));
    assertEquals(2, A.dwellBucket(600f));
    assertEquals(2 + 4 + 3 + 3, A.eventWidth(2));
  }

  @Test
  void captureTakesTheLatestEventsNewestFirstAndMarksEmptySlots() {
    UserHistory h = new UserHistory(10, 4);
    long now = 100_000;
    h.addEvent(1, 1, EventType.VIEW, 0, 2f, now - 30 * 3600);
    h.addEvent(2, 1, EventType.PURCHASE, 0, 40f, now - 600);
    int[] b = new int[3];
    int[] c = new int[3];
    int[] code = new int[3];
    assertEquals(2, A.capture(h, now, b, c, code, 0));
    assertArrayEquals(new int[] {2, 1, Vocabulary.UNKNOWN}, b);
    assertEquals(SequenceAttention.NO_EVENT, code[2]);
    assertEquals(A.code(EventType.PURCHASE, 600, 40f), code[0]);

    float[] e = new float[A.eventWidth(2)];
    A.encodeEvent(vectors(), b[0], c[0], code[0], e, 0);
    // item (0.5, 1), purchase, age bucket 0 (under 1 h), dwell bucket 2 (30 s and more)
    assertArrayEquals(new float[] {0.5f, 1f, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1}, e);
    A.encodeEvent(vectors(), b[1], c[1], code[1], e, 0);
    assertArrayEquals(new float[] {1f, 0.5f, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0}, e, "a view 30 h old with 2 s dwell");
    A.encodeEvent(vectors(), b[2], c[2], code[2], e, 0);
    assertArrayEquals(new float[e.length], e, "an empty slot is all zeros");

    for (int k = 0; k < 5; k++) {
      h.addEvent(1, 1, EventType.ADD_TO_CART, 0, 0f, now - 10 + k);
    }
    assertEquals(3, A.capture(h, now, b, c, code, 0), "at most length events");
  }

  @Test
  void userFeaturesCarryTheSequenceOnlyWhenTheSpecHasIt() {
    Standardizer s = Standardizer.identity(List.of());
    FeatureSpec off = new FeatureSpec(2, 24, 10, 4, 72, List.of(1.0, 2.0, 3.0, 2.0), 60, 2, 1024, 1, 4, 10, 0.05,
        Map.of(), List.of(4), Map.of(), s, s, s, 3, 2, 0, FeatureEncoder.WIDE_CROSSES);
    UserHistory h = UserHistory.forSpec(off);
    h.addEvent(2, 1, EventType.VIEW, 0, 3f, 50);
    UserProfile p = new UserProfile("u", Gender.F, "25-34", 2);
    assertNull(UserFeatures.compute(p, h, 100, vectors(), off).sequenceEvents);
    UserFeatures on = UserFeatures.compute(p, h, 100, vectors(), off.withSequenceAttention(A));
    assertEquals(1, on.sequenceCount);
    assertEquals(3 * A.eventWidth(2), on.sequenceEvents.length);
    assertEquals(0.5f, on.sequenceEvents[0]);
    assertThrows(IllegalArgumentException.class, () -> off.withSequenceAttention(
        new SequenceAttention(11, 4, List.of(), List.of())), "longer than the events a history keeps");
  }
}
