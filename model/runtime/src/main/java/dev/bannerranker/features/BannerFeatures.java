package dev.bannerranker.features;

import dev.bannerranker.data.Banner;

/**
 * A catalog banner resolved against a model: vocabulary indices, click statistics from the training
 * window, and its item2vec vector with the squared norms the cosine features need. Built once per bundle load.
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
    float categoryVectorNormSq) {

  public static BannerFeatures resolve(Banner b, Vocabularies v, ItemVectors vectors, long impressions, long clicks) {
    int idx = v.banners().indexOf(b.id());
    if (idx == Vocabulary.UNKNOWN) {
      throw new IllegalArgumentException("banner " + b.id() + " is not in the model's vocabulary");
    }
    return new BannerFeatures(idx, b, v.brands().indexOf(b.brand()), v.categories().indexOf(b.category()),
        v.placements().indexOf(b.placement()), v.creativeFormats().indexOf(b.creativeFormat()),
        v.creativeColors().indexOf(b.creativeColor()), impressions, clicks, vectors.banner(idx),
        vectors.bannerTrained(idx), vectors.brand(v.brands().indexOf(b.brand())),
        vectors.category(v.categories().indexOf(b.category())));
  }

  private BannerFeatures(int index, Banner banner, int brandIdx, int categoryIdx, int placementIdx, int formatIdx,
      int colorIdx, long impressions, long clicks, float[] vector, boolean vectorTrained, float[] brandVector,
      float[] categoryVector) {
    this(index, banner, brandIdx, categoryIdx, placementIdx, formatIdx, colorIdx, impressions, clicks, vector,
        vectorTrained, brandVector, categoryVector, ItemVectors.dot(vector, vector),
        ItemVectors.dot(brandVector, brandVector), ItemVectors.dot(categoryVector, categoryVector));
  }
}
