package dev.bannerranker.data;

import java.util.Set;

/**
 * One row of {@code banners.csv}. Times are epoch seconds (UTC). An empty targeting set means "everyone". {@code bid}
 * is what the advertiser pays per click; {@code bidPerConversion}, per conversion (NaN: the banner has none).
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
    Set<Integer> targetCityTiers,
    double bidPerConversion) {

  /** A banner without a bid per conversion. */
  public Banner(String id, String brand, String category, String placement, String creativeFormat,
      String creativeColor, int discountPct, String campaignId, int priceTier, long startTime, long endTime, double bid,
      int priority, Set<Gender> targetGenders, Set<String> targetAgeBands, Set<Integer> targetCityTiers) {
    this(id, brand, category, placement, creativeFormat, creativeColor, discountPct, campaignId, priceTier, startTime,
        endTime, bid, priority, targetGenders, targetAgeBands, targetCityTiers, Double.NaN);
  }

  /** Whether the advertiser bids per conversion. */
  public boolean hasBidPerConversion() {
    return !Double.isNaN(bidPerConversion);
  }

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
