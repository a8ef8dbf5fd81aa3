package dev.bannerranker.trainer.generate;

import java.util.List;

/**
 * Read-only access to a generated world's latent parameters (style vectors, tastes, the browsing and click
 * constants), for analyses that compare what a model learns with what is knowable. Never used by training,
 * evaluation features or serving: the model only sees the CSV files.
 *
 * <p>It lives in the research module but in the generator's package, so that it can read the generator's
 * package-private state without making that state public API of the trainer.
 */
public final class WorldTruth {
  public static final int STYLE_DIM = Catalog.STYLE_DIM;
  public static final double INV_SQRT_DIM = 1.0 / StrictMath.sqrt(Catalog.STYLE_DIM);
  /** a(u,b) = BRAND_STYLE × v_u·style_b / √dim + noise; t(u,c) = CATEGORY_STYLE × v_u·style_c / √dim + noise. */
  public static final double BRAND_STYLE = Population.STYLE_WEIGHT;
  public static final double CATEGORY_STYLE = Population.CATEGORY_STYLE_WEIGHT;
  public static final double CATEGORY_NOISE = Population.CATEGORY_NOISE_WEIGHT;
  public static final double CLICK_BRAND = ClickModel.BRAND_AFFINITY;
  public static final double CLICK_CATEGORY = ClickModel.CATEGORY_TASTE;
  public static final double BROWSE_CATEGORY_GENDER = Simulation.BROWSE_CATEGORY_GENDER;
  public static final double BROWSE_CATEGORY_TASTE = Simulation.BROWSE_CATEGORY_TASTE;
  public static final double BROWSE_BRAND_AFFINITY = Simulation.BROWSE_BRAND_AFFINITY;
  public static final double BROWSE_BRAND_PRICE = Simulation.BROWSE_BRAND_PRICE;
  public static final double CART_BASE = Simulation.CART_BASE;
  public static final double CART_AFFINITY = Simulation.CART_AFFINITY;
  public static final double CART_PRICE = Simulation.CART_PRICE;
  public static final double DWELL_MEDIAN_SECONDS = Simulation.DWELL_MEDIAN_SECONDS;
  public static final double DWELL_AFFINITY = Simulation.DWELL_AFFINITY;
  public static final double DWELL_LOG_SD = Simulation.DWELL_LOG_SD;
  /** A banner click's landing-page view follows the impression by at most this many seconds. */
  public static final long MAX_CLICK_TO_LANDING_SECONDS =
      Simulation.MAX_SCROLL_DELAY + Simulation.MAX_HOME_DWELL + Simulation.MAX_CLICK_DELAY;

  private final World world;
  private final double[][] categoryStyle;

  public WorldTruth(String scale, long seed) {
    world = new World(Scale.parse(scale), seed);
    categoryStyle = Population.categoryStyles(world.catalog, world.catalog.categories.size());
  }

  public int brands() {
    return world.catalog.brands.length;
  }

  public int categories() {
    return world.catalog.categories.size();
  }

  public int users() {
    return world.population.size;
  }

  public String brandName(int b) {
    return world.catalog.brands[b].name;
  }

  public double[] brandStyle(int b) {
    return world.catalog.brands[b].style.clone();
  }

  public double brandPopularity(int b) {
    return world.catalog.brands[b].popularity;
  }

  public int brandTier(int b) {
    return world.catalog.brands[b].tier;
  }

  public String categoryName(int c) {
    return world.catalog.categories.get(c).name();
  }

  public double categoryPopularity(int c) {
    return world.catalog.categories.get(c).popularity();
  }

  public double categorySkew(int c) {
    return world.catalog.categories.get(c).genderSkew();
  }

  /** The unit-RMS mean style of the category's brands, which category taste is built on. */
  public double[] categoryStyle(int c) {
    return categoryStyle[c].clone();
  }

  public int[] brandsOfCategory(int c) {
    return world.catalog.brandsByCategory[c].clone();
  }

  public List<String> bannerIds() {
    String[] ids = new String[world.catalog.banners.length];
    for (int k = 0; k < ids.length; k++) {
      ids[k] = world.catalog.banners[k].id;
    }
    return List.of(ids);
  }

  public static final double CAMPAIGN_QUALITY_SD = Catalog.CAMPAIGN_QUALITY_SD;
  public static final double BANNER_QUALITY_SD = Catalog.BANNER_QUALITY_SD;
  public static final double GENDER_APPEAL_SD = Catalog.GENDER_APPEAL_SD;
  public static final double AGE_APPEAL_SD = Catalog.AGE_APPEAL_SD;
  public static final int GENDERS = Catalog.GENDERS;
  public static final int AGE_BANDS = Catalog.AGE_BANDS;

  /** Banner k's latent quality (logit units), by catalog index (the order of {@link #bannerIds()}). */
  public double bannerQuality(int k) {
    return world.catalog.banners[k].quality;
  }

  /** The part of banner k's quality its catalog row reveals: the creative format's and colour's effects. */
  public double bannerQualityPriorMean(int k) {
    Catalog.BannerDef b = world.catalog.banners[k];
    return Catalog.FORMAT_QUALITY[b.format] + Catalog.COLOR_QUALITY[b.color];
  }

  /** The appeal (logit units) of banner k's campaign to user u's gender and age band. */
  public double bannerAppeal(int k, int u) {
    return world.catalog.banners[k].appeal(world.population.gender[u], world.population.ageBand[u]);
  }

  /** Banner k's brand index, by catalog index. */
  public int bannerBrand(int k) {
    return world.catalog.banners[k].brand;
  }

  /** Banner k's category index, by catalog index. */
  public int bannerCategory(int k) {
    return world.catalog.banners[k].category;
  }

  public String bannerCampaign(int k) {
    return world.catalog.banners[k].campaignId;
  }

  public String userId(int u) {
    return Population.id(u);
  }

  public double style(int u, int d) {
    return world.population.style(u, d);
  }

  public double brandAffinity(int u, int b) {
    return world.population.brandAffinity(u, b);
  }

  public double categoryTaste(int u, int c) {
    return world.population.categoryTaste(u, c);
  }

  public int preferredTier(int u) {
    return world.population.preferredTier[u];
  }

  public int ageBand(int u) {
    return world.population.ageBand[u];
  }

  /** 0 = F, 1 = M, 2 = U. */
  public int gender(int u) {
    return world.population.gender[u];
  }

  public int genderSign(int u) {
    return world.population.genderSign(u);
  }

  /** +1 for gender 0 (F), -1 for 1 (M), 0 for 2 (U). */
  public static int genderSignOf(int gender) {
    return Population.genderSignOf(gender);
  }

  /** Mean of style dimension 0 for the age band (the prior mean of a user's style). */
  public static double ageStyleShift(int ageBand) {
    return Population.AGE_STYLE_SHIFT[ageBand];
  }
}
