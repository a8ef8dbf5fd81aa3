package dev.bannerranker.data;

/** One row of {@code impressions.csv}. Time is epoch seconds (UTC); slot positions start at 1. */
public record Impression(
    String impressionId, String userId, long timestamp, String bannerId, String placement,
    int slotPosition, Platform platform, boolean clicked) {}
