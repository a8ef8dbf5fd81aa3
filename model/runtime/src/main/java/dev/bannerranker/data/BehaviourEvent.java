package dev.bannerranker.data;

/**
 * One row of {@code events.csv} (or a banner click turned into history). Time is epoch seconds (UTC);
 * {@code priceTier} is 0 when unknown.
 */
public record BehaviourEvent(
    String userId, long timestamp, EventType type, String brand, String category, int priceTier,
    float dwellSeconds) {}
