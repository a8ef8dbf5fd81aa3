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

    public int int32() {
      int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
      pos += 4;
      return v;
    }
  }
}
