package dev.bannerranker.trainer.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What {@code evaluate} measured, written as {@code report.json} (keys sorted) and shown in {@code report.html}.
 * Optional parts (the oracle, MovieLens metrics) are left out of the JSON when absent.
 *
 * @param modelVersion the evaluated bundle's model version
 * @param testRows impressions of the held-out test days
 * @param testClicks clicks among them
 * @param auc the model's AUC on the test days
 * @param logloss the model's logloss
 * @param ece expected calibration error over {@code 20} equal-mass bins
 * @param ndcgAt5 NDCG@5 of each user's test impressions, averaged over users
 * @param oracleAuc AUC of the true click probability (generated worlds only)
 * @param oracleLogloss logloss of the true click probability
 * @param oracleUnavailable why there are no oracle figures although the data has true probabilities
 * @param baselines each baseline by name, in the order they were measured
 * @param item2vec the embedding's quality and training speed
 * @param movielens MovieLens-only ranking metrics
 * @param seconds how long the evaluation took
 * @param conversion the conversion figures of a click-and-conversion bundle on data with conversions, else null
 * @param sequenceAttention whether the bundle's deep side attends over the user's latest events: {@code on} or {@code
 *     off}, from its feature spec
 * @param against this model against another evaluation's model on the same test rows ({@code evaluate --against}),
 *     else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationReport(
    @JsonProperty("model_version") String modelVersion,
    @JsonProperty("test_rows") int testRows,
    @JsonProperty("test_clicks") int testClicks,
    double auc,
    double logloss,
    double ece,
    @JsonProperty("ndcg_at_5") double ndcgAt5,
    @JsonProperty("oracle_auc") Double oracleAuc,
    @JsonProperty("oracle_logloss") Double oracleLogloss,
    @JsonProperty("oracle_unavailable") String oracleUnavailable,
    Map<String, Baseline> baselines,
    Item2Vec item2vec,
    MovieLens movielens,
    double seconds,
    Conversion conversion,
    @JsonProperty("sequence_attention") String sequenceAttention,
    Against against) {

  /** A report without a comparison with another evaluation. */
  public EvaluationReport(String modelVersion, int testRows, int testClicks, double auc, double logloss, double ece,
      double ndcgAt5, Double oracleAuc, Double oracleLogloss, String oracleUnavailable, Map<String, Baseline> baselines,
      Item2Vec item2vec, MovieLens movielens, double seconds, Conversion conversion, String sequenceAttention) {
    this(modelVersion, testRows, testClicks, auc, logloss, ece, ndcgAt5, oracleAuc, oracleLogloss, oracleUnavailable,
        baselines, item2vec, movielens, seconds, conversion, sequenceAttention, null);
  }

  /** A report that does not say whether the model has sequence attention. */
  public EvaluationReport(String modelVersion, int testRows, int testClicks, double auc, double logloss, double ece,
      double ndcgAt5, Double oracleAuc, Double oracleLogloss, String oracleUnavailable, Map<String, Baseline> baselines,
      Item2Vec item2vec, MovieLens movielens, double seconds, Conversion conversion) {
    this(modelVersion, testRows, testClicks, auc, logloss, ece, ndcgAt5, oracleAuc, oracleLogloss, oracleUnavailable,
        baselines, item2vec, movielens, seconds, conversion, null, null);
  }

  /** A report without conversion figures. */
  public EvaluationReport(String modelVersion, int testRows, int testClicks, double auc, double logloss, double ece,
      double ndcgAt5, Double oracleAuc, Double oracleLogloss, String oracleUnavailable, Map<String, Baseline> baselines,
      Item2Vec item2vec, MovieLens movielens, double seconds) {
    this(modelVersion, testRows, testClicks, auc, logloss, ece, ndcgAt5, oracleAuc, oracleLogloss, oracleUnavailable,
        baselines, item2vec, movielens, seconds, null, null, null);
  }

  /**
   * Conversion figures of one scorer on the test days, two ways: {@code auc}, {@code logloss}, {@code ece} of the
   * predicted conversion probability of an impression (pCTR × pCVR) on every test impression, what cost-per-conversion
   * ordering ranks by; {@code cvrAuc}, {@code cvrLogloss}, {@code cvrEce} of the predicted conversion probability of a
   * click (pCVR) on the clicked test impressions.
   *
   * @param aucDifference for a baseline: the model's impression-level AUC minus this one's, with its interval
   * @param description for a baseline: what it is
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ConversionScores(double auc, double logloss, double ece, @JsonProperty("cvr_auc") double cvrAuc,
      @JsonProperty("cvr_logloss") double cvrLogloss, @JsonProperty("cvr_ece") double cvrEce,
      @JsonProperty("auc_difference") AucDifference aucDifference,
      @JsonProperty("cvr_auc_difference") AucDifference cvrAucDifference, String description) {}

  /**
   * The conversion section of the report.
   *
   * @param testConversions converted impressions among the test rows
   * @param model the bundle's conversion figures (its pure-Java scorer)
   * @param oracle the figures of the true probabilities (generated worlds only), else null
   * @param baselines {@code clicked_only} and {@code popularity}, on the same rows
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Conversion(@JsonProperty("test_conversions") int testConversions, ConversionScores model,
      ConversionScores oracle, Map<String, ConversionScores> baselines) {}

  /**
   * This evaluation's model against another evaluation's model on the same test rows ({@code evaluate --against}):
   * each of this model's AUCs minus the other's, with the paired bootstrap's interval.
   *
   * @param report the other evaluation's report directory
   * @param aucDifference the click AUC
   * @param conversionAucDifference the AUC of pCTR × pCVR on every test row (label: converted); null unless both
   *     evaluations have conversion figures
   * @param conversionCvrAucDifference the AUC of pCVR on the clicked test rows; null as above
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Against(String report, @JsonProperty("auc_difference") AucDifference aucDifference,
      @JsonProperty("conversion_auc_difference") AucDifference conversionAucDifference,
      @JsonProperty("conversion_cvr_auc_difference") AucDifference conversionCvrAucDifference) {}

  /**
   * A baseline scored on the same test rows.
   *
   * @param auc its AUC
   * @param logloss its logloss; null when its score is a ranking score, not a probability
   * @param aucDifference the model's AUC minus this one's, with its interval
   * @param description what the baseline is, in a sentence
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Baseline(double auc, Double logloss, @JsonProperty("auc_difference") AucDifference aucDifference,
      String description) {}

  /**
   * The model's AUC lead over a baseline, with a 95 % interval from a paired bootstrap that resamples whole users.
   *
   * @param clusteredBy what the bootstrap resamples (always {@code user})
   */
  public record AucDifference(double estimate, @JsonProperty("ci95_low") double ci95Low,
      @JsonProperty("ci95_high") double ci95High, int resamples, @JsonProperty("clustered_by") String clusteredBy) {

    /** The whole interval lies above zero: the lead is beyond the test day's sampling noise. */
    public boolean significant() {
      return ci95Low > 0;
    }
  }

  /**
   * @param categoryPrecisionAt10 mean share of each brand's 10 nearest brands that share its main category
   * @param tokensPerSecond item2vec training speed, from the manifest (null when it does not record it)
   */
  public record Item2Vec(@JsonProperty("category_precision_at_10") double categoryPrecisionAt10,
      @JsonProperty("tokens_per_second") Double tokensPerSecond) {}

  /** MovieLens: genre consistency of nearest movies and next-item hit rate@10 against popularity. */
  public record MovieLens(
      @JsonProperty("genre_consistency_at_10") double genreConsistencyAt10,
      @JsonProperty("genre_consistency_at_10_chance") double genreConsistencyAt10Chance,
      @JsonProperty("next_item_hit_rate_at_10") double nextItemHitRateAt10,
      @JsonProperty("next_item_hit_rate_at_10_item2vec") double nextItemHitRateAt10Item2vec,
      @JsonProperty("next_item_hit_rate_at_10_popularity") double nextItemHitRateAt10Popularity,
      @JsonProperty("next_item_test_users") int nextItemTestUsers) {}
}
