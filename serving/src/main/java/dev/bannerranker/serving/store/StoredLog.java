package dev.bannerranker.serving.store;

import dev.bannerranker.data.EventType;
import dev.bannerranker.features.ChoiceCounts;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A user's activity log as the store holds it: an optional header, then self-contained records in the order they
 * were appended. Records carry the store's name ids ({@link UserStore#nameId}), which are the same in every process
 * and after restarts, and absolute times, so appending is concatenation: an append never reads the value (Redis
 * {@code APPEND}, or a script that does no more), and two appends for one user from two replicas both land.
 *
 * <p>A record: a header byte (bits 0-2 the {@link EventType} ordinal, or 7 for an impression; bits 3-5 the price tier,
 * 7 meaning a zig-zag varint follows; bits 6-7 how the dwell is stored: 0 for {@code +0f}, 1 as tenths of a second in
 * a varint, 2 as the raw float bits; never 3), the time as the zig-zag varint of its difference from 2024-01-01 in
 * seconds (four bytes for 2024 to 2032), then an event's brand and category ids as varints, the tier if escaped and
 * the dwell, or an impression's banner id. Events typically take 7 to 9 bytes, impressions 5 or 6.
 *
 * <p>The header, written only by {@link #compact}: the byte {@value #HEADER} (a record never starts with bits 6-7
 * set), the generation as four big-endian bytes (every compaction adds one, so a compaction whose input was
 * compacted meanwhile can be refused by comparing it), then varints of the header's remaining length, the behaviour
 * events compaction dropped, and how many of the leading events are already counted in the choice counts that end
 * the header ({@link ChoiceCounts#pack}, keyed by store ids, covering the user's whole history up to there). A
 * value without the header has generation 0, nothing dropped and no counts.
 *
 * <p>{@link #compact} keeps the latest {@code capacity} events and impressions, plus the impressions within the
 * frequency-cap window of the latest one (up to {@code maxImpressions}), so caps count from the store rather than a
 * model's ring; dropped events move into the counts.
 */
public final class StoredLog {
  /** First byte of a header; bits 6-7 set, which no record's header byte has. */
  public static final int HEADER = 0xC1;
  /** Offset of the four-byte generation in a value with a header. */
  public static final int GENERATION_OFFSET = 1;
  /** Times are stored relative to 2024-01-01T00:00:00Z. */
  public static final long TIME_BASE = 1_704_067_200L;
  private static final int IMPRESSION = 7;
  private static final EventType[] TYPES = EventType.values();

  static {
    if (TYPES.length > IMPRESSION) {
      throw new IllegalStateException("the record header holds at most 7 event types");
    }
  }

  private StoredLog() {}

  /**
   * What compaction keeps.
   *
   * @param capacity latest behaviour events and, separately, impressions always kept (ranker.users.activity-capacity)
   * @param capWindowSeconds impressions this recent (before the latest one) are kept beyond {@code capacity}
   * @param maxImpressions most impressions kept in all
   */
  public record Limits(int capacity, long capWindowSeconds, int maxImpressions) {
    public Limits {
      if (capacity < 1 || maxImpressions < capacity || capWindowSeconds < 0) {
        throw new IllegalArgumentException("log limits need 1 <= capacity <= maxImpressions and a window >= 0");
      }
    }
  }

  /** Receives a log's records in order, with store ids. */
  public interface Visitor {
    void event(EventType type, int brandId, int categoryId, int priceTier, float dwellSeconds, long time);

    void impression(int bannerId, long time);
  }

  /**
   * A value's header.
   *
   * @param generation compactions so far (0 without a header)
   * @param droppedEvents behaviour events compaction dropped
   * @param countedEvents leading events of the records already in {@code counts}
   * @param counts packed choice counts by store ids; empty when none are kept
   * @param recordsStart offset of the first record
   */
  public record Header(int generation, long droppedEvents, int countedEvents, byte[] counts, int recordsStart) {
    static final Header NONE = new Header(0, 0, 0, new byte[0], 0);

    /** The counts, or null when none are kept. */
    public ChoiceCounts choiceCounts() {
      return counts.length == 0 ? null : ChoiceCounts.unpack(counts, 0, counts.length);
    }
  }

  /** Builds records to append. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    private final byte[] r = new byte[32];

    public Writer event(EventType type, int brandId, int categoryId, int priceTier, float dwellSeconds, long time) {
      int header = type.ordinal() | Varints.eventHeaderBits(priceTier, dwellSeconds);
      int n = 0;
      r[n++] = (byte) header;
      n = putTime(r, n, time);
      n = Varints.putVarint(r, n, brandId);
      n = Varints.putVarint(r, n, categoryId);
      n = Varints.putEventTail(r, n, header, priceTier, dwellSeconds);
      out.write(r, 0, n);
      return this;
    }

    public Writer impression(int bannerId, long time) {
      int n = 0;
      r[n++] = (byte) IMPRESSION;
      n = putTime(r, n, time);
      n = Varints.putVarint(r, n, bannerId);
      out.write(r, 0, n);
      return this;
    }

    public boolean isEmpty() {
      return out.size() == 0;
    }

    /** The records written so far. */
    public byte[] toBytes() {
      return out.toByteArray();
    }
  }

  /** The header of {@code value} ({@link Header#NONE} when it has none). */
  public static Header header(byte[] value) {
    if (value.length == 0 || (value[0] & 0xFF) != HEADER) {
      return Header.NONE;
    }
    if (value.length < GENERATION_OFFSET + 4) {
      throw corrupt();
    }
    int generation = generation(value);
    Reader in = new Reader(value, GENERATION_OFFSET + 4);
    try {
      int length = in.varint();
      int end = in.pos + length;
      if (length < 0 || end > value.length) {
        throw corrupt();
      }
      long dropped = in.varlong();
      int counted = in.varint();
      if (in.pos > end) {
        throw corrupt();
      }
      return new Header(generation, dropped, counted, Arrays.copyOfRange(value, in.pos, end), end);
    } catch (ArrayIndexOutOfBoundsException e) {
      throw corrupt();
    }
  }

  /** The generation of a value with a header, 0 for one without. */
  public static int generation(byte[] value) {
    if (value.length < GENERATION_OFFSET + 4 || (value[0] & 0xFF) != HEADER) {
      return 0;
    }
    int o = GENERATION_OFFSET;
    return (value[o] & 0xFF) << 24 | (value[o + 1] & 0xFF) << 16 | (value[o + 2] & 0xFF) << 8 | (value[o + 3] & 0xFF);
  }

  /** Visits the records of {@code value} in order. */
  public static void forEach(byte[] value, Visitor v) {
    forEach(value, header(value).recordsStart(), v);
  }

  private static void forEach(byte[] value, int from, Visitor v) {
    Reader in = new Reader(value, from);
    try {
      while (in.pos < value.length) {
        int h = value[in.pos++] & 0xFF;
        long time = in.time();
        int kind = h & 7;
        if (kind == IMPRESSION) {
          v.impression(in.varint(), time);
          continue;
        }
        if (kind >= TYPES.length || Varints.badDwellMode(h)) {
          throw corrupt();
        }
        int brand = in.varint();
        int category = in.varint();
        int tier = in.priceTier(h);
        float dwell = in.dwell(h);
        v.event(TYPES[kind], brand, category, tier, dwell, time);
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      throw corrupt();
    }
  }

  /** A value with this header and these records. */
  public static byte[] withHeader(int generation, long droppedEvents, int countedEvents, ChoiceCounts counts,
      byte[] records) {
    byte[] packed = counts == null ? new byte[0] : counts.pack();
    byte[] tmp = new byte[30];
    int n = Varints.putVarlong(tmp, 0, droppedEvents);
    n = Varints.putVarint(tmp, n, countedEvents);
    int length = n + packed.length;
    byte[] len = new byte[5];
    int ln = Varints.putVarint(len, 0, length);
    byte[] out = new byte[GENERATION_OFFSET + 4 + ln + length + records.length];
    int o = 0;
    out[o++] = (byte) HEADER;
    out[o++] = (byte) (generation >>> 24);
    out[o++] = (byte) (generation >>> 16);
    out[o++] = (byte) (generation >>> 8);
    out[o++] = (byte) generation;
    System.arraycopy(len, 0, out, o, ln);
    o += ln;
    System.arraycopy(tmp, 0, out, o, n);
    o += n;
    System.arraycopy(packed, 0, out, o, packed.length);
    o += packed.length;
    System.arraycopy(records, 0, out, o, records.length);
    return out;
  }

  /** Record counts of a value: {events, impressions}. */
  public static int[] counts(byte[] value) {
    int[] c = new int[2];
    forEach(value, new Visitor() {
      @Override
      public void event(EventType type, int brand, int category, int tier, float dwell, long time) {
        c[0]++;
      }

      @Override
      public void impression(int banner, long time) {
        c[1]++;
      }
    });
    return c;
  }

  /** True when {@link #compact} is due: either kind has grown half the capacity past what it keeps. */
  public static boolean needsCompaction(byte[] value, Limits limits) {
    return needsCompaction(value, limits, Math.max(1, limits.capacity() / 2));
  }

  /** True when either kind has grown more than {@code slack} records past the capacity. */
  public static boolean needsCompaction(byte[] value, Limits limits, int slack) {
    int[] c = counts(value);
    return c[0] > limits.capacity() + slack || c[1] > limits.capacity() + slack;
  }

  /**
   * The value with the oldest records dropped as {@link Limits} allows (events folded into the counts when the
   * value keeps counts, or {@code keepCounts}), under the next generation; {@code value} itself when nothing is
   * dropped.
   */
  public static byte[] compact(byte[] value, Limits limits, boolean keepCounts) {
    Header h = header(value);
    List<long[]> events = new ArrayList<>();
    List<long[]> impressions = new ArrayList<>();
    List<int[]> spans = new ArrayList<>(); // {start, end, kind 0 event / 1 impression}
    Reader probe = new Reader(value, h.recordsStart());
    int[] start = {h.recordsStart()};
    long[] maxShown = {Long.MIN_VALUE};
    forEach(value, h.recordsStart(), new Visitor() {
      @Override
      public void event(EventType type, int brand, int category, int tier, float dwell, long time) {
        events.add(new long[] {type.ordinal(), brand, category, time});
        spans.add(new int[] {start[0], end(), 0});
      }

      @Override
      public void impression(int banner, long time) {
        impressions.add(new long[] {banner, time});
        maxShown[0] = Math.max(maxShown[0], time);
        spans.add(new int[] {start[0], end(), 1});
      }

      private int end() {
        skipRecord(value, probe);
        int e = probe.pos;
        start[0] = e;
        return e;
      }
    });
    int dropEvents = Math.max(0, events.size() - limits.capacity());
    int n = impressions.size();
    boolean[] dropImpression = new boolean[n];
    int droppedImpressions = 0;
    for (int i = 0; i < n; i++) {
      boolean latest = i >= n - limits.capacity();
      boolean inWindow = impressions.get(i)[1] >= maxShown[0] - limits.capWindowSeconds()
          && n - i <= limits.maxImpressions();
      if (!latest && !inWindow) {
        dropImpression[i] = true;
        droppedImpressions++;
      }
    }
    if (dropEvents == 0 && droppedImpressions == 0) {
      return value;
    }
    ChoiceCounts counts = h.choiceCounts();
    if (counts == null && keepCounts) {
      counts = new ChoiceCounts();
    }
    int counted = h.countedEvents();
    if (counts != null) {
      // Everything up to the last dropped event goes into the counts; kept events stay uncounted as before.
      for (int i = counted; i < dropEvents; i++) {
        long[] e = events.get(i);
        counts.add((int) e[1], (int) e[2], TYPES[(int) e[0]], e[3]);
      }
    }
    int newCounted = Math.max(0, counted - dropEvents);
    ByteArrayOutputStream kept = new ByteArrayOutputStream(value.length);
    int ev = 0;
    int im = 0;
    for (int[] s : spans) {
      boolean drop = s[2] == 0 ? ev++ < dropEvents : dropImpression[im++];
      if (!drop) {
        kept.write(value, s[0], s[1] - s[0]);
      }
    }
    return withHeader(h.generation() + 1, h.droppedEvents() + dropEvents, newCounted, counts, kept.toByteArray());
  }

  private static void skipRecord(byte[] value, Reader in) {
    int h = value[in.pos++] & 0xFF;
    in.time();
    if ((h & 7) == IMPRESSION) {
      in.varint();
      return;
    }
    in.varint();
    in.varint();
    in.priceTier(h);
    in.dwell(h);
  }

  private static IllegalStateException corrupt() {
    return new IllegalStateException("a stored activity log is corrupt");
  }

  private static int putTime(byte[] out, int pos, long time) {
    long d = time - TIME_BASE;
    return Varints.putVarlong(out, pos, (d << 1) ^ (d >> 63));
  }

  /** A cursor over the packed bytes. */
  private static final class Reader extends Varints.Cursor {
    Reader(byte[] b, int pos) {
      super(b, pos);
    }

    long time() {
      long z = varlong();
      return ((z >>> 1) ^ -(z & 1)) + TIME_BASE;
    }
  }
}
