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

  /** A value in the form written before the block: header {@link StoredLog#HEADER_V1}, then these records. */
  static byte[] earlierForm(int generation, long dropped, int counted, ChoiceCounts counts, byte[] records) {
    byte[] packed = counts == null ? new byte[0] : counts.pack();
    byte[] fields = new byte[20];
    int n = Varints.putVarlong(fields, 0, dropped);
    n = Varints.putVarint(fields, n, counted);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(StoredLog.HEADER_V1);
    out.writeBytes(new byte[] {(byte) (generation >>> 24), (byte) (generation >>> 16), (byte) (generation >>> 8),
        (byte) generation});
    byte[] len = new byte[5];
    out.write(len, 0, Varints.putVarint(len, 0, n + packed.length));
    out.write(fields, 0, n);
    out.writeBytes(packed);
    out.writeBytes(records);
    return out.toByteArray();
  }

  /** A shopper's day: views a few seconds to minutes apart, each page view showing three banners at once. */
  static byte[] aDay(int pages) {
    StoredLog.Writer w = new StoredLog.Writer();
    long t = T;
    for (int i = 0; i < pages; i++) {
      t += 5 + (i * 37) % 400;
      w.event(EventType.VIEW, 1 + (i * 7) % 200, 1 + i % 30, i % 4, 4.5f + i % 20, t);
      for (int slot = 0; slot < 3; slot++) {
        w.impression(1 + (i * 13 + slot * 101) % 10_000, t);
      }
    }
    return w.toBytes();
  }

  @Test
  void theBlockHoldsTheSameRecordsInFewerBytes() {
    byte[] records = aDay(40);
    byte[] packed = StoredLog.withHeader(3, 7, 0, null, records);
    assertEquals(records(records), records(packed));
    StoredLog.Header h = StoredLog.header(packed);
    assertEquals(3, h.generation());
    assertEquals(7, h.droppedEvents());
    assertEquals(packed.length, h.appendedStart());
    // Self-contained, an event here takes 8 to 10 bytes and an impression 7; in the block at most 7 and 3.
    assertTrue(records.length >= 40 * 8 + 120 * 7, "self-contained: " + records.length);
    assertTrue(packed.length - h.recordsStart() <= 40 * 7 + 120 * 3, "block: " + (packed.length - h.recordsStart()));
    // Appending to a value with a block is still concatenation, behind the block.
    byte[] more = new StoredLog.Writer().impression(99, T - 1).event(EventType.ADD_TO_CART, 2, 3, 1, 0f, T).toBytes();
    assertEquals(List.of("shown 99 " + (T - 1), "ADD_TO_CART 2 3 1 0 " + T),
        records(MemoryUserStore.concat(packed, more)).subList(160, 162));
  }

  @Test
  void timesOfAnyOrderAndSizeComeBackFromTheBlock() {
    byte[] records = new StoredLog.Writer().event(EventType.PURCHASE, 100_000, 1, -3, 0.123456f, T)
        .impression(5, T - 86_400).event(EventType.BANNER_CLICK, 1, 2, 9, 0f, 0).impression(1, Long.MIN_VALUE / 4)
        .impression(2, Long.MAX_VALUE / 2).impression(3, Long.MAX_VALUE).impression(4, Long.MIN_VALUE / 2)
        .impression(6, StoredLog.TIME_BASE).toBytes();
    assertEquals(records(records), records(StoredLog.withHeader(0, 0, 0, null, records)));
  }

  @Test
  void aValueInTheEarlierFormReadsAndCompactsIntoTheCurrentOne() {
    ChoiceCounts counts = new ChoiceCounts();
    counts.add(4, 5, EventType.VIEW, T - 86_400);
    byte[] records = aDay(30);
    byte[] old = earlierForm(2, 11, 1, counts, records);
    assertEquals(records(records), records(old));
    StoredLog.Header h = StoredLog.header(old);
    assertEquals(2, h.generation());
    assertEquals(11, h.droppedEvents());
    assertEquals(1, h.countedEvents());
    assertArrayEquals(counts.pack(), h.counts());
    assertEquals(h.recordsStart(), h.appendedStart()); // no block: every record is self-contained
    assertEquals(List.of(30, 90), List.of(StoredLog.counts(old)[0], StoredLog.counts(old)[1]));
    // Appends to it stay concatenation until the next compaction rewrites it with a block.
    byte[] appended = MemoryUserStore.concat(old, new StoredLog.Writer().impression(7, T + 99_999).toBytes());
    StoredLog.Limits limits = new StoredLog.Limits(20, 0, 20);
    byte[] compacted = StoredLog.compact(appended, limits, true);
    assertEquals(StoredLog.HEADER, compacted[0] & 0xFF);
    StoredLog.Header c = StoredLog.header(compacted);
    assertEquals(3, c.generation());
    assertEquals(21, c.droppedEvents());
    assertEquals(0, c.countedEvents());
    List<String> all = records(appended);
    List<String> kept = records(compacted);
    assertEquals(40, kept.size());
    assertEquals(all.get(all.size() - 1), kept.get(kept.size() - 1));
    assertTrue(compacted.length < appended.length / 2, compacted.length + " of " + appended.length);
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
    assertThrows(IllegalStateException.class, () -> records(new byte[] {(byte) StoredLog.HEADER_V1, 0, 0}));
    byte[] packed = StoredLog.withHeader(0, 0, 0, null, aDay(2));
    // The block's length pointing into its last record, or past the value.
    for (int cut : new int[] {1, -packed.length}) {
      byte[] bad = packed.clone();
      int at = StoredLog.APPENDED_OFFSET + 3;
      bad[at] = (byte) (bad[at] - cut);
      assertThrows(IllegalStateException.class, () -> records(bad));
    }
  }
}
