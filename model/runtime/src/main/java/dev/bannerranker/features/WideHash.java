package dev.bannerranker.features;

/**
 * Hashes a wide cross (field, value a, value b) into {@code [0, buckets)}. SplitMix64's finaliser mixes
 * the three integers; integers instead of strings keep the serving hot path allocation-free.
 */
public final class WideHash {
  private WideHash() {}

  public static int index(int field, int a, int b, int buckets) {
    long h = (field + 1) * 0x9E3779B97F4A7C15L;
    h ^= (a + 0x632BE59BD9B4E019L) * 0xBF58476D1CE4E5B9L;
    h = Long.rotateLeft(h, 31);
    h ^= (b + 0x8CB92BA72F3D8DD7L) * 0x94D049BB133111EBL;
    h ^= h >>> 30;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 27;
    h *= 0x94D049BB133111EBL;
    h ^= h >>> 31;
    // A power-of-two bucket count (the default) takes the low bits: the same value as floorMod, without a division.
    return (buckets & (buckets - 1)) == 0 ? (int) (h & (buckets - 1)) : (int) Math.floorMod(h, (long) buckets);
  }
}
