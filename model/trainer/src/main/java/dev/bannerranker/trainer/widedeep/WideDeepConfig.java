package dev.bannerranker.trainer.widedeep;

import java.util.List;
import java.util.Map;

/**
 * Network and optimiser settings of the click model.
 *
 * @param mode which sides to build: the model is {@code WIDE_AND_DEEP}; the others are baselines
 * @param hidden hidden layer sizes of the deep side
 * @param embeddingDims learned embedding size per categorical field
 * @param batchSize minibatch size
 * @param maxEpochs upper bound on epochs
 * @param patience epochs without a better validation logloss before stopping: training stops at the first validation
 *     that makes the validations since the best more than {@code patience × validationsPerEpoch}; epochs of all the
 *     training rows, also when training on a share of them ({@link ValidationSchedule})
 * @param validationsPerEpoch how often per epoch of all the training rows the validation logloss is measured (and the
 *     best parameters kept; {@link ValidationSchedule}); format 1-2 manifests that do not record it read as 1 (see
 *     {@code ManifestMigration})
 * @param learningRate Adam learning rate of the deep side
 * @param wideLearningRate AdaGrad learning rate of the hashed wide weights; 0 selects the wide rule of format 1-2
 *     bundles, Adam at a tenth of {@code learningRate} (their manifests, when they do not record it, read as 0)
 * @param l2Wide L2 penalty on the hashed wide weights
 * @param l2WideConversion L2 penalty on the conversion tower's hashed wide weights (a click-and-conversion network
 *     only). A conversion carries about a tenth of the information per weight that a click does (a banner's few
 *     conversions against its hundreds of impressions), so the click penalty would hold these weights near zero;
 *     manifests that do not record it read as {@code l2Wide}, what their conversion towers trained with (see {@code
 *     ManifestMigration})
 * @param weightAverageDecay decay of the moving average of the parameters that is validated and kept ({@link
 *     WeightAverage}); 0 keeps the training weights themselves (format 1-2 manifests without it read as 0)
 * @param seed weight-initialisation and shuffling seed
 */
public record WideDeepConfig(Mode mode, List<Integer> hidden, Map<String, Integer> embeddingDims, int batchSize,
    int maxEpochs, double patience, int validationsPerEpoch, double learningRate, double wideLearningRate, double l2Wide,
    double l2WideConversion, double weightAverageDecay, long seed) {

  public enum Mode { WIDE_AND_DEEP, WIDE_ONLY, DEEP_ONLY }

  /** Settings whose conversion tower, if any, has the click tower's wide penalty. */
  public WideDeepConfig(Mode mode, List<Integer> hidden, Map<String, Integer> embeddingDims, int batchSize,
      int maxEpochs, double patience, int validationsPerEpoch, double learningRate, double wideLearningRate,
      double l2Wide, double weightAverageDecay, long seed) {
    this(mode, hidden, embeddingDims, batchSize, maxEpochs, patience, validationsPerEpoch, learningRate,
        wideLearningRate, l2Wide, l2Wide, weightAverageDecay, seed);
  }

  public WideDeepConfig {
    hidden = List.copyOf(hidden);
    embeddingDims = Map.copyOf(embeddingDims);
    // Each field's own check, so that the message names it (the record's fields are not yet set here).
    require(!hidden.isEmpty() && hidden.stream().allMatch(h -> h >= 1), "hidden", "sizes must be positive", hidden);
    require(embeddingDims.values().stream().allMatch(d -> d >= 1), "embeddingDims", "sizes must be positive",
        new java.util.TreeMap<>(embeddingDims));
    require(batchSize >= 1, "batchSize", "must be >= 1", batchSize);
    require(maxEpochs >= 1, "maxEpochs", "must be >= 1", maxEpochs);
    require(patience >= 0, "patience", "must be >= 0", patience);
    require(validationsPerEpoch >= 1, "validationsPerEpoch", "must be >= 1", validationsPerEpoch);
    require(learningRate > 0, "learningRate", "must be > 0", learningRate);
    require(wideLearningRate >= 0, "wideLearningRate", "must be >= 0", wideLearningRate);
    require(l2Wide >= 0, "l2Wide", "must be >= 0", l2Wide);
    require(l2WideConversion >= 0, "l2WideConversion", "must be >= 0", l2WideConversion);
    require(weightAverageDecay >= 0 && weightAverageDecay < 1, "weightAverageDecay", "must be in [0, 1)",
        weightAverageDecay);
  }

  /** A setting out of its range; {@link #field()} is the record component, for callers that name it otherwise. */
  public static final class InvalidSetting extends IllegalArgumentException {
    private final String field;
    private final String rule;
    private final transient Object value;

    InvalidSetting(String field, String rule, Object value) {
      super("wide & deep: " + field + " " + rule + ", got " + value);
      this.field = field;
      this.rule = rule;
      this.value = value;
    }

    public String field() {
      return field;
    }

    /** What the value must be, e.g. "must be >= 0". */
    public String rule() {
      return rule;
    }

    public Object value() {
      return value;
    }
  }

  private static void require(boolean ok, String field, String rule, Object value) {
    if (!ok) {
      throw new InvalidSetting(field, rule, value);
    }
  }

  public static Map<String, Integer> defaultEmbeddingDims() {
    return Map.ofEntries(Map.entry("gender", 2), Map.entry("age_band", 3), Map.entry("city_tier", 2),
        Map.entry("platform", 2), Map.entry("hour", 3), Map.entry("slot", 2), Map.entry("brand", 8),
        Map.entry("category", 6), Map.entry("placement", 2), Map.entry("creative_format", 2),
        Map.entry("creative_color", 2));
  }

  public WideDeepConfig withMode(Mode m) {
    return new WideDeepConfig(m, hidden, embeddingDims, batchSize, maxEpochs, patience, validationsPerEpoch, learningRate,
        wideLearningRate, l2Wide, l2WideConversion, weightAverageDecay, seed);
  }
}
