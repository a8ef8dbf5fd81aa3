package dev.bannerranker.serving.users;

import dev.bannerranker.data.EventType;
import dev.bannerranker.features.ChoiceCounts;
import dev.bannerranker.serving.store.Varints;
import java.util.Arrays;

/**
 * A user's latest behaviour events and impressions, oldest first, packed into one {@code byte[]}: the events
 * region, the impressions region, then the whole history's browsing choice counts ({@link ChoiceCounts#pack}; an
 * empty region when none are kept). Names are {@code NameDictionary} ids, so the log means the same thing
 * under every model. Quiet users stay small: the array grows with use, to the bytes needed plus 8 to 15 spare.
 *
 * <p>Every record starts with its time: absolute for the oldest record of its region, else the difference from
 * the record before, as a varint of the difference plus one when it is not negative (a user's next event is
 * rarely earlier), else a 0 and the zig-zag varint of the difference; exact for any {@code long}, usually one or
 * two bytes. An event then
 * has a header byte (bits 0-2 type, 3-5 price tier with 7 meaning "a zig-zag varint follows", 6-7 how the dwell
 * is stored: 0 for {@code +0f}, 1 as tenths of a second in a varint, 2 as the raw float bits), the brand and
 * category ids as varints, the tier if escaped and the dwell. An impression then has the banner id. Every
 * value comes back bit for bit.
 *
 * <p>{@link UserState} extends this class rather than holding one, to save an object per user. Not thread-safe:
 * {@link UserState} guards it.
 */
class ActivityLog {
  private static final byte[] EMPTY = new byte[0];
  private static final EventType[] TYPES = EventType.values();
  /** Largest encoded record: time 11, header 1, two ids 5 each, tier 5, dwell 5. */
  private static final int MAX_RECORD = 32;

  static {
    if (TYPES.length > 8) {
      throw new IllegalStateException("the packed header holds at most 8 event types");
    }
  }

  /** Receives the log's records in order. */
  interface Visitor {
    void event(EventType type, int brandId, int categoryId, int priceTier, float dwellSeconds, long time);

    void impression(int bannerId, long time);
  }

  private byte[] buf = EMPTY;
  private int eventBytes;
  private int impressionBytes;
  private int eventCount;
  private int impressionCount;
  /** Bytes of the choice counts region (a char keeps {@link UserState} at 72 bytes; packed counts are smaller). */
  private char countBytes;
  private long lastEventTime;
  private long lastImpressionTime;

  ActivityLog() {}

  /** A copy of {@code other}'s records; empty for null. */
  ActivityLog(ActivityLog other) {
    if (other == null) {
      return;
    }
    buf = Arrays.copyOf(other.buf, other.eventBytes + other.impressionBytes + other.countBytes);
    eventBytes = other.eventBytes;
    impressionBytes = other.impressionBytes;
    countBytes = other.countBytes;
    eventCount = other.eventCount;
    impressionCount = other.impressionCount;
    lastEventTime = other.lastEventTime;
    lastImpressionTime = other.lastImpressionTime;
  }

  final int eventCount() {
    return eventCount;
  }

  final int impressionCount() {
    return impressionCount;
  }

  /** True when the log keeps the user's choice counts. */
  final boolean keepsChoiceCounts() {
    return countBytes > 0;
  }

  /** The kept choice counts, keyed by name ids; null when none are kept. */
  final ChoiceCounts choiceCounts() {
    int from = eventBytes + impressionBytes;
    return countBytes == 0 ? null : ChoiceCounts.unpack(buf, from, from + countBytes);
  }

  /** The packed choice counts, empty when none are kept. */
  final byte[] packedChoiceCounts() {
    int from = eventBytes + impressionBytes;
    return Arrays.copyOfRange(buf, from, from + countBytes);
  }

  /** True when the kept choice counts are these packed ones. */
  final boolean hasChoiceCounts(byte[] packed) {
    int from = eventBytes + impressionBytes;
    return Arrays.equals(buf, from, from + countBytes, packed, 0, packed.length);
  }

  /** Keeps {@code counts} (keyed by name ids) in place of the kept ones. */
  final void keepChoiceCounts(ChoiceCounts counts) {
    byte[] packed = counts.pack();
    if (packed.length > Character.MAX_VALUE) {
      throw new IllegalStateException("packed choice counts take " + packed.length + " bytes, more than 65,535");
    }
    splice(eventBytes + impressionBytes, countBytes, packed, packed.length);
    countBytes = (char) packed.length;
  }

  /** Bytes of the backing array, for tests of the packing. */
  final int capacityBytes() {
    return buf.length;
  }

  /** Appends a behaviour event. */
  final void addEvent(EventType type, int brandId, int categoryId, int priceTier, float dwellSeconds, long time) {
    byte[] r = new byte[MAX_RECORD];
    int n = putTime(r, 0, eventCount == 0 ? time : time - lastEventTime);
    int header = type.ordinal() | Varints.eventHeaderBits(priceTier, dwellSeconds);
    r[n++] = (byte) header;
    n = Varints.putEventBody(r, n, header, brandId, categoryId, priceTier, dwellSeconds);
    splice(eventBytes, 0, r, n);
    eventBytes += n;
    eventCount++;
    lastEventTime = time;
  }

  /** Appends an impression. */
  final void addImpression(int bannerId, long time) {
    byte[] r = new byte[MAX_RECORD];
    int n = putTime(r, 0, impressionCount == 0 ? time : time - lastImpressionTime);
    n = Varints.putVarint(r, n, bannerId);
    splice(eventBytes + impressionBytes, 0, r, n);
    impressionBytes += n;
    impressionCount++;
    lastImpressionTime = time;
  }

  final void dropOldestEvent() {
    dropOldest(0, true);
  }

  final void dropOldestImpression() {
    dropOldest(eventBytes, false);
  }

  /** The banner id of the oldest impression; the log must hold one. */
  final int oldestBanner() {
    Reader in = new Reader(buf, eventBytes);
    in.time();
    return in.varint();
  }

  /** The time of the oldest impression; the log must hold one. */
  final long oldestImpressionTime() {
    return new Reader(buf, eventBytes).time();
  }

  /** The time of the latest impression appended; meaningless when there is none. */
  final long lastImpressionTime() {
    return lastImpressionTime;
  }

  /** Forgets the oldest events and impressions beyond {@code max} of each. */
  final void trimTo(int max) {
    while (eventCount > max) {
      dropOldest(0, true);
    }
    while (impressionCount > max) {
      dropOldest(eventBytes, false);
    }
  }

  /** Visits the events, then the impressions, each oldest first, skipping the oldest ones as asked. */
  final void forEach(int skipEvents, int skipImpressions, Visitor v) {
    Reader in = new Reader(buf, 0);
    long time = 0;
    for (int k = 0; k < eventCount; k++) {
      time = k == 0 ? in.time() : time + in.time();
      int header = buf[in.pos++] & 0xFF;
      int brand = in.varint();
      int category = in.varint();
      int tier = in.priceTier(header);
      float dwell = in.dwell(header);
      if (k >= skipEvents) {
        v.event(TYPES[header & 7], brand, category, tier, dwell, time);
      }
    }
    for (int k = 0; k < impressionCount; k++) {
      time = k == 0 ? in.time() : time + in.time();
      int banner = in.varint();
      if (k >= skipImpressions) {
        v.impression(banner, time);
      }
    }
  }

  /**
   * Drops the oldest record of the region starting at {@code start}; the next one, if any, gets its absolute
   * time in place of its difference.
   */
  private void dropOldest(int start, boolean events) {
    Reader in = new Reader(buf, start);
    long first = in.time();
    if (events) {
      int header = buf[in.pos++] & 0xFF;
      in.varint();
      in.varint();
      in.priceTier(header);
      in.dwell(header);
    } else {
      in.varint();
    }
    int count = events ? eventCount : impressionCount;
    int removed;
    int added = 0;
    byte[] prefix = new byte[11];
    if (count == 1) {
      removed = in.pos - start;
    } else {
      long next = first + in.time();
      removed = in.pos - start;
      added = putTime(prefix, 0, next);
    }
    splice(start, removed, prefix, added);
    if (events) {
      eventBytes += added - removed;
      eventCount--;
    } else {
      impressionBytes += added - removed;
      impressionCount--;
    }
  }

  /** Replaces {@code removed} bytes at {@code at} with {@code n} bytes of {@code insert}. */
  private void splice(int at, int removed, byte[] insert, int n) {
    int used = eventBytes + impressionBytes + countBytes;
    int size = used - removed + n;
    if (size > buf.length) {
      // A little room to spare, not a share: a full log takes one record at a time and mostly stays its size.
      byte[] grown = new byte[(size + 15) & ~7];
      System.arraycopy(buf, 0, grown, 0, at);
      System.arraycopy(buf, at + removed, grown, at + n, used - at - removed);
      buf = grown;
    } else {
      System.arraycopy(buf, at + removed, buf, at + n, used - at - removed);
    }
    System.arraycopy(insert, 0, buf, at, n);
  }

  private static int putTime(byte[] out, int pos, long value) {
    if (value >= 0 && value < Long.MAX_VALUE) {
      return Varints.putVarlong(out, pos, value + 1);
    }
    out[pos++] = 0;
    return Varints.putVarlong(out, pos, (value << 1) ^ (value >> 63));
  }

  /** A cursor over the packed bytes. */
  private static final class Reader extends Varints.Cursor {
    Reader(byte[] b, int pos) {
      super(b, pos);
    }

    /** A time or difference, as {@link #putTime} wrote it. */
    long time() {
      long v = varlong();
      if (v != 0) {
        return v - 1;
      }
      long z = varlong();
      return (z >>> 1) ^ -(z & 1);
    }
  }
}
