package dev.bannerranker.features;

import dev.bannerranker.data.Platform;

/**
 * The request context the model sees. {@code slot} is the logged position offline and the spec's
 * neutral slot online.
 */
public record ScoringContext(long time, Platform platform, int slot) {

  /** Hour of day, UTC, in [0, 24). */
  public int hourOfDay() {
    return (int) Math.floorMod(time / 3600, 24L);
  }

  public int platformIndex() {
    return platform == null ? 0 : platform.ordinal() + 1;
  }
}
