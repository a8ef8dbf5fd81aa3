package dev.bannerranker.trainer.generate;

import java.util.SplittableRandom;

/**
 * Shoppers: the public profile written to users.csv and the latent tastes that drive browsing and clicks. Stored in
 * flat primitive arrays so the large scale stays small in memory. Each user is drawn from its own stream
 * (derived from the users seed and the user index), so user i is the same person at every scale.
 */
final class Population {

  /** Gender shares F, M, U (Gender enum order). */
  private static final double[] GENDER_WEIGHTS = {0.56, 0.37, 0.07};
  /** Age band shares in CsvSchemas.AGE_BANDS order. */
  private static final double[] AGE_WEIGHTS = {0.22, 0.34, 0.22, 0.14, 0.08};
  /** City tier 1..3 shares. */
  private static final double[] CITY_WEIGHTS = {0.45, 0.35, 0.20};
  /** Primary platform shares in Platform enum order (web, ios, android). */
  static final double[] PLATFORM_WEIGHTS = {0.35, 0.30, 0.35};

  /** Age shifts style dimension 0 ("trendy" vs "classic"), per age band. */
  static final double[] AGE_STYLE_SHIFT = {0.8, 0.4, 0.0, -0.4, -0.8};
  /** Preferred price tier = round(base + city shift + age shift + N(0, sd)), clamped to 1..4. */
  private static final double PRICE_BASE = 2.2;
  private static final double[] CITY_PRICE_SHIFT = {0.4, 0.0, -0.4};
  private static final double[] AGE_PRICE_SHIFT = {-0.5, -0.1, 0.3, 0.4, 0.2};
  private static final double PRICE_SD = 0.7;

  /** Brand affinity = STYLE_WEIGHT × (user style · brand style) / sqrt(dim) + NOISE_WEIGHT × N(0,1). */
  static final double STYLE_WEIGHT = 0.85;
  static final double AFFINITY_NOISE_WEIGHT = 0.1;
  /**
   * Category taste = STYLE × (user style · category style) / sqrt(dim) + NOISE × N(0,1). A category's style is the
   * mean style of the brands that sell in it, so tastes are correlated the way real ones are (a sneaker fan likes
   * streetwear brands), and a few browsed categories tell about the others.
   */
  static final double CATEGORY_STYLE_WEIGHT = 0.8;
  static final double CATEGORY_NOISE_WEIGHT = 0.4;
  private static final double INV_SQRT_DIM = 1.0 / StrictMath.sqrt(Catalog.STYLE_DIM);
  /** Visit-rate multiplier is log-normal with this log-SD and mean 1 (heavy and light shoppers). */
  private static final double ACTIVITY_LOG_SD = 0.7;

  final int size;
  final int categories;
  final byte[] gender;
  final byte[] ageBand;
  /** 0-based: city tier = cityIndex + 1. */
  final byte[] cityIndex;
  final byte[] preferredTier;
  final byte[] platform;
  final float[] activity;
  private final float[] style;
  private final float[] categoryTaste;
  private final long noiseSeed;
  private final Catalog catalog;

  Population(int size, Catalog catalog, long userSeed, long noiseSeed) {
    this.size = size;
    this.catalog = catalog;
    this.categories = catalog.categories.size();
    this.noiseSeed = noiseSeed;
    gender = new byte[size];
    ageBand = new byte[size];
    cityIndex = new byte[size];
    preferredTier = new byte[size];
    platform = new byte[size];
    activity = new float[size];
    style = new float[size * Catalog.STYLE_DIM];
    categoryTaste = new float[size * categories];
    double activityShift = -0.5 * ACTIVITY_LOG_SD * ACTIVITY_LOG_SD;
    double[][] categoryStyle = categoryStyles(catalog, categories);
    for (int u = 0; u < size; u++) {
      SplittableRandom r = new SplittableRandom(Rand.derive(userSeed, u));
      int g = Rand.categorical(r, GENDER_WEIGHTS);
      int a = Rand.categorical(r, AGE_WEIGHTS);
      int c = Rand.categorical(r, CITY_WEIGHTS);
      gender[u] = (byte) g;
      ageBand[u] = (byte) a;
      cityIndex[u] = (byte) c;
      long tier = StrictMath.round(PRICE_BASE + CITY_PRICE_SHIFT[c] + AGE_PRICE_SHIFT[a] + PRICE_SD * Rand.gaussian(r));
      preferredTier[u] = (byte) Math.max(1, Math.min(4, tier));
      platform[u] = (byte) Rand.categorical(r, PLATFORM_WEIGHTS);
      activity[u] = (float) StrictMath.exp(activityShift + ACTIVITY_LOG_SD * Rand.gaussian(r));
      for (int d = 0; d < Catalog.STYLE_DIM; d++) {
        style[u * Catalog.STYLE_DIM + d] = (float) (Rand.gaussian(r) + (d == 0 ? AGE_STYLE_SHIFT[a] : 0));
      }
      for (int k = 0; k < categories; k++) {
        double dot = 0;
        for (int d = 0; d < Catalog.STYLE_DIM; d++) {
          dot += style[u * Catalog.STYLE_DIM + d] * categoryStyle[k][d];
        }
        categoryTaste[u * categories + k] =
            (float) (CATEGORY_STYLE_WEIGHT * dot * INV_SQRT_DIM + CATEGORY_NOISE_WEIGHT * Rand.gaussian(r));
      }
    }
  }

  /** Mean style of each category's brands, scaled to unit root-mean-square per dimension. */
  static double[][] categoryStyles(Catalog catalog, int categories) {
    double[][] out = new double[categories][Catalog.STYLE_DIM];
    for (int k = 0; k < categories; k++) {
      int n = 0;
      for (Catalog.Brand b : catalog.brands) {
        for (int h : b.homeCategories) {
          if (h == k) {
            n++;
            for (int d = 0; d < Catalog.STYLE_DIM; d++) {
              out[k][d] += b.style[d];
            }
          }
        }
      }
      double ss = 0;
      for (int d = 0; d < Catalog.STYLE_DIM; d++) {
        ss += out[k][d] * out[k][d];
      }
      double scale = n == 0 || ss == 0 ? 0 : StrictMath.sqrt(Catalog.STYLE_DIM / ss);
      for (int d = 0; d < Catalog.STYLE_DIM; d++) {
        out[k][d] *= scale;
      }
    }
    return out;
  }

  static String id(int user) {
    return Fmt.id("u-", user + 1, 6);
  }

  /** Latent affinity of a user for a brand, roughly standard normal over (user, brand) pairs. */
  double brandAffinity(int user, int brand) {
    double[] bs = catalog.brands[brand].style;
    double dot = 0;
    int base = user * Catalog.STYLE_DIM;
    for (int d = 0; d < Catalog.STYLE_DIM; d++) {
      dot += style[base + d] * bs[d];
    }
    return STYLE_WEIGHT * dot * INV_SQRT_DIM
        + AFFINITY_NOISE_WEIGHT * Rand.hashGaussian(Rand.derive(noiseSeed, user, brand));
  }

  /** Component {@code d} of the user's latent style vector. */
  double style(int user, int d) {
    return style[user * Catalog.STYLE_DIM + d];
  }

  /** The user's personal taste for a category, standard normal (gender effects are separate). */
  double categoryTaste(int user, int category) {
    return categoryTaste[user * categories + category];
  }

  /** +1 for F, -1 for M, 0 for U; multiplies a category's gender skew. */
  int genderSign(int user) {
    return genderSignOf(gender[user]);
  }

  /** The sign of gender 0 = F, 1 = M, 2 = U. */
  static int genderSignOf(int gender) {
    return gender == 0 ? 1 : gender == 1 ? -1 : 0;
  }

  /** -|preferred tier - tier|: 0 for a perfect price match, down to -3. */
  int priceMatch(int user, int tier) {
    return -Math.abs(preferredTier[user] - tier);
  }
}
