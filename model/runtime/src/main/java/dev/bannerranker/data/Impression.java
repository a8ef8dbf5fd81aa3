package dev.bannerranker.data;

/**
 * One row of {@code impressions.csv}. Time is epoch seconds (UTC); slot positions start at 1. {@code requestId} is
 * empty and {@code propensity} NaN when the file has no such column or the cell is empty; {@code converted} is false
 * when the file has no {@code converted} column.
 */
public record Impression(
    String impressionId, String userId, long timestamp, String bannerId, String placement,
    int slotPosition, Platform platform, boolean clicked, String requestId, double propensity, boolean converted) {

  /** An impression of a log without conversions. */
  public Impression(String impressionId, String userId, long timestamp, String bannerId, String placement,
      int slotPosition, Platform platform, boolean clicked, String requestId, double propensity) {
    this(impressionId, userId, timestamp, bannerId, placement, slotPosition, platform, clicked, requestId, propensity,
        false);
  }

  /** An impression without request id or propensity. */
  public Impression(String impressionId, String userId, long timestamp, String bannerId, String placement,
      int slotPosition, Platform platform, boolean clicked) {
    this(impressionId, userId, timestamp, bannerId, placement, slotPosition, platform, clicked, "", Double.NaN, false);
  }
}
