package dev.bannerranker.serving.users;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.EventType;

/**
 * One thing a user did, by name rather than by vocabulary index: what RecordEvents and the bootstrap hand to
 * a {@link UserState}, which packs it into its log ({@link ActivityLog}) and replays it into any model's
 * history through {@code HistoryUpdates}, the rules the training sweep uses.
 */
public sealed interface Activity {

  long time();

  /** A product event, or a banner click (type {@link EventType#BANNER_CLICK}, on the banner's brand and category). */
  record Behaviour(EventType type, String brand, String category, int priceTier, float dwellSeconds, long time)
      implements Activity {}

  /** A click on {@code banner}: behaviour on the banner's brand and category, with no dwell, as the training sweep counts it. */
  static Behaviour click(Banner banner, long time) {
    return new Behaviour(EventType.BANNER_CLICK, banner.brand(), banner.category(), banner.priceTier(), 0f, time);
  }

  /** A banner shown to the user. */
  record Shown(String bannerId, long time) implements Activity {}
}
