package dev.bannerranker.data;

/**
 * Kinds of behaviour event. {@link #BANNER_CLICK} never appears in {@code events.csv}: a click in
 * {@code impressions.csv} (or a click sent to the service) enters the user's history as this type, the
 * same way offline and online.
 */
public enum EventType {
  VIEW("view"), ADD_TO_CART("add_to_cart"), PURCHASE("purchase"), BANNER_CLICK("banner_click");

  private final String code;

  EventType(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  /** Parses the {@code event_type} column (view, add_to_cart, purchase). */
  public static EventType parseCsv(String code) {
    switch (code) {
      case "view": return VIEW;
      case "add_to_cart": return ADD_TO_CART;
      case "purchase": return PURCHASE;
      default:
        throw new IllegalArgumentException("event_type must be view, add_to_cart or purchase, got '" + code + "'");
    }
  }
}
