package dev.bannerranker.servinglog;

import java.time.Instant;
import java.util.List;

/**
 * What one {@code Rank} returned. {@code platform} is null when the request gave none; {@code path} is personalized, cold_start or deadline; {@code policy} the ordering
 * policy that drew the top slots (greedy, epsilon_greedy, softmax); {@code catalog} the relative path of the catalog
 * snapshot of the catalog that served it; {@code catalogVersion} the live catalog's version (0: the model bundle's own
 * catalog, or a log written before live catalogs); {@code slotCount} how many banners were asked for.
 */
public record DecisionRecord(
    Instant time, String requestId, String userId, String placement, String platform, String arm,
    String modelVersion, String catalog, long catalogVersion, String path, String policy, int slotCount,
    List<LoggedBanner> banners)
    implements LogRecord {
  public static final String TYPE = "decision";

  public DecisionRecord {
    banners = List.copyOf(banners);
  }

  /** A decision served from a model bundle's own catalog (catalog version 0). */
  public DecisionRecord(Instant time, String requestId, String userId, String placement, String platform, String arm,
      String modelVersion, String catalog, String path, String policy, int slotCount, List<LoggedBanner> banners) {
    this(time, requestId, userId, placement, platform, arm, modelVersion, catalog, 0, path, policy, slotCount,
        banners);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /**
   * One returned banner. {@code position} is 1-based; {@code score}, {@code predictedCtr} and {@code predictedCvr}
   * are written at float precision; {@code propensity} is the probability that the serving policy put this banner at
   * this position given the banners above it (docs/serving-log.md); {@code predictedCvr} the model's probability that
   * a click converts, NaN when the model predicts clicks only or the banner was not scored by the model.
   */
  public record LoggedBanner(String bannerId, int position, double score, double predictedCtr, String reason,
      double propensity, double predictedCvr) {
    /** A banner without a predicted conversion rate. */
    public LoggedBanner(String bannerId, int position, double score, double predictedCtr, String reason,
        double propensity) {
      this(bannerId, position, score, predictedCtr, reason, propensity, Double.NaN);
    }

    public boolean hasPredictedCvr() {
      return !Double.isNaN(predictedCvr);
    }
  }
}
