package dev.bannerranker.trainer.generate;

/**
 * The true click probability of an impression (see docs/demo-world.md):
 *
 * <pre>
 * logit p = BASE
 *         + BRAND_AFFINITY  × brandAffinity(user, banner.brand)
 *         + CATEGORY_TASTE  × categoryTaste(user, banner.category)
 *         + PRICE_MATCH     × (-|preferredTier(user) - banner.priceTier|)
 *         + GENDER_CATEGORY × genderSign(user) × genderSkew(banner.category)
 *         + banner.quality
 *         + banner.campaign.genderAppeal[gender(user)] + banner.campaign.ageAppeal[ageBand(user)]
 *         + DISCOUNT        × banner.discountPct / 100
 *         + PLACEMENT_BIAS[placement] + SLOT_BIAS[slot - 1]
 *         - FATIGUE         × (impressions of this banner to this user in the previous 72 h)
 * p = sigmoid(clamp(logit, MIN_LOGIT, MAX_LOGIT)), rounded to 6 significant digits
 * </pre>
 */
final class ClickModel {
  private ClickModel() {}

  static final double BASE = -3.35;
  static final double BRAND_AFFINITY = 0.75;
  static final double CATEGORY_TASTE = 0.45;
  static final double PRICE_MATCH = 0.30;
  static final double GENDER_CATEGORY = 0.70;
  static final double DISCOUNT = 1.0;
  /** home_hero, home_carousel, home_sidebar. */
  static final double[] PLACEMENT_BIAS = {0.25, 0.0, -0.35};
  /** Slots 1..4: the first slot is seen most. */
  static final double[] SLOT_BIAS = {0.0, -0.30, -0.50, -0.65};
  static final double FATIGUE = 0.30;
  static final int FATIGUE_WINDOW_SECONDS = 72 * 3_600;
  static final double MIN_LOGIT = -9.0;
  static final double MAX_LOGIT = 6.0;

  static double logit(double brandAffinity, double categoryTaste, int priceMatch, double genderCategory,
      double quality, double appeal, int discountPct, int placement, int slot, int recentImpressions) {
    return BASE
        + BRAND_AFFINITY * brandAffinity
        + CATEGORY_TASTE * categoryTaste
        + PRICE_MATCH * priceMatch
        + GENDER_CATEGORY * genderCategory
        + quality
        + appeal
        + DISCOUNT * discountPct / 100.0
        + PLACEMENT_BIAS[placement] + SLOT_BIAS[slot - 1]
        - FATIGUE * recentImpressions;
  }

  static double probability(double logit) {
    return Rand.sigmoid(Math.max(MIN_LOGIT, Math.min(MAX_LOGIT, logit)));
  }
}
