package dev.bannerranker.servinglog;

import java.time.Instant;

/**
 * A product event (view, add_to_cart, purchase) as applied by the service; {@code priceTier} (1-4) and
 * {@code dwellSeconds} are null when unknown.
 */
public record ProductEventRecord(
    Instant time, String userId, String eventType, String brand, String category, Integer priceTier,
    Double dwellSeconds) implements LogRecord {
  public static final String TYPE = "product_event";

  @Override
  public String type() {
    return TYPE;
  }
}
