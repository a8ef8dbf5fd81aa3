package dev.bannerranker.features;

import dev.bannerranker.data.EventType;
import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * A user's browsing choices over their whole history, kept compactly for the fold-in taste ({@link FoldInFactors}):
 * how often they viewed each brand in each category, and how often each visit chose each category first or second
 * (with the first one excluded). Counts, not events, so a long history costs a few hundred bytes: at most {@link
 * #MAX_BRAND_PAIRS} (category, brand) pairs and {@link #MAX_CATEGORY_CHOICES} category choices; when full, a new
 * entry replaces the one with the smallest count (the lowest slot among equals), which carries the least evidence.
 * Counts saturate at 65,535. Events must arrive in the order the history receives them.
 *
 * <p>This is the one definition of the counting rules. Brands and categories are keys the caller chose, 0 meaning
 * unknown: the training sweep counts with the model's indices (through {@link UserHistory}); the service counts
 * with its own name ids, so the counts outlive a model, and {@link #translate}s them to a model's indices per
 * request. The rules compare keys only for equality (a full table evicts by slot, not by key), so counting under
 * ids and then translating one-to-one gives the table that counting under the indices would have given.
 * Categories above 32,767 and brands above 65,535 are not counted (a pair is one int).
 */
public final class ChoiceCounts {
  public static final int MAX_BRAND_PAIRS = 64;
  public static final int MAX_CATEGORY_CHOICES = 48;
  private static final int MAX_CATEGORY = 0x7FFF;
  private static final int MAX_BRAND = 0xFFFF;
  private static final long NO_VISIT = Long.MIN_VALUE / 2;

  private Table pairs = new Table(MAX_BRAND_PAIRS);
  private Table choices = new Table(MAX_CATEGORY_CHOICES);
  // the visit in progress
  private long lastTime = NO_VISIT;
  private int first = -1;
  private boolean second;

  public ChoiceCounts() {}

  /** Counts an event: only views are choices, but every event continues or starts a visit. */
  public void add(int brand, int category, EventType type, long time) {
    if (time - lastTime > FoldInFactors.SESSION_GAP_SECONDS) {
      first = -1;
      second = false;
    }
    lastTime = time;
    if (type != EventType.VIEW || category <= 0 || category > MAX_CATEGORY) {
      return;
    }
    if (first < 0) {
      first = category;
      choices.count(category, 1);
    } else if (category != first && !second) {
      second = true;
      choices.count((first + 1) << 16 | category, 1);
    }
    if (brand > 0 && brand <= MAX_BRAND) {
      pairs.count(category << 16 | brand, 1);
    }
  }

  /** True when no choice has been counted. */
  public boolean isEmpty() {
    return pairs.n == 0 && choices.n == 0;
  }

  /** (category << 16 | brand, count) pairs sorted by key: {@code out[0]} keys, {@code out[1]} counts. */
  int[][] brandPairs() {
    return pairs.sorted();
  }

  /** ((excluded + 1) << 16 | chosen, count) sorted by key. */
  int[][] categoryChoices() {
    return choices.sorted();
  }

  /**
   * These counts under other keys, as a model sees them: {@code brandKey} and {@code categoryKey} map each key to
   * the model's index, 0 for one the model does not know. Pairs and choices of an unknown category or brand are
   * dropped, as counting under the model drops them; a second category chosen after an unknown first one becomes
   * a first choice, as the model would have seen it. Each entry keeps its slot, so the tables go on evolving as the
   * model's would.
   */
  public ChoiceCounts translate(IntUnaryOperator brandKey, IntUnaryOperator categoryKey) {
    ChoiceCounts t = new ChoiceCounts();
    t.pairs = new Table(MAX_BRAND_PAIRS, pairs.n);
    for (int i = 0; i < pairs.n; i++) {
      int c = known(categoryKey.applyAsInt(pairs.keys[i] >>> 16), MAX_CATEGORY);
      int b = known(brandKey.applyAsInt(pairs.keys[i] & 0xFFFF), MAX_BRAND);
      if (c > 0 && b > 0) {
        t.pairs.count(c << 16 | b, pairs.counts[i]);
      }
    }
    t.choices = new Table(MAX_CATEGORY_CHOICES, choices.n);
    for (int i = 0; i < choices.n; i++) {
      int chosen = known(categoryKey.applyAsInt(choices.keys[i] & 0xFFFF), MAX_CATEGORY);
      int excluded = (choices.keys[i] >>> 16) - 1;
      int e = excluded < 0 ? -1 : known(categoryKey.applyAsInt(excluded), MAX_CATEGORY);
      if (chosen > 0) {
        t.choices.count((e > 0 ? e + 1 : 0) << 16 | chosen, choices.counts[i]);
      }
    }
    t.lastTime = lastTime;
    int f = first < 0 ? 0 : known(categoryKey.applyAsInt(first), MAX_CATEGORY);
    t.first = f > 0 ? f : -1;
    t.second = second;
    return t;
  }

  private static int known(int key, int max) {
    return key > 0 && key <= max ? key : 0;
  }

  /**
   * The counts and the visit in progress in a few bytes: per table, the entries sorted by key with the keys as
   * differences and every number in an Elias-gamma code, then each entry's slot (the eviction order); {@link
   * #unpack} restores an equal instance. A demo-world shopper's take 122 bytes on average, 60% of plain varints.
   */
  public byte[] pack() {
    BitCodes.Writer w = new BitCodes.Writer();
    w.bit(lastTime != NO_VISIT);
    if (lastTime != NO_VISIT) {
      w.signedLong(lastTime);
      w.gamma(first + 2);
      w.bit(second);
    }
    pairs.write(w);
    choices.write(w);
    return w.toBytes();
  }

  /** The counts {@link #pack} wrote into {@code bytes[from, to)}. */
  public static ChoiceCounts unpack(byte[] bytes, int from, int to) {
    BitCodes.Reader r = new BitCodes.Reader(bytes, from, to);
    ChoiceCounts c = new ChoiceCounts();
    if (r.bit()) {
      c.lastTime = r.signedLong();
      c.first = (int) r.gamma() - 2;
      c.second = r.bit();
    }
    c.pairs = Table.read(r, MAX_BRAND_PAIRS);
    c.choices = Table.read(r, MAX_CATEGORY_CHOICES);
    return c;
  }

  /** Counts by key, growing to {@code max} entries, then replacing the smallest count. */
  private static final class Table {
    private static final int INITIAL = 8;
    private final int max;
    private int[] keys;
    private char[] counts;
    private int n;

    Table(int max) {
      this(max, INITIAL);
    }

    Table(int max, int size) {
      this.max = max;
      keys = new int[Math.max(1, Math.min(max, size))];
      counts = new char[keys.length];
    }

    void count(int key, int times) {
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
      counts[i] = (char) Math.min(Character.MAX_VALUE, counts[i] + times);
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

    /** Slots ordered by key. */
    private int[] slotsByKey() {
      long[] packed = new long[n];
      for (int i = 0; i < n; i++) {
        packed[i] = (long) keys[i] << 8 | i; // keys are not negative, slots below 256
      }
      Arrays.sort(packed);
      int[] slots = new int[n];
      for (int i = 0; i < n; i++) {
        slots[i] = (int) (packed[i] & 0xFF);
      }
      return slots;
    }

    int[][] sorted() {
      int[] slots = slotsByKey();
      int[][] out = new int[2][n];
      for (int i = 0; i < n; i++) {
        out[0][i] = keys[slots[i]];
        out[1][i] = counts[slots[i]];
      }
      return out;
    }

    /**
     * n, then by ascending key: the high half's difference from the previous entry's, the low half (its difference
     * from the previous one's when the high halves are equal) and the count; then the slots as a Lehmer code.
     */
    void write(BitCodes.Writer w) {
      int[] slots = slotsByKey();
      w.gamma(n + 1);
      int hi = 0;
      int lo = 0;
      for (int s : slots) {
        int h = keys[s] >>> 16;
        int l = keys[s] & 0xFFFF;
        w.gamma(h - hi + 1);
        w.expGolomb(h == hi ? l - lo : l, 2);
        w.gamma(counts[s]);
        hi = h;
        lo = l;
      }
      w.permutation(slots);
    }

    static Table read(BitCodes.Reader r, int max) {
      int n = (int) r.gamma() - 1;
      Table t = new Table(max, Math.max(INITIAL, n));
      int[] keys = new int[n];
      char[] counts = new char[n];
      int hi = 0;
      int lo = 0;
      for (int i = 0; i < n; i++) {
        int h = hi + (int) r.gamma() - 1;
        int d = (int) r.expGolomb(2);
        int l = h == hi ? lo + d : d;
        keys[i] = h << 16 | l;
        counts[i] = (char) r.gamma();
        hi = h;
        lo = l;
      }
      int[] slots = r.permutation(n);
      for (int i = 0; i < n; i++) {
        t.keys[slots[i]] = keys[i];
        t.counts[slots[i]] = counts[i];
      }
      t.n = n;
      return t;
    }

    Table copy() {
      Table t = new Table(max, keys.length);
      System.arraycopy(keys, 0, t.keys, 0, n);
      System.arraycopy(counts, 0, t.counts, 0, n);
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
