package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code ranker.ordering}: how scored banners become a list.
 *
 * @param value what a click is worth: BID, PRIORITY (1 + priority) or NONE (pure pCTR)
 * @param diversity MAX_PER_BRAND, MMR or NONE
 * @param maxPerBrand with MAX_PER_BRAND: at most this many banners of one brand in the top slots
 * @param mmrLambda with MMR: weight of relevance against item2vec similarity to banners already chosen, in [0, 1]
 * @param explorationShare probability that a request shows one new banner in its last slot
 * @param newBannerImpressions banners with fewer training impressions than this (or no trained vector) are new
 * @param seed fixed seed of the exploration draws, for tests and replays; unset draws fresh randomness
 */
@ConfigurationProperties("ranker.ordering")
public record OrderingSettings(
    Value value,
    Diversity diversity,
    int maxPerBrand,
    double mmrLambda,
    double explorationShare,
    long newBannerImpressions,
    @Nullable Long seed) {

  /** The value of a click in the expected-value order. */
  public enum Value { BID, PRIORITY, NONE }

  /** The brand diversity rule. */
  public enum Diversity { MAX_PER_BRAND, MMR, NONE }

  public OrderingSettings {
    value = value == null ? Value.BID : value;
    diversity = diversity == null ? Diversity.MAX_PER_BRAND : diversity;
    if (maxPerBrand <= 0) {
      throw new IllegalArgumentException("ranker.ordering.max-per-brand must be positive, got " + maxPerBrand);
    }
    if (!(mmrLambda >= 0 && mmrLambda <= 1)) {
      throw new IllegalArgumentException("ranker.ordering.mmr-lambda must be in [0, 1], got " + mmrLambda);
    }
    if (!(explorationShare >= 0 && explorationShare <= 1)) {
      throw new IllegalArgumentException("ranker.ordering.exploration-share must be in [0, 1], got " + explorationShare);
    }
  }
}
