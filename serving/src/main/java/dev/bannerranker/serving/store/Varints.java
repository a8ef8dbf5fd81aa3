package dev.bannerranker.serving.store;

/**
 * The byte codes of the packed user logs (the cache's {@code ActivityLog} and the store's {@link StoredLog}): LEB128
 * varints and dwell times in tenths of a second.
 */
public final class Varints {
  private Varints() {}

  public static int putVarlong(byte[] out, int pos, long v) {
    while ((v & ~0x7FL) != 0) {
      out[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[pos++] = (byte) v;
    return pos;
  }

  public static int putVarint(byte[] out, int pos, int value) {
    while ((value & ~0x7F) != 0) {
      out[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[pos++] = (byte) value;
    return pos;
  }

  /** The dwell in tenths of a second when that round-trips bit for bit, else -1. */
  public static int tenths(float dwell) {
    if (!(dwell > 0f && dwell < 1e8f)) {
      return -1;
    }
    long t = Math.round(dwell * 10.0);
    return t <= Integer.MAX_VALUE && Float.floatToRawIntBits(fromTenths((int) t)) == Float.floatToRawIntBits(dwell)
        ? (int) t : -1;
  }

  public static float fromTenths(int tenths) {
    return (float) (tenths / 10.0);
  }

  // An event record's header byte: bits 0-2 the type, 3-5 the price tier (7: a zig-zag varint follows), 6-7 how
  // the dwell is stored. Both logs write the tier and dwell the same way, after the brand and category ids.
  private static final int TIER_ESCAPE = 7;
  private static final int DWELL_ZERO = 0;
  private static final int DWELL_TENTHS = 1;
  private static final int DWELL_RAW = 2;

  /** The header bits 3-7 of an event with this price tier and dwell ({@link #putEventTail} writes the rest). */
  public static int eventHeaderBits(int priceTier, float dwellSeconds) {
    int tier = priceTier >= 0 && priceTier < TIER_ESCAPE ? priceTier : TIER_ESCAPE;
    int mode = Float.floatToRawIntBits(dwellSeconds) == 0 ? DWELL_ZERO
        : tenths(dwellSeconds) >= 0 ? DWELL_TENTHS : DWELL_RAW;
    return tier << 3 | mode << 6;
  }

  /** Writes what follows an event's header byte: its brand and category ids, then {@link #putEventTail}. */
  public static int putEventBody(byte[] out, int pos, int header, int brandId, int categoryId, int priceTier,
      float dwellSeconds) {
    pos = putVarint(out, pos, brandId);
    pos = putVarint(out, pos, categoryId);
    return putEventTail(out, pos, header, priceTier, dwellSeconds);
  }

  /** Writes an event's escaped price tier and its dwell, as the header bits say; returns the new position. */
  public static int putEventTail(byte[] out, int pos, int header, int priceTier, float dwellSeconds) {
    if ((header >>> 3 & 7) == TIER_ESCAPE) {
      pos = putVarint(out, pos, (priceTier << 1) ^ (priceTier >> 31));
    }
    int mode = header >>> 6 & 3;
    if (mode == DWELL_TENTHS) {
      pos = putVarint(out, pos, tenths(dwellSeconds));
    } else if (mode == DWELL_RAW) {
      int bits = Float.floatToRawIntBits(dwellSeconds);
      for (int k = 0; k < 4; k++) {
        out[pos++] = (byte) (bits >>> (8 * k));
      }
    }
    return pos;
  }

  /** True when the header's dwell bits hold a mode no writer uses. */
  public static boolean badDwellMode(int header) {
    return header >>> 6 == 3;
  }

  /** A cursor over packed bytes. */
  public static class Cursor {
    protected final byte[] b;
    public int pos;

    public Cursor(byte[] b, int pos) {
      this.b = b;
      this.pos = pos;
    }

    public long varlong() {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        byte x = b[pos++];
        v |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          return v;
        }
      }
    }

    public int varint() {
      int v = 0;
      for (int shift = 0; ; shift += 7) {
        byte x = b[pos++];
        v |= (x & 0x7F) << shift;
        if (x >= 0) {
          return v;
        }
      }
    }

    /** An event's price tier, read when the header escapes it. */
    public int priceTier(int header) {
      int tier = header >>> 3 & 7;
      if (tier != TIER_ESCAPE) {
        return tier;
      }
      int z = varint();
      return (z >>> 1) ^ -(z & 1);
    }

    /** An event's dwell, as the header says it is stored. */
    public float dwell(int header) {
      return switch (header >>> 6 & 3) {
        case DWELL_ZERO -> 0f;
        case DWELL_TENTHS -> fromTenths(varint());
        default -> Float.intBitsToFloat(int32());
      };
    }

    public int int32() {
      int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
      pos += 4;
      return v;
    }
  }
}
