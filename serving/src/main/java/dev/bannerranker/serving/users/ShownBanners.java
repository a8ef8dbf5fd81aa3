package dev.bannerranker.serving.users;

import java.util.Arrays;

/**
 * Every impression a user's state holds of banners the request's model knows, oldest first, by the model's banner
 * index: what the frequency caps count, a longer record than the model's ring of recent impressions.
 */
public final class ShownBanners {
  private static final ShownBanners NONE = new ShownBanners(new int[0], new long[0], 0);

  private final int[] banners;
  private final long[] times;
  private final int n;

  private ShownBanners(int[] banners, long[] times, int n) {
    this.banners = banners;
    this.times = times;
    this.n = n;
  }

  public static ShownBanners none() {
    return NONE;
  }

  /** A copy of {@code n} impressions. */
  public static ShownBanners of(int[] banners, long[] times, int n) {
    return new ShownBanners(Arrays.copyOf(banners, n), Arrays.copyOf(times, n), n);
  }

  public int size() {
    return n;
  }

  public int banner(int k) {
    return banners[k];
  }

  public long time(int k) {
    return times[k];
  }

  /** Impressions of {@code banner} at or after {@code from}. */
  public int countSince(int banner, long from) {
    int c = 0;
    for (int k = 0; k < n; k++) {
      if (banners[k] == banner && times[k] >= from) {
        c++;
      }
    }
    return c;
  }

  static final class Builder {
    private final int[] banners;
    private final long[] times;
    private int n;

    Builder(int capacity) {
      banners = new int[capacity];
      times = new long[capacity];
    }

    void add(int banner, long time) {
      banners[n] = banner;
      times[n++] = time;
    }

    ShownBanners build() {
      return n == 0 ? NONE : new ShownBanners(banners, times, n);
    }
  }
}
