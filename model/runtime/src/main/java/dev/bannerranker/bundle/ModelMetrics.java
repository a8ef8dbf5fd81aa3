package dev.bannerranker.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * The manifest's {@code metrics}: what training measured with the service's scorer. Bundles built outside the trainer
 * have none ({@link #NONE}).
 *
 * @param valid AUC, logloss and calibration error on the validation days
 * @param test AUC, logloss and calibration error on the held-out test days
 * @param rows rows of each part of the split
 * @param dataProblems rows read and rows rejected, per input file
 */
// Keys in alphabetical order, as the manifest was written when these were maps.
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record ModelMetrics(
    SplitMetrics valid,
    SplitMetrics test,
    RowCounts rows,
    @JsonProperty("data_problems") Map<String, FileRows> dataProblems) {

  public static final ModelMetrics NONE = new ModelMetrics(null, null, null, null);

  public ModelMetrics {
    dataProblems = dataProblems == null ? null : Map.copyOf(dataProblems);
  }

  /**
   * AUC, logloss and expected calibration error (20 equal-mass bins, as {@code evaluate} reports it) of one part of
   * the split, over {@code rows} impressions; {@code ece} is null in the manifests of trainers that did not record it.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder(alphabetic = true)
  public record SplitMetrics(double auc, double logloss, Double ece, int rows) {
    public SplitMetrics(double auc, double logloss, int rows) {
      this(auc, logloss, null, rows);
    }
  }

  /** Impressions in each part of the time split. */
  @JsonPropertyOrder(alphabetic = true)
  public record RowCounts(int train, int valid, int test) {}

  /** One input file: rows read and rows rejected as malformed. */
  @JsonPropertyOrder(alphabetic = true)
  public record FileRows(long rows, @JsonProperty("bad_rows") long badRows) {}
}
