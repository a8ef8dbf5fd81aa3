package dev.bannerranker.serving.catalog;

import dev.bannerranker.data.Banner;

/**
 * A banner of the live catalog: a {@code banners.csv} row and whether ad ops paused it. A paused banner stays in the
 * catalog (its events are still accepted) but is never shown.
 */
public record LiveBanner(Banner banner, boolean paused) {
  public String id() {
    return banner.id();
  }

  /** {@code active}, {@code paused} or {@code expired} (past its end time) at {@code now}. */
  public String status(long now) {
    return paused ? "paused" : now >= banner.endTime() ? "expired" : "active";
  }
}
