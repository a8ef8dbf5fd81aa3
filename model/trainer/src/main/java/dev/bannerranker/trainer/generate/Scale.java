package dev.bannerranker.trainer.generate;

import java.util.Locale;

/**
 * Size of the generated demo world. The catalog of {@link #DEMO} and {@link #LARGE} is the same (same seed gives the
 * same brands and banners); only the number of shoppers, and so the number of rows, differs.
 */
public enum Scale {
  /** About 34k impressions; for tests, runs in well under a second. */
  TINY(40, 8, 150, 400),
  /** About 1M impressions and 1.5M behaviour events. */
  DEMO(200, 30, 2_000, 12_000),
  /** The demo catalog with more shoppers: at least 10M impressions, streamed to disk. */
  LARGE(200, 30, 2_000, 130_000);

  private final int brands;
  private final int categories;
  private final int banners;
  private final int users;

  Scale(int brands, int categories, int banners, int users) {
    this.brands = brands;
    this.categories = categories;
    this.banners = banners;
    this.users = users;
  }

  public int brands() {
    return brands;
  }

  public int categories() {
    return categories;
  }

  public int banners() {
    return banners;
  }

  public int users() {
    return users;
  }

  /** The lower-case name used on the command line: tiny, demo or large. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code tiny}, {@code demo} or {@code large} (case-insensitive). */
  public static Scale parse(String code) {
    if (code != null) {
      switch (code.trim().toLowerCase(Locale.ROOT)) {
        case "tiny": return TINY;
        case "demo": return DEMO;
        case "large": return LARGE;
        default: break;
      }
    }
    throw new IllegalArgumentException("scale must be tiny, demo or large, got '" + code + "'");
  }
}
