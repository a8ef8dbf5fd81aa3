package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Creator;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code ranker.ordering}: how scored banners become a list.
 *
 * @param value what a click is worth: BID, PRIORITY (1 + priority), NONE (pure pCTR) or CPA (the bid per conversion
 *     times the model's pCVR, so the order is by bid per conversion × pCTR × pCVR; the bid per click for a banner
 *     without a bid per conversion; needs a click-and-conversion model)
 * @param diversity MAX_PER_BRAND, MMR or NONE
 * @param maxPerBrand with MAX_PER_BRAND: at most this many banners of one brand in the top slots
 * @param mmrLambda with MMR: weight of relevance against item2vec similarity to banners already chosen, in [0, 1]
 * @param explorationShare probability that a request shows one new banner in its last slot
 * @param newBannerImpressions banners with fewer training impressions than this (or no trained vector) are new
 * @param seed fixed seed of the exploration draws, for tests and replays; unset draws fresh randomness
 * @param policy how the top {@code stochasticSlots} ranked positions are drawn: GREEDY (the best, no chance),
 *     EPSILON_GREEDY or SOFTMAX; see docs/serving-log.md for the propensities
 * @param epsilon with EPSILON_GREEDY: probability that a stochastic position takes a uniform draw instead of the best
 * @param temperature with SOFTMAX: a position draws banner i with probability proportional to score_i^(1/temperature)
 * @param stochasticSlots how many ranked positions, from the first after the pinned ones, the policy draws
 */
@ConfigurationProperties("ranker.ordering")
public record OrderingSettings(
    Value value,
    Diversity diversity,
    int maxPerBrand,
    double mmrLambda,
    double explorationShare,
    long newBannerImpressions,
    @Nullable Long seed,
    @Nullable Policy policy,
    @Nullable Double epsilon,
    @Nullable Double temperature,
    @Nullable Integer stochasticSlots) {

  /** How the top ranked positions are chosen. */
  public enum Policy {
    GREEDY, EPSILON_GREEDY, SOFTMAX;

    /** The lower-case name written in the serving log. */
    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The greedy policy (no stochastic slots). */
  public OrderingSettings(Value value, Diversity diversity, int maxPerBrand, double mmrLambda, double explorationShare,
      long newBannerImpressions, Long seed) {
    this(value, diversity, maxPerBrand, mmrLambda, explorationShare, newBannerImpressions, seed, null, null, null, null);
  }

  /** The same settings with another ordering policy. */
  public OrderingSettings withPolicy(Policy p, double epsilon, double temperature, int stochasticSlots) {
    return new OrderingSettings(value, diversity, maxPerBrand, mmrLambda, explorationShare, newBannerImpressions, seed,
        p, epsilon, temperature, stochasticSlots);
  }

  /** The value of a click in the expected-value order. */
  public enum Value { BID, PRIORITY, NONE, CPA }

  /** The brand diversity rule. */
  public enum Diversity { MAX_PER_BRAND, MMR, NONE }

  @Creator
  public OrderingSettings {
    policy = policy == null ? Policy.GREEDY : policy;
    epsilon = epsilon == null ? 0.1 : epsilon;
    temperature = temperature == null ? 0.25 : temperature;
    stochasticSlots = stochasticSlots == null ? 1 : stochasticSlots;
    if (!(epsilon >= 0 && epsilon <= 1)) {
      throw new IllegalArgumentException("ranker.ordering.epsilon must be in [0, 1], got " + epsilon);
    }
    if (!(temperature > 0 && temperature < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("ranker.ordering.temperature must be positive, got " + temperature);
    }
    if (stochasticSlots < 0) {
      throw new IllegalArgumentException("ranker.ordering.stochastic-slots must be >= 0, got " + stochasticSlots);
    }
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
