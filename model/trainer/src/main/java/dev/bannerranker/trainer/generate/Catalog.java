package dev.bannerranker.trainer.generate;

import dev.bannerranker.trainer.generate.Categories.Category;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Brands, categories and banners of the demo world, with their latent parameters. Built from one stream. */
final class Catalog {

  // ---- brands ----
  static final int STYLE_DIM = 8;
  /** Share of brands in price tiers 1..4 (budget .. luxury). */
  private static final double[] BRAND_TIER_WEIGHTS = {0.30, 0.35, 0.23, 0.12};
  /** Standard deviation of a brand's log-popularity (how often it is browsed and advertised). */
  private static final double BRAND_POPULARITY_SD = 0.6;
  private static final int MIN_HOME_CATEGORIES = 2;
  private static final int MAX_HOME_CATEGORIES = 4;
  /** How strongly a brand's further categories follow the gender skew of its first one. */
  private static final double HOME_CATEGORY_COHERENCE = 1.5;
  /** Every category gets at least this many brands. */
  private static final int MIN_BRANDS_PER_CATEGORY = 3;

  // ---- banners / campaigns ----
  static final String[] PLACEMENTS = {"home_hero", "home_carousel", "home_sidebar"};
  static final int HERO = 0;
  static final int CAROUSEL = 1;
  static final int SIDEBAR = 2;
  private static final double[] PLACEMENT_WEIGHTS = {0.22, 0.48, 0.30};
  static final String[] FORMATS = {"image", "video", "carousel"};
  private static final double[] FORMAT_WEIGHTS = {0.60, 0.15, 0.25};
  static final String[] COLORS = {"light", "dark", "vivid"};
  private static final double[] COLOR_WEIGHTS = {0.40, 0.30, 0.30};
  /** Additive quality (logit) of each creative format and colour. */
  static final double[] FORMAT_QUALITY = {0.0, 0.15, 0.05};
  static final double[] COLOR_QUALITY = {0.0, -0.05, 0.10};
  /** SD of a campaign's shared quality, and of a banner's own quality on top of it. */
  static final double CAMPAIGN_QUALITY_SD = 0.2;
  static final double BANNER_QUALITY_SD = 0.3;
  /**
   * SD of a campaign's appeal to each gender and to each age band (logit units): its creative concept — the models,
   * the styling, the message — lands better with some audiences than others. Only clicks reveal it, per audience,
   * which is the kind of sparse interaction the wide crosses exist to memorise.
   */
  static final double GENDER_APPEAL_SD = 0.3;
  static final double AGE_APPEAL_SD = 0.2;
  private static final int MIN_CAMPAIGN_BANNERS = 2;
  private static final int MAX_CAMPAIGN_BANNERS = 5;
  /** Banners of a campaign promote its main category with this probability, else another home category. */
  private static final double CAMPAIGN_MAIN_CATEGORY_PROBABILITY = 0.75;
  /** Campaign brands are drawn with weight exp(this × brand popularity). */
  private static final double CAMPAIGN_BRAND_POPULARITY_TILT = 0.5;

  // flights (hours from the period start; whole hours so liveness is constant within an hour)
  private static final double FLIGHT_ONGOING = 0.60;
  private static final double FLIGHT_ENDS_EARLY = 0.15;
  private static final double FLIGHT_NEW = 0.20; // the rest are short flash sales inside the period
  private static final int MAX_HOURS_BEFORE_START = 30 * 24;
  private static final int MAX_HOURS_AFTER_END = 30 * 24;
  private static final int EARLY_END_MIN_HOUR = 24;
  private static final int EARLY_END_MAX_HOUR = 12 * 24;
  private static final int NEW_START_MIN_HOUR = 24;
  private static final int NEW_START_MAX_HOUR = Timeline.HOURS - 6;
  private static final int NEW_MIN_DURATION_HOURS = 3 * 24;
  private static final int NEW_MAX_DURATION_HOURS = 30 * 24;
  private static final int FLASH_MIN_DURATION_HOURS = 2 * 24;
  private static final int FLASH_MAX_DURATION_HOURS = 4 * 24;

  // discounts
  private static final double NO_DISCOUNT_PROBABILITY = 0.45;
  private static final int DISCOUNT_STEP = 5;
  private static final int MIN_DISCOUNT = 10;
  private static final int MAX_DISCOUNT = 70;
  /** Regular discounts are drawn with weight decaying by this factor per 5 points. */
  private static final double DISCOUNT_DECAY = 0.8;
  private static final int FLASH_MIN_DISCOUNT = 30;

  // bids and priority
  /** Median bid in cents for brand tiers 1..4, before a log-normal spread. */
  private static final double[] TIER_BID_CENTS = {50, 80, 120, 170};
  private static final double BID_LOG_SD = 0.35;
  private static final int MIN_BID_CENTS = 20;
  private static final int MAX_BID_CENTS = 300;
  private static final int MAX_PRIORITY = 10;
  private static final double PRIORITY_SD = 3.0;

  // targeting (per campaign)
  private static final double TARGETED_CAMPAIGN_PROBABILITY = 0.30;
  private static final double TARGET_GENDER_PROBABILITY = 0.60;
  private static final double TARGET_AGE_PROBABILITY = 0.50;
  private static final double TARGET_CITY_PROBABILITY = 0.30;
  /** A category with |skew| at least this targets its dominant gender. */
  private static final double SKEWED_CATEGORY = 0.5;
  private static final double INCLUDE_UNKNOWN_GENDER_PROBABILITY = 0.5;
  private static final int MIN_TARGET_AGE_BANDS = 2;
  private static final int MAX_TARGET_AGE_BANDS = 3;
  private static final int[] CITY_TARGET_MASKS = {0b001, 0b011, 0b110}; // "1", "1|2", "2|3"
  static final int GENDERS = 3; // F, M, U in Gender order
  static final int AGE_BANDS = 5;
  static final int CITY_TIERS = 3;

  static final class Brand {
    final int index;
    final String name;
    final int tier;
    final double[] style;
    final double popularity;
    final int[] homeCategories;

    Brand(int index, String name, int tier, double[] style, double popularity, int[] homeCategories) {
      this.index = index;
      this.name = name;
      this.tier = tier;
      this.style = style;
      this.popularity = popularity;
      this.homeCategories = homeCategories;
    }
  }

  static final class BannerDef {
    final int index;
    final String id;
    final int brand;
    final int category;
    final int placement;
    final int format;
    final int color;
    final int discountPct;
    final String campaignId;
    final int priceTier;
    /** Flight in whole hours from the period start (may be negative or beyond the period); end exclusive. */
    final int startHour;
    final int endHour;
    final int bidCents;
    final int priority;
    /** Bit i set = admits gender/age band/city tier i; 0 = everyone. */
    final int genderMask;
    final int ageMask;
    final int cityMask;
    /** Latent quality (logit units): format + colour effect + campaign and banner noise. */
    final double quality;
    /** The campaign's appeal to each gender (F, M, U) and each age band, shared by its banners. */
    final double[] genderAppeal;
    final double[] ageAppeal;

    BannerDef(int index, String id, int brand, int category, int placement, int format, int color,
        int discountPct, String campaignId, int priceTier, int startHour, int endHour, int bidCents, int priority,
        int genderMask, int ageMask, int cityMask, double quality, double[] genderAppeal, double[] ageAppeal) {
      this.index = index;
      this.id = id;
      this.brand = brand;
      this.category = category;
      this.placement = placement;
      this.format = format;
      this.color = color;
      this.discountPct = discountPct;
      this.campaignId = campaignId;
      this.priceTier = priceTier;
      this.startHour = startHour;
      this.endHour = endHour;
      this.bidCents = bidCents;
      this.priority = priority;
      this.genderMask = genderMask;
      this.ageMask = ageMask;
      this.cityMask = cityMask;
      this.quality = quality;
      this.genderAppeal = genderAppeal;
      this.ageAppeal = ageAppeal;
    }

    /** Appeal (logit units) of this banner's campaign to a shopper of this gender and age band. */
    double appeal(int gender, int ageBand) {
      return genderAppeal[gender] + ageAppeal[ageBand];
    }

    boolean liveInHour(int hour) {
      return startHour <= hour && hour < endHour;
    }

    boolean admits(int gender, int ageBand, int cityTierIndex) {
      return (genderMask == 0 || (genderMask >>> gender & 1) != 0)
          && (ageMask == 0 || (ageMask >>> ageBand & 1) != 0)
          && (cityMask == 0 || (cityMask >>> cityTierIndex & 1) != 0);
    }
  }

  final List<Category> categories;
  final Brand[] brands;
  final BannerDef[] banners;
  /** Brands having each category among their home categories, ascending brand index. */
  final int[][] brandsByCategory;
  final int campaigns;
  private final Map<String, Integer> brandIndex = new HashMap<>();
  private final Map<String, Integer> bannerIndex = new HashMap<>();

  /**
   * @param appealSeed seeds the campaigns' audience appeals in their own per-campaign streams, so that adding them
   *     left every other draw of the catalog as it was
   */
  Catalog(Scale scale, SplittableRandom rng, long appealSeed) {
    categories = Categories.first(scale.categories());
    brands = buildBrands(scale.brands(), rng);
    brandsByCategory = indexByCategory();
    List<BannerDef> list = new ArrayList<>(scale.banners());
    campaigns = buildBanners(scale.banners(), rng, appealSeed, list);
    banners = list.toArray(new BannerDef[0]);
    for (Brand b : brands) {
      brandIndex.put(b.name, b.index);
    }
    for (BannerDef b : banners) {
      bannerIndex.put(b.id, b.index);
    }
  }

  Integer brandIndex(String name) {
    return brandIndex.get(name);
  }

  Integer bannerIndex(String id) {
    return bannerIndex.get(id);
  }

  private Brand[] buildBrands(int count, SplittableRandom rng) {
    String[] names = BrandNames.generate(count, rng);
    int nCat = categories.size();
    double[] categoryWeights = new double[nCat];
    for (int c = 0; c < nCat; c++) {
      categoryWeights[c] = StrictMath.exp(categories.get(c).popularity());
    }
    int[][] homes = new int[count][];
    int[] tiers = new int[count];
    double[][] styles = new double[count][];
    double[] popularity = new double[count];
    for (int i = 0; i < count; i++) {
      tiers[i] = 1 + Rand.categorical(rng, BRAND_TIER_WEIGHTS);
      double[] style = new double[STYLE_DIM];
      for (int d = 0; d < STYLE_DIM; d++) {
        style[d] = Rand.gaussian(rng);
      }
      styles[i] = style;
      popularity[i] = BRAND_POPULARITY_SD * Rand.gaussian(rng);
      int k = Math.min(nCat, Rand.between(rng, MIN_HOME_CATEGORIES, MAX_HOME_CATEGORIES));
      int[] home = new int[k];
      home[0] = Rand.categorical(rng, categoryWeights);
      double firstSkew = categories.get(home[0]).genderSkew();
      for (int j = 1; j < k; j++) {
        double[] w = new double[nCat];
        for (int c = 0; c < nCat; c++) {
          boolean taken = false;
          for (int t = 0; t < j; t++) {
            taken |= home[t] == c;
          }
          w[c] = taken ? 0 : categoryWeights[c]
              * StrictMath.exp(-HOME_CATEGORY_COHERENCE * Math.abs(categories.get(c).genderSkew() - firstSkew));
        }
        home[j] = Rand.categorical(rng, w);
      }
      homes[i] = home;
    }
    // Make sure every category is sold by a few brands: add it to the brands with the fewest categories.
    for (int c = 0; c < nCat; c++) {
      int have = 0;
      for (int[] home : homes) {
        have += contains(home, c) ? 1 : 0;
      }
      while (have < Math.min(MIN_BRANDS_PER_CATEGORY, count)) {
        int best = -1;
        for (int i = 0; i < count; i++) {
          if (!contains(homes[i], c) && (best < 0 || homes[i].length < homes[best].length)) {
            best = i;
          }
        }
        homes[best] = Arrays.copyOf(homes[best], homes[best].length + 1);
        homes[best][homes[best].length - 1] = c;
        have++;
      }
    }
    Brand[] result = new Brand[count];
    for (int i = 0; i < count; i++) {
      result[i] = new Brand(i, names[i], tiers[i], styles[i], popularity[i], homes[i]);
    }
    return result;
  }

  private static boolean contains(int[] values, int v) {
    for (int x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  private int[][] indexByCategory() {
    int[][] result = new int[categories.size()][];
    for (int c = 0; c < result.length; c++) {
      int n = 0;
      for (Brand b : brands) {
        n += contains(b.homeCategories, c) ? 1 : 0;
      }
      result[c] = new int[n];
      n = 0;
      for (Brand b : brands) {
        if (contains(b.homeCategories, c)) {
          result[c][n++] = b.index;
        }
      }
    }
    return result;
  }

  private int buildBanners(int count, SplittableRandom rng, long appealSeed, List<BannerDef> out) {
    double[] brandWeights = new double[brands.length];
    for (Brand b : brands) {
      brandWeights[b.index] = StrictMath.exp(CAMPAIGN_BRAND_POPULARITY_TILT * b.popularity);
    }
    int campaign = 0;
    while (out.size() < count) {
      campaign++;
      String campaignId = Fmt.id("cmp-", campaign, 4);
      Brand brand = brands[Rand.categorical(rng, brandWeights)];
      int mainCategory = brand.homeCategories[rng.nextInt(brand.homeCategories.length)];
      int size = Math.min(count - out.size(), Rand.between(rng, MIN_CAMPAIGN_BANNERS, MAX_CAMPAIGN_BANNERS));

      // flight
      int start;
      int end;
      double kind = rng.nextDouble();
      boolean flash = false;
      if (kind < FLIGHT_ONGOING) {
        start = -Rand.between(rng, 1, MAX_HOURS_BEFORE_START);
        end = Timeline.HOURS + Rand.between(rng, 1, MAX_HOURS_AFTER_END);
      } else if (kind < FLIGHT_ONGOING + FLIGHT_ENDS_EARLY) {
        start = -Rand.between(rng, 1, MAX_HOURS_BEFORE_START);
        end = Rand.between(rng, EARLY_END_MIN_HOUR, EARLY_END_MAX_HOUR);
      } else if (kind < FLIGHT_ONGOING + FLIGHT_ENDS_EARLY + FLIGHT_NEW) {
        start = Rand.between(rng, NEW_START_MIN_HOUR, NEW_START_MAX_HOUR);
        end = start + Rand.between(rng, NEW_MIN_DURATION_HOURS, NEW_MAX_DURATION_HOURS);
      } else {
        flash = true;
        start = Rand.between(rng, 0, Timeline.HOURS - FLASH_MIN_DURATION_HOURS);
        end = start + Rand.between(rng, FLASH_MIN_DURATION_HOURS, FLASH_MAX_DURATION_HOURS);
      }

      int discount = drawDiscount(rng, flash);
      double campaignQuality = CAMPAIGN_QUALITY_SD * Rand.gaussian(rng);
      SplittableRandom appealRng = new SplittableRandom(Rand.derive(appealSeed, campaign));
      double[] genderAppeal = new double[GENDERS];
      for (int g = 0; g < GENDERS; g++) {
        genderAppeal[g] = GENDER_APPEAL_SD * Rand.gaussian(appealRng);
      }
      double[] ageAppeal = new double[AGE_BANDS];
      for (int a = 0; a < AGE_BANDS; a++) {
        ageAppeal[a] = AGE_APPEAL_SD * Rand.gaussian(appealRng);
      }

      // targeting
      int genderMask = 0;
      int ageMask = 0;
      int cityMask = 0;
      if (rng.nextDouble() < TARGETED_CAMPAIGN_PROBABILITY) {
        if (rng.nextDouble() < TARGET_GENDER_PROBABILITY) {
          double skew = categories.get(mainCategory).genderSkew();
          int gender = skew >= SKEWED_CATEGORY ? 0 : skew <= -SKEWED_CATEGORY ? 1 : rng.nextInt(2);
          genderMask = 1 << gender;
          if (rng.nextDouble() < INCLUDE_UNKNOWN_GENDER_PROBABILITY) {
            genderMask |= 1 << 2;
          }
        }
        if (rng.nextDouble() < TARGET_AGE_PROBABILITY) {
          ageMask = ageRun(rng);
        }
        if (rng.nextDouble() < TARGET_CITY_PROBABILITY) {
          cityMask = CITY_TARGET_MASKS[rng.nextInt(CITY_TARGET_MASKS.length)];
        }
        if (genderMask == 0 && ageMask == 0 && cityMask == 0) {
          ageMask = ageRun(rng);
        }
      }

      for (int i = 0; i < size; i++) {
        int index = out.size();
        int category = rng.nextDouble() < CAMPAIGN_MAIN_CATEGORY_PROBABILITY
            ? mainCategory
            : brand.homeCategories[rng.nextInt(brand.homeCategories.length)];
        int placement = Rand.categorical(rng, PLACEMENT_WEIGHTS);
        int format = Rand.categorical(rng, FORMAT_WEIGHTS);
        int color = Rand.categorical(rng, COLOR_WEIGHTS);
        double quality = FORMAT_QUALITY[format] + COLOR_QUALITY[color] + campaignQuality
            + BANNER_QUALITY_SD * Rand.gaussian(rng);
        int bid = (int) StrictMath.round(TIER_BID_CENTS[brand.tier - 1]
            * StrictMath.exp(BID_LOG_SD * Rand.gaussian(rng)));
        bid = Math.max(MIN_BID_CENTS, Math.min(MAX_BID_CENTS, bid));
        int priority = (int) Math.min(MAX_PRIORITY, StrictMath.round(Math.abs(PRIORITY_SD * Rand.gaussian(rng))));
        out.add(new BannerDef(index, Fmt.id("bn-", index + 1, 5), brand.index, category, placement, format,
            color, discount, campaignId, brand.tier, start, end, bid, priority, genderMask, ageMask, cityMask,
            quality, genderAppeal, ageAppeal));
      }
    }
    return campaign;
  }

  private static int drawDiscount(SplittableRandom rng, boolean flash) {
    if (flash) {
      int steps = (MAX_DISCOUNT - FLASH_MIN_DISCOUNT) / DISCOUNT_STEP;
      return FLASH_MIN_DISCOUNT + DISCOUNT_STEP * rng.nextInt(steps + 1);
    }
    if (rng.nextDouble() < NO_DISCOUNT_PROBABILITY) {
      return 0;
    }
    int steps = (MAX_DISCOUNT - MIN_DISCOUNT) / DISCOUNT_STEP + 1;
    double[] w = new double[steps];
    for (int i = 0; i < steps; i++) {
      w[i] = StrictMath.pow(DISCOUNT_DECAY, i);
    }
    return MIN_DISCOUNT + DISCOUNT_STEP * Rand.categorical(rng, w);
  }

  private static int ageRun(SplittableRandom rng) {
    int len = Rand.between(rng, MIN_TARGET_AGE_BANDS, MAX_TARGET_AGE_BANDS);
    int first = rng.nextInt(AGE_BANDS - len + 1);
    return ((1 << len) - 1) << first;
  }
}
