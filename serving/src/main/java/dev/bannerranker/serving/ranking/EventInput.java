package dev.bannerranker.serving.ranking;

import dev.bannerranker.data.EventType;

/**
 * One user event in domain terms, as RecordEvents receives it.
 *
 * @param userId the shopper
 * @param timeSeconds epoch seconds, or null for the server clock
 * @param kind which event; null when the client set none
 * @param bannerId impressions, clicks and conversions: the banner
 * @param productType product events: view, add to cart or purchase
 * @param brand product events: the brand
 * @param category product events: the category
 * @param priceTier product events: 1 to 4, 0 when unknown
 * @param dwellSeconds product events: seconds on the page
 * @param requestId impressions, clicks and conversions: the request id of the Rank that served the banner, empty when
 *     not given
 * @param slotPosition impressions: the 1-based position shown at, 0 when unknown
 */
public record EventInput(String userId, Long timeSeconds, Kind kind, String bannerId, EventType productType,
    String brand, String category, int priceTier, float dwellSeconds, String requestId, int slotPosition) {

  /** An event without request id or position. */
  public EventInput(String userId, Long timeSeconds, Kind kind, String bannerId, EventType productType, String brand,
      String category, int priceTier, float dwellSeconds) {
    this(userId, timeSeconds, kind, bannerId, productType, brand, category, priceTier, dwellSeconds, "", 0);
  }

  /** The kinds of event. */
  public enum Kind { IMPRESSION, CLICK, PRODUCT, CONVERSION }

  public static EventInput impression(String userId, Long time, String bannerId) {
    return new EventInput(userId, time, Kind.IMPRESSION, bannerId, null, "", "", 0, 0f);
  }

  public static EventInput click(String userId, Long time, String bannerId) {
    return new EventInput(userId, time, Kind.CLICK, bannerId, null, "", "", 0, 0f);
  }

  /** An impression with the serving request's id and the position it was shown at (0 when unknown). */
  public static EventInput impression(String userId, Long time, String bannerId, String requestId, int slotPosition) {
    return new EventInput(userId, time, Kind.IMPRESSION, bannerId, null, "", "", 0, 0f, requestId, slotPosition);
  }

  /** A click with the serving request's id. */
  public static EventInput click(String userId, Long time, String bannerId, String requestId) {
    return new EventInput(userId, time, Kind.CLICK, bannerId, null, "", "", 0, 0f, requestId, 0);
  }

  /** A conversion attributed to a click on {@code bannerId}, with the serving request's id (empty when unknown). */
  public static EventInput conversion(String userId, Long time, String bannerId, String requestId) {
    return new EventInput(userId, time, Kind.CONVERSION, bannerId, null, "", "", 0, 0f, requestId, 0);
  }

  public static EventInput product(String userId, Long time, EventType type, String brand, String category,
      int priceTier, float dwellSeconds) {
    return new EventInput(userId, time, Kind.PRODUCT, "", type, brand, category, priceTier, dwellSeconds);
  }

  public EventInput {
    userId = userId == null ? "" : userId;
    bannerId = bannerId == null ? "" : bannerId;
    brand = brand == null ? "" : brand;
    category = category == null ? "" : category;
    requestId = requestId == null ? "" : requestId;
  }
}
