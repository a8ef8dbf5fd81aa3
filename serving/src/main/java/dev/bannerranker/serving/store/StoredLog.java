package dev.bannerranker.serving.store;

import dev.bannerranker.data.EventType;
import dev.bannerranker.features.ChoiceCounts;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A user's activity log as the store holds it: an optional header with a packed block of records, then
 * self-contained records in the order they were appended. Records carry the store's name ids ({@link
 * UserStore#nameId}), which are the same in every process and after restarts. Appending is concatenation of
 * self-contained records: an append never reads the value (Redis {@code APPEND}, or a script that does no more),
 * and two appends for one user from two replicas both land.
 *
 * <p>A self-contained record ({@link Writer}): a header byte (bits 0-2 the {@link EventType} ordinal, or 7 for an
 * impression; bits 3-5 the price tier, 7 meaning a zig-zag varint follows; bits 6-7 how the dwell is stored: 0 for
 * {@code +0f}, 1 as tenths of a second in a varint, 2 as the raw float bits; never 3), the time as the zig-zag
 * varint of its difference from 2024-01-01 in seconds (four bytes for 2024 to 2032), then an event's brand and
 * category ids as varints, the tier if escaped and the dwell, or an impression's banner id.
 *
 * <p>The header, written by {@link #compact} and {@link #withHeader}: the byte {@value #HEADER} (a record never
 * starts with bits 6-7 set), the generation as four big-endian bytes (every compaction adds one, so a compaction
 * whose input was compacted meanwhile can be refused by comparing it), the length of the header and block from the
 * value's start as four big-endian bytes (where the appended records begin), then varints of the header's remaining
 * length, the behaviour events compaction dropped, and how many of the leading events are already counted in the
 * choice counts that end the header ({@link ChoiceCounts#pack}, keyed by store ids, covering the user's whole
 * history up to there). The block follows: the same records in order, each time coded against the record before
 * (the first against 2024-01-01) in a lead varint, {@code (difference + 1) << 1 | impression} when the difference is
 * not negative, else {@code impression} and the zig-zag varint of the absolute time; then an event's header byte
 * (bits 0-2 the type, 3-7 as above), ids, tier and dwell, or an impression's banner id. A block event typically
 * takes 5 to 7 bytes, an impression 3 or 4, against 8 to 9 and 6 to 7 self-contained.
 *
 * <p>A value from before the block ({@value #HEADER_V1}: the header without the block length, then self-contained
 * records) or without a header still reads; the next compaction rewrites it in the current form. A value without
 * a header has generation 0, nothing dropped and no counts.
 *
 * <p>{@link #compact} keeps the latest {@code capacity} events and impressions, plus the impressions within the
 * frequency-cap window of the latest one (up to {@code maxImpressions}), so caps count from the store rather than a
 * model's ring; dropped events move into the counts.
 */
public final class StoredLog {
  /** First byte of a header; bits 6-7 set, which no record's header byte has. */
  public static final int HEADER = 0xC2;
  /** First byte of a header written before the block: the header, then self-contained records only. */
  public static final int HEADER_V1 = 0xC1;
  /** Offset of the four-byte generation in a value with a header. */
  public static final int GENERATION_OFFSET = 1;
  /** Offset of the four-byte length of header and block, after which the appended records start. */
  public static final int APPENDED_OFFSET = 5;
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
   * @param recordsStart offset of the first record (of the block, when the value has one)
   * @param appendedStart offset of the first self-contained record appended after the block
   */
  public record Header(int generation, long droppedEvents, int countedEvents, byte[] counts, int recordsStart,
      int appendedStart) {
    static final Header NONE = new Header(0, 0, 0, new byte[0], 0, 0);

    /** The counts, or null when none are kept. */
    public ChoiceCounts choiceCounts() {
      return counts.length == 0 ? null : ChoiceCounts.unpack(counts, 0, counts.length);
    }
  }

  /** Builds self-contained records to append. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    private final byte[] r = new byte[32];

    public Writer event(EventType type, int brandId, int categoryId, int priceTier, float dwellSeconds, long time) {
      int header = type.ordinal() | Varints.eventHeaderBits(priceTier, dwellSeconds);
      int n = 0;
      r[n++] = (byte) header;
      n = putTime(r, n, time);
      n = Varints.putEventBody(r, n, header, brandId, categoryId, priceTier, dwellSeconds);
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

  /** Builds a block: records whose times are coded against the record before. */
  private static final class BlockWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private final byte[] r = new byte[40];
    private long last = TIME_BASE;

    void add(Rec x) {
      int impression = x.kind == IMPRESSION ? 1 : 0;
      int n;
      long d = x.time - last;
      // Not negative and not overflowed: the difference, else the absolute time behind an escape.
      if (x.time >= last && d >= 0 && d < Long.MAX_VALUE >> 2) {
        n = Varints.putVarlong(r, 0, (d + 1) << 1 | impression);
      } else {
        n = Varints.putVarlong(r, 0, impression);
        n = Varints.putVarlong(r, n, (x.time << 1) ^ (x.time >> 63));
      }
      last = x.time;
      if (impression == 1) {
        n = Varints.putVarint(r, n, x.id);
      } else {
        int header = x.kind | Varints.eventHeaderBits(x.tier, x.dwell);
        r[n++] = (byte) header;
        n = Varints.putEventBody(r, n, header, x.id, x.category, x.tier, x.dwell);
      }
      out.write(r, 0, n);
    }

    byte[] toBytes() {
      return out.toByteArray();
    }
  }

  /** One record, decoded. */
  private record Rec(int kind, int id, int category, int tier, float dwell, long time) {
    boolean isEvent() {
      return kind != IMPRESSION;
    }

    void visit(Visitor v) {
      if (kind == IMPRESSION) {
        v.impression(id, time);
      } else {
        v.event(TYPES[kind], id, category, tier, dwell, time);
      }
    }
  }

  /** The header of {@code value} ({@link Header#NONE} when it has none). */
  public static Header header(byte[] value) {
    int first = value.length == 0 ? 0 : value[0] & 0xFF;
    if (first != HEADER && first != HEADER_V1) {
      return Header.NONE;
    }
    int lengthAt = first == HEADER ? APPENDED_OFFSET + 4 : GENERATION_OFFSET + 4;
    if (value.length < lengthAt) {
      throw corrupt();
    }
    int generation = int32(value, GENERATION_OFFSET);
    Reader in = new Reader(value, lengthAt);
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
      int appended = first == HEADER ? int32(value, APPENDED_OFFSET) : end;
      if (appended < end || appended > value.length) {
        throw corrupt();
      }
      return new Header(generation, dropped, counted, Arrays.copyOfRange(value, in.pos, end), end, appended);
    } catch (ArrayIndexOutOfBoundsException e) {
      throw corrupt();
    }
  }

  /** The generation of a value with a header, 0 for one without. */
  public static int generation(byte[] value) {
    int first = value.length == 0 ? 0 : value[0] & 0xFF;
    if (value.length < GENERATION_OFFSET + 4 || first != HEADER && first != HEADER_V1) {
      return 0;
    }
    return int32(value, GENERATION_OFFSET);
  }

  private static int int32(byte[] b, int o) {
    return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
  }

  /** Visits the records of {@code value} in order. */
  public static void forEach(byte[] value, Visitor v) {
    Header h = header(value);
    forEach(value, h, x -> x.visit(v));
  }

  private static void forEach(byte[] value, Header h, java.util.function.Consumer<Rec> to) {
    Reader in = new Reader(value, h.recordsStart());
    try {
      long last = TIME_BASE;
      while (in.pos < h.appendedStart()) {
        long lead = in.varlong();
        int impression = (int) (lead & 1);
        long time = lead >>> 1 == 0 ? in.zigzag() : last + (lead >>> 1) - 1;
        last = time;
        if (in.pos >= h.appendedStart()) {
          throw corrupt();
        }
        to.accept(impression == 1 ? new Rec(IMPRESSION, in.varint(), 0, 0, 0f, time)
            : in.event(value[in.pos++] & 0xFF, time));
      }
      if (in.pos != h.appendedStart()) {
        throw corrupt();
      }
      while (in.pos < value.length) {
        int header = value[in.pos++] & 0xFF;
        long time = in.zigzag() + TIME_BASE;
        to.accept((header & 7) == IMPRESSION ? new Rec(IMPRESSION, in.varint(), 0, 0, 0f, time)
            : in.event(header, time));
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      throw corrupt();
    }
  }

  /**
   * A value with this header and these self-contained records ({@link Writer} bytes), which the value holds in its
   * block.
   */
  public static byte[] withHeader(int generation, long droppedEvents, int countedEvents, ChoiceCounts counts,
      byte[] records) {
    List<Rec> all = new ArrayList<>();
    forEach(records, Header.NONE, all::add);
    return withBlock(generation, droppedEvents, countedEvents, counts, all, new byte[0]);
  }

  private static byte[] withBlock(int generation, long droppedEvents, int countedEvents, ChoiceCounts counts,
      List<Rec> records, byte[] appended) {
    BlockWriter block = new BlockWriter();
    records.forEach(block::add);
    byte[] blockBytes = block.toBytes();
    byte[] packed = counts == null ? new byte[0] : counts.pack();
    byte[] tmp = new byte[30];
    int n = Varints.putVarlong(tmp, 0, droppedEvents);
    n = Varints.putVarint(tmp, n, countedEvents);
    int length = n + packed.length;
    byte[] len = new byte[5];
    int ln = Varints.putVarint(len, 0, length);
    int appendedStart = APPENDED_OFFSET + 4 + ln + length + blockBytes.length;
    byte[] out = new byte[appendedStart + appended.length];
    int o = 0;
    out[o++] = (byte) HEADER;
    o = putInt32(out, o, generation);
    o = putInt32(out, o, appendedStart);
    System.arraycopy(len, 0, out, o, ln);
    o += ln;
    System.arraycopy(tmp, 0, out, o, n);
    o += n;
    System.arraycopy(packed, 0, out, o, packed.length);
    o += packed.length;
    System.arraycopy(blockBytes, 0, out, o, blockBytes.length);
    o += blockBytes.length;
    System.arraycopy(appended, 0, out, o, appended.length);
    return out;
  }

  private static int putInt32(byte[] out, int o, int v) {
    out[o] = (byte) (v >>> 24);
    out[o + 1] = (byte) (v >>> 16);
    out[o + 2] = (byte) (v >>> 8);
    out[o + 3] = (byte) v;
    return o + 4;
  }

  /** Record counts of a value: {events, impressions}. */
  public static int[] counts(byte[] value) {
    int[] c = new int[2];
    forEach(value, header(value), x -> c[x.isEvent() ? 0 : 1]++);
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
   * value keeps counts, or {@code keepCounts}), under the next generation, in the current form; {@code value} itself
   * when nothing is dropped.
   */
  public static byte[] compact(byte[] value, Limits limits, boolean keepCounts) {
    Header h = header(value);
    List<Rec> all = new ArrayList<>();
    forEach(value, h, all::add);
    int eventCount = 0;
    long maxShown = Long.MIN_VALUE;
    List<Long> shownTimes = new ArrayList<>();
    for (Rec x : all) {
      if (x.isEvent()) {
        eventCount++;
      } else {
        shownTimes.add(x.time);
        maxShown = Math.max(maxShown, x.time);
      }
    }
    int dropEvents = Math.max(0, eventCount - limits.capacity());
    int n = shownTimes.size();
    boolean[] dropImpression = new boolean[n];
    int droppedImpressions = 0;
    for (int i = 0; i < n; i++) {
      boolean latest = i >= n - limits.capacity();
      boolean inWindow = shownTimes.get(i) >= maxShown - limits.capWindowSeconds() && n - i <= limits.maxImpressions();
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
    List<Rec> kept = new ArrayList<>(all.size() - dropEvents - droppedImpressions);
    int ev = 0;
    int im = 0;
    for (Rec x : all) {
      if (x.isEvent()) {
        int k = ev++;
        if (k >= dropEvents) {
          kept.add(x);
        } else if (counts != null && k >= counted) {
          // Everything up to the last dropped event goes into the counts; kept events stay uncounted as before.
          counts.add(x.id, x.category, TYPES[x.kind], x.time);
        }
      } else if (!dropImpression[im++]) {
        kept.add(x);
      }
    }
    int newCounted = Math.max(0, counted - dropEvents);
    return withBlock(h.generation() + 1, h.droppedEvents() + dropEvents, newCounted, counts, kept, new byte[0]);
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

    long zigzag() {
      long z = varlong();
      return (z >>> 1) ^ -(z & 1);
    }

    /** The rest of an event after its header byte. */
    Rec event(int header, long time) {
      int kind = header & 7;
      if (kind >= TYPES.length || Varints.badDwellMode(header)) {
        throw corrupt();
      }
      int brand = varint();
      int category = varint();
      int tier = priceTier(header);
      float dwell = dwell(header);
      return new Rec(kind, brand, category, tier, dwell, time);
    }
  }
}
