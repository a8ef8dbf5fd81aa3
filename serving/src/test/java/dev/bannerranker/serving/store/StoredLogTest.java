package dev.bannerranker.serving.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.EventType;
import dev.bannerranker.features.ChoiceCounts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoredLogTest {
  static final long T = 1_773_144_000L; // 2026-03-10T12:00:00Z

  /** Every record as text, in order. */
  static List<String> records(byte[] value) {
    List<String> out = new ArrayList<>();
    StoredLog.forEach(value, new StoredLog.Visitor() {
      @Override
      public void event(EventType type, int brand, int category, int tier, float dwell, long time) {
        out.add(type + " " + brand + " " + category + " " + tier + " " + Float.floatToRawIntBits(dwell) + " " + time);
      }

      @Override
      public void impression(int banner, long time) {
        out.add("shown " + banner + " " + time);
      }
    });
    return out;
  }

  @Test
  void recordsComeBackBitForBitAndConcatenationIsAppending() {
    byte[] a = new StoredLog.Writer().event(EventType.VIEW, 3, 7, 2, 12.5f, T).impression(300, T + 1).toBytes();
    byte[] b = new StoredLog.Writer().event(EventType.PURCHASE, 100_000, 1, -3, 0.123456f, T - 5)
        .event(EventType.BANNER_CLICK, 1, 2, 9, 0f, 0).impression(1, Long.MIN_VALUE / 4).toBytes();
    byte[] both = MemoryUserStore.concat(a, b);
    assertEquals(List.of(
        "VIEW 3 7 2 " + Float.floatToRawIntBits(12.5f) + " " + T,
        "shown 300 " + (T + 1),
        "PURCHASE 100000 1 -3 " + Float.floatToRawIntBits(0.123456f) + " " + (T - 5),
        "BANNER_CLICK 1 2 9 0 0",
        "shown 1 " + Long.MIN_VALUE / 4), records(both));
    assertEquals(0, StoredLog.generation(both));
    // Recent records are small: this event (a dwell in tenths) takes 8 bytes, the impression 7 (banner id > 127).
    assertEquals(15, a.length);
  }

  @Test
  void compactionKeepsTheLatestAndTheCapWindowAndCountsWhatItDrops() {
    StoredLog.Limits limits = new StoredLog.Limits(4, 86_400, 10);
    StoredLog.Writer w = new StoredLog.Writer();
    ChoiceCounts all = new ChoiceCounts();
    for (int i = 0; i < 12; i++) {
      long t = T - 3 * 86_400 + i * 3_600L * 6; // every 6 h, over 3 days
      w.event(EventType.VIEW, 1 + i % 3, 1 + i % 2, 1, 5f, t);
      all.add(1 + i % 3, 1 + i % 2, EventType.VIEW, t);
      w.impression(50 + i, t);
    }
    byte[] value = w.toBytes();
    assertTrue(StoredLog.needsCompaction(value, limits));
    byte[] compacted = StoredLog.compact(value, limits, true);
    assertEquals(1, StoredLog.generation(compacted));
    StoredLog.Header h = StoredLog.header(compacted);
    assertEquals(8, h.droppedEvents());
    assertEquals(0, h.countedEvents());
    int[] counts = StoredLog.counts(compacted);
    assertEquals(4, counts[0]);
    // The latest impression is at hour 66: those within a day of it (hours 42 to 66) are 5, one more than 4.
    assertEquals(5, counts[1]);
    // The stored counts and the kept events make the whole history's counts.
    ChoiceCounts whole = h.choiceCounts();
    List<String> kept = records(compacted);
    StoredLog.forEach(compacted, new StoredLog.Visitor() {
      @Override
      public void event(EventType type, int brand, int category, int tier, float dwell, long time) {
        whole.add(brand, category, type, time);
      }

      @Override
      public void impression(int banner, long time) {}
    });
    assertArrayEquals(all.pack(), whole.pack());
    // In their order: impression 7, then events and impressions 8 to 11.
    assertEquals(records(value).subList(15, 24), kept);
    // Appending after a compaction is still concatenation; compacting what needs none changes nothing.
    byte[] more = MemoryUserStore.concat(compacted, new StoredLog.Writer().impression(99, T).toBytes());
    assertEquals("shown 99 " + T, records(more).get(records(more).size() - 1));
    assertSame(compacted, StoredLog.compact(compacted, limits, true));
  }

  @Test
  void aValueWithoutHeaderHasNone() {
    StoredLog.Header h = StoredLog.header(new byte[0]);
    assertEquals(0, h.generation());
    assertNull(h.choiceCounts());
  }

  @Test
  void corruptBytesAreAnErrorNotAnything() {
    assertThrows(IllegalStateException.class, () -> records(new byte[] {(byte) 0x40, 1}));
    assertThrows(IllegalStateException.class, () -> records(new byte[] {(byte) StoredLog.HEADER, 0, 0}));
  }
}
