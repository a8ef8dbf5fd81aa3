package dev.bannerranker.features;

import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.Gender;
import java.util.ArrayList;
import java.util.List;

/**
 * The one definition of the model's input. Training builds its rows with these methods, and the
 * service's scorer builds the same numbers from the same methods, so they cannot drift apart.
 *
 * <p>The deep side's first layer sees, in this order: the user block ({@code [user vector | user
 * scalars]} then the user-side embeddings), the banner block ({@code [banner vector | banner scalars]}
 * then the banner-side embeddings), and the cross scalars. The wide side sees {@link #wideCount()}
 * hashed indices.
 */
public final class FeatureEncoder {
  public static final List<String> USER_FIELDS = List.of("gender", "age_band", "city_tier", "platform", "hour", "slot");
  public static final List<String> BANNER_FIELDS = List.of("brand", "category", "placement", "creative_format", "creative_color");
  public static final List<String> USER_SCALARS = List.of("mean_price_tier", "log_event_count", "has_history");
  public static final List<String> BANNER_SCALARS =
      List.of("price_tier", "ctr_logit", "log_impressions", "discount", "vector_trained");
  /**
   * Every user-by-banner scalar, in order; raw buffers have this size. A bundle uses the first {@link
   * #crossScalarCount()}: the last two, the fold-in taste scores, only when its spec has fold-in factors.
   */
  public static final List<String> CROSS_SCALARS =
      List.of("cosine", "brand_cosine", "category_cosine", "brand_affinity", "category_affinity", "log_fatigue",
          "price_gap", "age_days", "fold_in_brand", "fold_in_category");
  static final int FOLD_IN_SCALARS = 2;
  /**
   * Every wide cross besides the user's top brands × the banner's brand, in hashing order (a cross's position here
   * seeds its hash, so the list only ever grows at the end). {@code campaign} lets banners of one campaign share what
   * is learnt of its creative quality, which a banner new to the catalog then starts from; the campaign's crosses with
   * gender and age band memorise how its creative lands with each audience, which no dense feature carries.
   */
  public static final List<String> WIDE_CROSSES = List.of("gender x category", "age_band x category",
      "city_tier x brand", "slot x platform", "hour x category", "banner_id", "campaign", "campaign x gender",
      "campaign x age_band");
  /** The wide crosses of format 1 bundles, whose manifests do not list them. */
  public static final List<String> WIDE_CROSSES_OF_FORMAT_1 = WIDE_CROSSES.subList(0, 6);

  /** What is wrong with a list of wide cross names (unknown or repeated), or null when nothing is. */
  public static String wideCrossesProblem(List<String> names) {
    for (String c : names) {
      if (!WIDE_CROSSES.contains(c)) {
        return "unknown wide cross '" + c + "'; known: " + WIDE_CROSSES;
      }
    }
    if (new java.util.HashSet<>(names).size() != names.size()) {
      return "a wide cross is listed twice in " + names;
    }
    return null;
  }

  /** Banner age is capped so that very old banners do not extrapolate. */
  static final double MAX_AGE_DAYS = 90;

  private final FeatureSpec spec;
  /** The spec's wide crosses as positions in {@link #WIDE_CROSSES}. */
  private final int[] crosses;

  public FeatureEncoder(FeatureSpec spec) {
    this.spec = spec;
    crosses = spec.wideCrosses().stream().mapToInt(WIDE_CROSSES::indexOf).toArray();
  }

  public FeatureSpec spec() {
    return spec;
  }

  /** Vocabulary sizes of the categorical fields that do not come from data. */
  public static void putFixedCardinalities(java.util.Map<String, Integer> cards, int maxSlot) {
    cards.put("gender", Gender.values().length + 1);
    cards.put("age_band", CsvSchemas.AGE_BANDS.size() + 1);
    cards.put("city_tier", CsvSchemas.MAX_CITY_TIER + 1);
    cards.put("platform", dev.bannerranker.data.Platform.values().length + 1);
    cards.put("hour", 24);
    cards.put("slot", maxSlot + 1);
  }

  public int userDenseSize() {
    return spec.itemVectorDim() + USER_SCALARS.size();
  }

  public int bannerDenseSize() {
    return spec.itemVectorDim() + BANNER_SCALARS.size();
  }

  /** The cross scalars this spec uses (without fold-in factors the fold-in scores are left out). */
  public static List<String> crossScalarNames(boolean foldIn) {
    return CROSS_SCALARS.subList(0, CROSS_SCALARS.size() - (foldIn ? 0 : FOLD_IN_SCALARS));
  }

  public int crossScalarCount() {
    return crossScalarNames(spec.hasFoldIn()).size();
  }

  /** Cross block: the standardised cross scalars, then user vector ⊙ banner-brand vector. */
  public int crossSize() {
    return crossScalarCount() + spec.itemVectorDim();
  }

  /** Names of the wide fields, in index order; used by explanations. */
  public List<String> wideFieldNames() {
    List<String> names = new ArrayList<>();
    for (int k = 0; k < spec.topBrands(); k++) {
      names.add("top_brand_" + (k + 1) + " x banner_brand");
    }
    names.addAll(spec.wideCrosses());
    return names;
  }

  public int wideCount() {
    return spec.topBrands() + crosses.length;
  }

  // ---- raw (unstandardised) scalars: the definitions ----

  public void rawUserScalars(UserFeatures u, double[] out) {
    out[0] = u.meanPriceTier;
    out[1] = Math.log1p(u.totalEvents);
    out[2] = u.hasHistory() ? 1 : 0;
  }

  /** Raw banner scalars from the banner's full training-window statistics. */
  public void rawBannerScalars(BannerFeatures b, double[] out) {
    rawBannerScalars(b, b.clicks(), b.impressions(), out);
  }

  /** Raw banner scalars with explicit click statistics (training uses leave-one-out counts). */
  public void rawBannerScalars(BannerFeatures b, long clicks, long impressions, double[] out) {
    out[0] = b.banner().priceTier();
    out[1] = ctrLogit(clicks, impressions);
    out[2] = Math.log1p(impressions);
    out[3] = b.banner().discountPct() / 100.0;
    out[4] = b.vectorTrained() ? 1 : 0;
  }

  /** Logit of the banner CTR shrunk toward the global CTR by {@code ctrPriorStrength} pseudo-impressions. */
  public double ctrLogit(long clicks, long impressions) {
    double a = spec.ctrPriorStrength();
    double p = (clicks + a * spec.globalCtr()) / (impressions + a);
    p = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
    return Math.log(p / (1 - p));
  }

  public void rawCrossScalars(UserFeatures u, BannerFeatures b, ScoringContext ctx, double[] out) {
    // The same values as ItemVectors.cosine, with the squared norms cached on both sides.
    float uu = u.vectorNormSq;
    out[0] = ItemVectors.cosine(ItemVectors.dot(u.vector, b.vector()), uu, b.vectorNormSq());
    out[1] = ItemVectors.cosine(ItemVectors.dot(u.vector, b.brandVector()), uu, b.brandVectorNormSq());
    out[2] = ItemVectors.cosine(ItemVectors.dot(u.vector, b.categoryVector()), uu, b.categoryVectorNormSq());
    out[3] = u.brandShare(b.brandIdx());
    out[4] = u.categoryShare(b.categoryIdx());
    out[5] = Math.log1p(u.recentImpressions(b.index()));
    out[6] = u.meanPriceTier > 0 ? Math.abs(u.meanPriceTier - b.banner().priceTier()) : 0;
    double ageDays = (ctx.time() - b.banner().startTime()) / 86_400.0;
    out[7] = Math.min(Math.max(ageDays, 0), MAX_AGE_DAYS);
    out[8] = u.foldInBrand(b.brandIdx());
    out[9] = u.foldInCategory(b.categoryIdx());
  }

  // ---- encoded blocks ----

  /** Writes the user block: dense {@code [vector | standardised scalars]} and the user-side field indices. */
  public void encodeUser(UserFeatures u, ScoringContext ctx, float[] dense, int denseOff, int[] cats, int catOff) {
    double[] raw = new double[USER_SCALARS.size()];
    rawUserScalars(u, raw);
    encodeUserDense(u.vector, raw, dense, denseOff);
    userCategoricals(u, ctx, cats, catOff);
  }

  /** The user's dense block from its vector and raw scalars. */
  public void encodeUserDense(float[] vector, double[] rawScalars, float[] dense, int denseOff) {
    System.arraycopy(vector, 0, dense, denseOff, spec.itemVectorDim());
    spec.userScalars().apply(rawScalars, dense, denseOff + spec.itemVectorDim());
  }

  public void userCategoricals(UserFeatures u, ScoringContext ctx, int[] cats, int off) {
    cats[off] = u.profile.gender().ordinal() + 1;
    cats[off + 1] = u.ageBandIndex + 1; // -1 (unknown) becomes 0
    int city = u.profile.cityTier();
    cats[off + 2] = city >= CsvSchemas.MIN_CITY_TIER && city <= CsvSchemas.MAX_CITY_TIER ? city : 0;
    cats[off + 3] = ctx.platformIndex();
    cats[off + 4] = ctx.hourOfDay();
    cats[off + 5] = slotIndex(ctx.slot());
  }

  public int slotIndex(int slot) {
    return Math.max(1, Math.min(slot, spec.maxSlot()));
  }

  /** Writes the banner block from full statistics. */
  public void encodeBanner(BannerFeatures b, float[] dense, int denseOff, int[] cats, int catOff) {
    double[] raw = new double[BANNER_SCALARS.size()];
    rawBannerScalars(b, raw);
    encodeBanner(b, raw, dense, denseOff, cats, catOff);
  }

  /** Writes the banner block from given raw scalars. */
  public void encodeBanner(BannerFeatures b, double[] rawScalars, float[] dense, int denseOff, int[] cats, int catOff) {
    int d = spec.itemVectorDim();
    System.arraycopy(b.vector(), 0, dense, denseOff, d);
    spec.bannerScalars().apply(rawScalars, dense, denseOff + d);
    cats[catOff] = b.brandIdx();
    cats[catOff + 1] = b.categoryIdx();
    cats[catOff + 2] = b.placementIdx();
    cats[catOff + 3] = b.formatIdx();
    cats[catOff + 4] = b.colorIdx();
  }

  public void encodeCross(UserFeatures u, BannerFeatures b, ScoringContext ctx, float[] out, int off) {
    double[] raw = new double[CROSS_SCALARS.size()];
    rawCrossScalars(u, b, ctx, raw);
    encodeCross(raw, u.vector, b, out, off);
  }

  /**
   * The cross block from raw cross scalars and the user vector. The elementwise product lets the first
   * layer learn a weighted dot product of taste and brand, which an MLP over the two vectors learns poorly.
   */
  public void encodeCross(double[] rawCross, float[] userVector, BannerFeatures b, float[] out, int off) {
    spec.crossScalars().apply(rawCross, out, off);
    float[] brand = b.brandVector();
    int p = off + crossScalarCount();
    for (int i = 0; i < userVector.length; i++) {
      out[p + i] = userVector[i] * brand[i];
    }
  }

  /** Writes the {@link #wideCount()} hashed wide indices. */
  public void wideIndices(UserFeatures u, BannerFeatures b, ScoringContext ctx, int[] out, int off) {
    int buckets = spec.wideBuckets();
    int k = spec.topBrands();
    for (int i = 0; i < k; i++) {
      out[off + i] = WideHash.index(i, u.topBrands[i], b.brandIdx(), buckets);
    }
    for (int i = 0; i < crosses.length; i++) {
      int c = crosses[i];
      int field = k + c;
      out[off + k + i] = switch (c) {
        case 0 -> WideHash.index(field, u.profile.gender().ordinal() + 1, b.categoryIdx(), buckets);
        case 1 -> WideHash.index(field, u.ageBandIndex + 1, b.categoryIdx(), buckets);
        case 2 -> WideHash.index(field, u.profile.cityTier(), b.brandIdx(), buckets);
        case 3 -> WideHash.index(field, slotIndex(ctx.slot()), ctx.platformIndex(), buckets);
        case 4 -> WideHash.index(field, ctx.hourOfDay(), b.categoryIdx(), buckets);
        case 5 -> WideHash.index(field, b.modelIndex(), 0, buckets);
        // String.hashCode is specified, so the campaign's bucket is the same in every JVM and cached per string.
        case 6 -> WideHash.index(field, b.banner().campaignId().hashCode(), 0, buckets);
        case 7 -> WideHash.index(field, b.banner().campaignId().hashCode(), u.profile.gender().ordinal() + 1, buckets);
        case 8 -> WideHash.index(field, b.banner().campaignId().hashCode(), u.ageBandIndex + 1, buckets);
        default -> throw new IllegalStateException("no encoding for wide cross " + WIDE_CROSSES.get(c));
      };
    }
  }
}
