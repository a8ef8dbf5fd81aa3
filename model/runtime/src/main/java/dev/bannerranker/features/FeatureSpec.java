package dev.bannerranker.features;

import java.util.List;
import java.util.Map;

/**
 * Every number that defines the features, stored in the bundle manifest so serving computes exactly
 * what training computed. Training picks these (most from the command line); nothing reads defaults
 * from anywhere else.
 *
 * @param itemVectorDim dimension of the item2vec vectors
 * @param halfLifeHours half-life of an event's weight in the user vector
 * @param maxRecentEvents how many of the latest behaviour events form the user vector
 * @param maxRecentImpressions how many of the latest impressions a user's state keeps (fatigue, caps)
 * @param fatigueWindowHours impressions of the same banner within this window count as fatigue
 * @param typeWeights weight of view, add_to_cart, purchase and banner_click, in {@code EventType} order
 * @param dwellCapSeconds dwell time above this counts as this much
 * @param topBrands how many of the user's top brands enter the wide crosses
 * @param wideBuckets size of the hashed wide feature space
 * @param neutralSlot the slot position every candidate is scored at online (position-bias correction)
 * @param maxSlot slots above this are folded into it
 * @param ctrPriorStrength pseudo-impressions of the global CTR added to each banner's CTR
 * @param globalCtr the training CTR, the prior of the shrunk banner CTR
 * @param embeddingDims learned embedding size per categorical field ({@link FeatureEncoder#CATEGORICAL_FIELDS})
 * @param hiddenLayers sizes of the deep side's hidden layers
 * @param cardinalities vocabulary size per categorical field, including the unknown slot
 * @param userScalars standardisation of the user-side scalar features
 * @param bannerScalars standardisation of the banner-side scalar features
 * @param crossScalars standardisation of the user-by-banner features
 * @param tasteBrands how many of the user's brands feed the taste tower (0: no tower, as in early bundles)
 * @param tasteDim size of the taste tower's learned brand embeddings
 * @param foldInDim size of the fold-in taste ({@link FoldInFactors}; 0: none, as in early bundles)
 * @param wideCrosses the wide crosses besides the top-brand ones, by name from {@link FeatureEncoder#WIDE_CROSSES}, in
 *     index order (a format 1 manifest, which does not list them, reads as {@link FeatureEncoder#WIDE_CROSSES_OF_FORMAT_1})
 * @param sequenceAttention target attention over the user's latest events ({@link SequenceAttention}); null: none
 */
public record FeatureSpec(
    int itemVectorDim,
    double halfLifeHours,
    int maxRecentEvents,
    int maxRecentImpressions,
    double fatigueWindowHours,
    List<Double> typeWeights,
    double dwellCapSeconds,
    int topBrands,
    int wideBuckets,
    int neutralSlot,
    int maxSlot,
    double ctrPriorStrength,
    double globalCtr,
    Map<String, Integer> embeddingDims,
    List<Integer> hiddenLayers,
    Map<String, Integer> cardinalities,
    Standardizer userScalars,
    Standardizer bannerScalars,
    Standardizer crossScalars,
    int tasteBrands,
    int tasteDim,
    int foldInDim,
    List<String> wideCrosses,
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    SequenceAttention sequenceAttention) {

  /** A spec without sequence attention. */
  public FeatureSpec(int itemVectorDim, double halfLifeHours, int maxRecentEvents, int maxRecentImpressions,
      double fatigueWindowHours, List<Double> typeWeights, double dwellCapSeconds, int topBrands, int wideBuckets,
      int neutralSlot, int maxSlot, double ctrPriorStrength, double globalCtr, Map<String, Integer> embeddingDims,
      List<Integer> hiddenLayers, Map<String, Integer> cardinalities, Standardizer userScalars,
      Standardizer bannerScalars, Standardizer crossScalars, int tasteBrands, int tasteDim, int foldInDim,
      List<String> wideCrosses) {
    this(itemVectorDim, halfLifeHours, maxRecentEvents, maxRecentImpressions, fatigueWindowHours, typeWeights,
        dwellCapSeconds, topBrands, wideBuckets, neutralSlot, maxSlot, ctrPriorStrength, globalCtr, embeddingDims,
        hiddenLayers, cardinalities, userScalars, bannerScalars, crossScalars, tasteBrands, tasteDim, foldInDim,
        wideCrosses, null);
  }

  @com.fasterxml.jackson.annotation.JsonCreator
  public FeatureSpec {
    typeWeights = List.copyOf(typeWeights);
    embeddingDims = Map.copyOf(embeddingDims);
    hiddenLayers = List.copyOf(hiddenLayers);
    if (wideCrosses == null) {
      throw new IllegalArgumentException("feature spec: wideCrosses is missing");
    }
    wideCrosses = List.copyOf(wideCrosses);
    String problem = FeatureEncoder.wideCrossesProblem(wideCrosses);
    if (problem != null) {
      throw new IllegalArgumentException("feature spec: " + problem);
    }
    cardinalities = Map.copyOf(cardinalities);
    if (itemVectorDim <= 0 || maxRecentEvents <= 0 || topBrands <= 0 || wideBuckets <= 1) {
      throw new IllegalArgumentException("feature spec: sizes must be positive");
    }
    if (tasteBrands < 0 || tasteDim < 0 || (tasteBrands > 0) != (tasteDim > 0)) {
      throw new IllegalArgumentException("feature spec: tasteBrands and tasteDim must both be 0 or both positive");
    }
    if (foldInDim < 0) {
      throw new IllegalArgumentException("feature spec: foldInDim must not be negative");
    }
    if (sequenceAttention != null && sequenceAttention.length() > maxRecentEvents) {
      throw new IllegalArgumentException("feature spec: sequenceAttention.length must not exceed maxRecentEvents");
    }
    if (typeWeights.size() != dev.bannerranker.data.EventType.values().length) {
      throw new IllegalArgumentException("feature spec: typeWeights needs one weight per event type");
    }
  }

  /** Returns a copy with the statistics that only the training data can give. */
  public FeatureSpec withStatistics(double ctr, Map<String, Integer> cards, Standardizer user,
      Standardizer banner, Standardizer cross) {
    return new FeatureSpec(itemVectorDim, halfLifeHours, maxRecentEvents, maxRecentImpressions,
        fatigueWindowHours, typeWeights, dwellCapSeconds, topBrands, wideBuckets, neutralSlot, maxSlot,
        ctrPriorStrength, ctr, embeddingDims, hiddenLayers, cards, user, banner, cross, tasteBrands, tasteDim, foldInDim,
        wideCrosses, sequenceAttention);
  }

  /** A copy with the given sequence attention (null: none). */
  public FeatureSpec withSequenceAttention(SequenceAttention attention) {
    return new FeatureSpec(itemVectorDim, halfLifeHours, maxRecentEvents, maxRecentImpressions,
        fatigueWindowHours, typeWeights, dwellCapSeconds, topBrands, wideBuckets, neutralSlot, maxSlot,
        ctrPriorStrength, globalCtr, embeddingDims, hiddenLayers, cardinalities, userScalars, bannerScalars,
        crossScalars, tasteBrands, tasteDim, foldInDim, wideCrosses, attention);
  }

  public boolean hasSequenceAttention() {
    return sequenceAttention != null;
  }

  /** The attention output's size (0 without sequence attention). */
  public int attentionDim() {
    return sequenceAttention == null ? 0 : sequenceAttention.dim();
  }

  public boolean hasFoldIn() {
    return foldInDim > 0;
  }

  public boolean hasTasteTower() {
    return tasteBrands > 0;
  }

  public int cardinality(String field) {
    Integer c = cardinalities.get(field);
    if (c == null) {
      throw new IllegalStateException("feature spec has no cardinality for field " + field);
    }
    return c;
  }

  public int embeddingDim(String field) {
    Integer d = embeddingDims.get(field);
    if (d == null) {
      throw new IllegalStateException("feature spec has no embedding size for field " + field);
    }
    return d;
  }
}
