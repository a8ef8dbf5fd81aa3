package dev.bannerranker.trainer.generate;

/**
 * The true probability that a click converts: the shopper buys from the banner's landing page within the attribution
 * window (see docs/demo-world.md). Purchase is about the product more than the creative, so the price match weighs
 * more than in {@link ClickModel} and the placement, slot, fatigue and audience appeal do not enter:
 *
 * <pre>
 * logit q = BASE
 *         + CATEGORY_TASTE × categoryTaste(user, banner.category)
 *         + BRAND_AFFINITY × brandAffinity(user, banner.brand)
 *         + PRICE_MATCH    × (-|preferredTier(user) - banner.priceTier|)
 *         + DISCOUNT       × banner.discountPct / 100
 *         + landing(banner)                         (a fixed N(0, LANDING_SD²) per banner)
 * q = sigmoid(clamp(logit, MIN_LOGIT, MAX_LOGIT)), rounded to 6 significant digits
 * </pre>
 *
 * The draws come from a stream of their own ({@link #SALT} derived from the click seed), so the rest of the world is
 * that of the same seed without conversions.
 */
final class ConversionModel {
  private ConversionModel() {}

  static final double BASE = -2.0;
  static final double CATEGORY_TASTE = 0.6;
  static final double BRAND_AFFINITY = 0.5;
  static final double PRICE_MATCH = 0.8;
  static final double DISCOUNT = 1.5;
  static final double LANDING_SD = 0.5;
  static final double MIN_LOGIT = -9.0;
  static final double MAX_LOGIT = 6.0;
  /** A purchase counts for the click when it follows within this many days. */
  static final int ATTRIBUTION_WINDOW_DAYS = 7;
  /** Key deriving the conversion seed from the click seed. */
  static final long SALT = 0x434F_4E56L; // "CONV"

  /** The conversion seed of a world whose click seed is {@code clickSeed}. */
  static long seed(long clickSeed) {
    return Rand.derive(clickSeed, SALT);
  }

  /** The banner's landing-page quality: a pure function of the seed and the banner. */
  static double landing(long seed, int banner) {
    return LANDING_SD * Rand.hashGaussian(Rand.derive(seed, banner));
  }

  static double logit(double categoryTaste, double brandAffinity, int priceMatch, int discountPct, double landing) {
    return BASE + CATEGORY_TASTE * categoryTaste + BRAND_AFFINITY * brandAffinity + PRICE_MATCH * priceMatch
        + DISCOUNT * discountPct / 100.0 + landing;
  }

  static double probability(double logit) {
    return Rand.sigmoid(Math.max(MIN_LOGIT, Math.min(MAX_LOGIT, logit)));
  }
}
