package dev.bannerranker.data;

import java.util.Set;

/**
 * One row of {@code banners.csv}. Times are epoch seconds (UTC). An empty targeting set means "everyone".
 */
public record Banner(
    String id,
    String brand,
    String category,
    String placement,
    String creativeFormat,
    String creativeColor,
    int discountPct,
    String campaignId,
    int priceTier,
    long startTime,
    long endTime,
    double bid,
    int priority,
    Set<Gender> targetGenders,
    Set<String> targetAgeBands,
    Set<Integer> targetCityTiers) {

  public Banner {
    targetGenders = Set.copyOf(targetGenders);
    targetAgeBands = Set.copyOf(targetAgeBands);
    targetCityTiers = Set.copyOf(targetCityTiers);
  }

  /** True when the banner is in flight at {@code epochSeconds} (start inclusive, end exclusive). */
  public boolean liveAt(long epochSeconds) {
    return epochSeconds >= startTime && epochSeconds < endTime;
  }

  /** True when the targeting admits this profile. */
  public boolean targets(UserProfile profile) {
    return (targetGenders.isEmpty() || targetGenders.contains(profile.gender()))
        && (targetAgeBands.isEmpty() || targetAgeBands.contains(profile.ageBand()))
        && (targetCityTiers.isEmpty() || targetCityTiers.contains(profile.cityTier()));
  }
}
