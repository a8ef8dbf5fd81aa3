package dev.bannerranker.features;

import dev.bannerranker.data.EventType;
import java.util.Arrays;

/**
 * A user's browsing choices over their whole history, kept compactly for the fold-in taste ({@link FoldInFactors}):
 * how often they viewed each brand in each category, and how often each visit chose each category first or second
 * (with the first one excluded). Counts, not events, so a long history costs a few hundred bytes: at most {@link
 * #MAX_BRAND_PAIRS} (category, brand) pairs and {@link #MAX_CATEGORY_CHOICES} category choices of 6 bytes each;
 * when full, a new entry replaces the one with the smallest count (the lowest index among equals), which carries
 * the least evidence. Counts saturate at 65,535. Events must arrive in time order, as the history receives them.
 */
final class ChoiceCounts {
  static final int MAX_BRAND_PAIRS = 64;
  static final int MAX_CATEGORY_CHOICES = 48;
  private static final int INITIAL = 8;

  private Table pairs = new Table(MAX_BRAND_PAIRS);
  private Table choices = new Table(MAX_CATEGORY_CHOICES);
  // the visit in progress
  private long lastTime = Long.MIN_VALUE / 2;
  private int first = -1;
  private boolean second;

  void add(int brandIdx, int categoryIdx, EventType type, long time) {
    if (time - lastTime > FoldInFactors.SESSION_GAP_SECONDS) {
      first = -1;
      second = false;
    }
    lastTime = time;
    if (type != EventType.VIEW || categoryIdx <= 0 || categoryIdx > 0x7FFF) {
      return;
    }
    if (first < 0) {
      first = categoryIdx;
      choices.count(categoryIdx);
    } else if (categoryIdx != first && !second) {
      second = true;
      choices.count((first + 1) << 16 | categoryIdx);
    }
    if (brandIdx > 0 && brandIdx <= 0xFFFF) {
      pairs.count(categoryIdx << 16 | brandIdx);
    }
  }

  /** (category << 16 | brand, count) pairs sorted by key: {@code out[0]} keys, {@code out[1]} counts. */
  int[][] brandPairs() {
    return pairs.sorted();
  }

  /** ((excluded + 1) << 16 | chosen, count) sorted by key. */
  int[][] categoryChoices() {
    return choices.sorted();
  }

  /** Counts by key, growing to {@code max} entries, then replacing the smallest count. */
  private static final class Table {
    private final int max;
    private int[] keys = new int[INITIAL];
    private char[] counts = new char[INITIAL];
    private int n;

    Table(int max) {
      this.max = max;
    }

    void count(int key) {
      int i = 0;
      while (i < n && keys[i] != key) {
        i++;
      }
      if (i == n) {
        if (n == keys.length && n < max) {
          keys = Arrays.copyOf(keys, Math.min(max, 2 * n));
          counts = Arrays.copyOf(counts, keys.length);
        }
        i = n < keys.length ? n++ : smallest();
        keys[i] = key;
        counts[i] = 0;
      }
      if (counts[i] != Character.MAX_VALUE) {
        counts[i]++;
      }
    }

    private int smallest() {
      int best = 0;
      for (int i = 1; i < n; i++) {
        if (counts[i] < counts[best]) {
          best = i;
        }
      }
      return best;
    }

    int[][] sorted() {
      long[] packed = new long[n];
      for (int i = 0; i < n; i++) {
        packed[i] = (long) keys[i] << 16 | counts[i];
      }
      Arrays.sort(packed);
      int[][] out = new int[2][n];
      for (int i = 0; i < n; i++) {
        out[0][i] = (int) (packed[i] >>> 16);
        out[1][i] = (int) (packed[i] & 0xFFFF);
      }
      return out;
    }

    Table copy() {
      Table t = new Table(max);
      t.keys = keys.clone();
      t.counts = counts.clone();
      t.n = n;
      return t;
    }
  }

  ChoiceCounts copy() {
    ChoiceCounts c = new ChoiceCounts();
    c.pairs = pairs.copy();
    c.choices = choices.copy();
    c.lastTime = lastTime;
    c.first = first;
    c.second = second;
    return c;
  }
}
