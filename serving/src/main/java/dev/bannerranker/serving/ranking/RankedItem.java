package dev.bannerranker.serving.ranking;

import dev.bannerranker.scoring.WideDeepScorer.WideContribution;
import java.util.List;

/**
 * One banner of a ranking.
 *
 * @param bannerId catalog id
 * @param brand the banner's brand
 * @param score the ordering value: {@code value * predictedCtr} for the model's order, the popularity for the fallback
 * @param value what a click on the banner is worth in the order ({@code ranker.ordering.value}: the bid by default)
 * @param predictedCtr the model's click probability, or the popularity when the model was not used
 * @param reason why it holds its position
 * @param propensity probability that the policy put it here
 * @param explanation set for debug requests when the user's features were computed, else null
 * @param predictedCvr the model's probability that a click converts; NaN when the model predicts clicks only or was
 *     not used
 */
public record RankedItem(String bannerId, String brand, double score, double value, double predictedCtr,
    Reason reason, double propensity, Explanation explanation, double predictedCvr) {

  /** An item without a predicted conversion rate. */
  public RankedItem(String bannerId, String brand, double score, double value, double predictedCtr, Reason reason,
      double propensity, Explanation explanation) {
    this(bannerId, brand, score, value, predictedCtr, reason, propensity, explanation, Double.NaN);
  }

  /** Why the model scored the banner as it did. */
  public record Explanation(List<WideContribution> topWideFeatures, List<NearBrand> nearestRecentBrands) {}

  /** One of the user's recent brands and its item2vec similarity to the banner's brand. */
  public record NearBrand(String brand, double similarity, double userShare) {}

  RankedItem withExplanation(Explanation e) {
    return new RankedItem(bannerId, brand, score, value, predictedCtr, reason, propensity, e, predictedCvr);
  }
}
