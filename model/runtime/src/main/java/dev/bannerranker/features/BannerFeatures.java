package dev.bannerranker.features;

import dev.bannerranker.data.Banner;

/**
 * A catalog banner resolved against a model: vocabulary indices, click statistics from the training
 * window, and its item2vec vector with the squared norms the cosine features need. Built once per bundle load,
 * and once per catalog change for a service whose catalog changes at run time.
 *
 * <p>A banner the model has never seen ({@link #cold}) is scored by the cold rule ({@link #cold(Banner,
 * Vocabularies, ItemVectors, int)}). Its {@code index} is then a serving slot past the model's banner vocabulary
 * (so caps and recent impressions still tell it apart), and the model sees it as the unknown banner.
 */
public record BannerFeatures(
    int index,
    Banner banner,
    int brandIdx,
    int categoryIdx,
    int placementIdx,
    int formatIdx,
    int colorIdx,
    long impressions,
    long clicks,
    float[] vector,
    boolean vectorTrained,
    float[] brandVector,
    float[] categoryVector,
    float vectorNormSq,
    float brandVectorNormSq,
    float categoryVectorNormSq,
    boolean cold) {

  public static BannerFeatures resolve(Banner b, Vocabularies v, ItemVectors vectors, long impressions, long clicks) {
    int idx = v.banners().indexOf(b.id());
    if (idx == Vocabulary.UNKNOWN) {
      throw new IllegalArgumentException("banner " + b.id() + " is not in the model's vocabulary");
    }
    return new BannerFeatures(idx, b, v.brands().indexOf(b.brand()), v.categories().indexOf(b.category()),
        v.placements().indexOf(b.placement()), v.creativeFormats().indexOf(b.creativeFormat()),
        v.creativeColors().indexOf(b.creativeColor()), impressions, clicks, vectors.banner(idx),
        vectors.bannerTrained(idx), vectors.brand(v.brands().indexOf(b.brand())),
        vectors.category(v.categories().indexOf(b.category())), false);
  }

  /**
   * The cold rule, for a banner the model has never seen: its item2vec vector is the item vector of its brand and
   * category ({@link ItemVectors#addItemVector}: their mean, or the one the model knows, so a brand unknown to the
   * model falls back to the category's vector); no training traffic, so the historical CTR is the prior and the
   * impressions zero; not a trained vector, so exploration counts it as new. Its campaign's wide weights apply
   * through the campaign id as for any banner; its age comes from its start time.
   *
   * @param slot the serving index, past the model's banner vocabulary
   */
  public static BannerFeatures cold(Banner b, Vocabularies v, ItemVectors vectors, int slot) {
    if (slot < v.banners().cardinality()) {
      throw new IllegalArgumentException("a cold banner's slot must be past the model's banner vocabulary");
    }
    int brand = v.brands().indexOf(b.brand());
    int category = v.categories().indexOf(b.category());
    float[] vector = new float[vectors.dim()];
    vectors.addItemVector(brand, category, 1f, vector);
    return new BannerFeatures(slot, b, brand, category, v.placements().indexOf(b.placement()),
        v.creativeFormats().indexOf(b.creativeFormat()), v.creativeColors().indexOf(b.creativeColor()), 0, 0, vector,
        false, vectors.brand(brand), vectors.category(category), true);
  }

  /** The banner's index in the model's vocabulary: the unknown banner for a cold one. */
  public int modelIndex() {
    return cold ? Vocabulary.UNKNOWN : index;
  }

  private BannerFeatures(int index, Banner banner, int brandIdx, int categoryIdx, int placementIdx, int formatIdx,
      int colorIdx, long impressions, long clicks, float[] vector, boolean vectorTrained, float[] brandVector,
      float[] categoryVector, boolean cold) {
    this(index, banner, brandIdx, categoryIdx, placementIdx, formatIdx, colorIdx, impressions, clicks, vector,
        vectorTrained, brandVector, categoryVector, ItemVectors.dot(vector, vector),
        ItemVectors.dot(brandVector, brandVector), ItemVectors.dot(categoryVector, categoryVector), cold);
  }
}
