package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.util.List;

/**
 * {@code ranker.eligibility}: what may be shown besides flight dates, placement and targeting.
 *
 * @param frequencyCapPerDay at most this many impressions of one banner per user in the last 24 hours; 0 turns
 *     the cap off. Counted from the user's impression ring, so it must not exceed the model's
 *     {@code maxRecentImpressions}.
 * @param pinned banner ids shown first in their placement, in this order, while they are eligible: the initial rules
 *     of every placement, until CatalogAdminService.SetPlacementRules sets the placement's own
 * @param blocked banner ids never shown: initial rules, as {@code pinned}
 */
@ConfigurationProperties("ranker.eligibility")
public record EligibilitySettings(int frequencyCapPerDay, List<String> pinned, List<String> blocked) {

  public EligibilitySettings {
    if (frequencyCapPerDay < 0) {
      throw new IllegalArgumentException("ranker.eligibility.frequency-cap-per-day must be >= 0, got " + frequencyCapPerDay);
    }
    pinned = pinned == null ? List.of() : List.copyOf(pinned);
    blocked = blocked == null ? List.of() : List.copyOf(blocked);
  }
}
