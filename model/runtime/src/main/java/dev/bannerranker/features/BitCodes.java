package dev.bannerranker.features;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Variable-length bit codes for {@link ChoiceCounts#pack}: bits are written from the lowest bit of each byte up.
 * Elias gamma for positive numbers (n - 1 zeros, a one, then the n - 1 low bits of a number of n bits), exponential
 * Golomb of order k for non-negative ones, and permutations as Lehmer codes of fixed widths.
 */
final class BitCodes {
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private BitCodes() {}

  /** Bits needed for a number below {@code options}: 0 for a single option. */
  static int width(int options) {
    return options <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(options - 1);
  }

  static final class Writer {
    private byte[] out = new byte[32];
    private int size;
    private long acc;
    private int accBits;

    /** The low {@code width} bits of {@code v}, at most 56. */
    void bits(long v, int width) {
      if (width == 0) {
        return;
      }
      acc |= (v & (-1L >>> (64 - width))) << accBits;
      accBits += width;
      while (accBits >= 8) {
        put((byte) acc);
        acc >>>= 8;
        accBits -= 8;
      }
    }

    void bit(boolean b) {
      bits(b ? 1 : 0, 1);
    }

    /** {@code v} at least 1 and below 2^56. */
    void gamma(long v) {
      if (v < 1 || v >= 1L << 56) {
        throw new IllegalArgumentException("gamma codes take 1 to 2^56 - 1, got " + v);
      }
      int z = 63 - Long.numberOfLeadingZeros(v);
      bits(0, z);
      bits(1, 1);
      bits(v, z);
    }

    /** {@code v} at least 0. */
    void expGolomb(long v, int k) {
      gamma((v >>> k) + 1);
      bits(v, k);
    }

    /** Any long: zig-zag, then its bit length as a gamma code and the bits below the top one. */
    void signedLong(long v) {
      long z = (v << 1) ^ (v >> 63);
      int len = 64 - Long.numberOfLeadingZeros(z);
      gamma(len + 1);
      if (len > 1) {
        int low = len - 1;
        bits(z, Math.min(low, 32));
        if (low > 32) {
          bits(z >>> 32, low - 32);
        }
      }
    }

    /** A permutation of 0..n-1 (n below 2^16): each value's rank among those not yet written. */
    void permutation(int[] values) {
      int n = values.length;
      boolean[] used = new boolean[n];
      for (int i = 0; i < n; i++) {
        int rank = 0;
        for (int s = 0; s < values[i]; s++) {
          rank += used[s] ? 0 : 1;
        }
        used[values[i]] = true;
        bits(rank, width(n - i));
      }
    }

    byte[] toBytes() {
      if (accBits > 0) {
        put((byte) acc);
        acc = 0;
        accBits = 0;
      }
      return Arrays.copyOf(out, size);
    }

    private void put(byte b) {
      if (size == out.length) {
        out = Arrays.copyOf(out, 2 * size);
      }
      out[size++] = b;
    }
  }

  static final class Reader {
    private final byte[] in;
    private final int end;
    private long pos; // in bits from in[0]

    Reader(byte[] in, int from, int to) {
      this.in = in;
      this.end = to;
      this.pos = 8L * from;
    }

    /** The next 57 or more bits, without consuming them (zeros past the end). */
    private long peek() {
      int at = (int) (pos >>> 3);
      if (at + 8 <= end) {
        return (long) LONG_LE.get(in, at) >>> (pos & 7);
      }
      long w = 0;
      for (int k = 0; k < 8 && at + k < end; k++) {
        w |= (in[at + k] & 0xFFL) << (8 * k);
      }
      return w >>> (pos & 7);
    }

    long bits(int width) {
      if (width == 0) {
        return 0;
      }
      long v = peek() & (-1L >>> (64 - width));
      pos += width;
      return v;
    }

    boolean bit() {
      return bits(1) != 0;
    }

    long gamma() {
      int z = Long.numberOfTrailingZeros(peek());
      if (z > 56) {
        throw new IllegalStateException("corrupt choice counts: no gamma code at bit " + pos);
      }
      pos += z + 1;
      return 1L << z | bits(z);
    }

    long expGolomb(int k) {
      long high = gamma() - 1;
      return high << k | bits(k);
    }

    long signedLong() {
      int len = (int) gamma() - 1;
      long z = len == 0 ? 0 : 1L << (len - 1);
      if (len > 1) {
        int low = len - 1;
        z |= bits(Math.min(low, 32));
        if (low > 32) {
          z |= bits(low - 32) << 32;
        }
      }
      return (z >>> 1) ^ -(z & 1);
    }

    int[] permutation(int n) {
      int[] free = new int[n];
      for (int i = 0; i < n; i++) {
        free[i] = i;
      }
      int[] values = new int[n];
      for (int i = 0; i < n; i++) {
        int rank = (int) bits(width(n - i));
        values[i] = free[rank];
        System.arraycopy(free, rank + 1, free, rank, n - i - rank - 1);
      }
      return values;
    }
  }
}
