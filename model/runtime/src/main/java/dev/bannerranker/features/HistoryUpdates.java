package dev.bannerranker.features;

import dev.bannerranker.data.EventType;

/**
 * What each kind of event does to a {@link UserHistory}. The training sweep and the service's
 * RecordEvents both go through here, so a click means the same thing offline and online.
 */
public final class HistoryUpdates {
  private HistoryUpdates() {}

  public static void productEvent(UserHistory h, int brandIdx, int categoryIdx, EventType type, int priceTier,
      float dwellSeconds, long time) {
    h.addEvent(brandIdx, categoryIdx, type, priceTier, dwellSeconds, time);
  }

  public static void impression(UserHistory h, int bannerIdx, long time) {
    h.addImpression(bannerIdx, time);
  }

  /** A banner click counts as a behaviour event on the banner's brand and category, with no dwell. */
  public static void click(UserHistory h, int brandIdx, int categoryIdx, int priceTier, long time) {
    h.addEvent(brandIdx, categoryIdx, EventType.BANNER_CLICK, priceTier, 0f, time);
  }
}
