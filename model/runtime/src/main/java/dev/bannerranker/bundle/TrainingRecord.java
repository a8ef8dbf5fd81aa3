package dev.bannerranker.bundle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The manifest's {@code training}: how the run went. Only {@code split} is required (evaluation finds the test days
 * by it); the curves and timings are absent from bundles built outside the trainer.
 *
 * @param trainLoss training logloss at each validation
 * @param validLoss validation logloss at each validation, of the weights that are kept (the moving average)
 * @param validLossTrainingWeights validation logloss of the training weights themselves, when they are averaged
 * @param validationsPerEpoch how many validations each epoch had (at least 1 after {@link ManifestMigration})
 * @param bestValidation which validation (1-based) the kept weights come from
 * @param bestEpoch epochs trained at that validation
 * @param epochFitSeconds seconds of fitting per epoch
 * @param validationLossSeconds seconds of measuring the losses per validation
 * @param item2vecTokensPerSecond item2vec training speed
 * @param item2vecSeconds item2vec training time
 * @param foldInLoss the fold-in factors' choice loss per round
 * @param foldInSeconds the fold-in factors' training time
 * @param split where the validation and test days start
 */
// Keys in alphabetical order, as the manifest was written when these were maps.
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record TrainingRecord(
    @JsonProperty("train_loss") List<Double> trainLoss,
    @JsonProperty("valid_loss") List<Double> validLoss,
    @JsonProperty("valid_loss_training_weights") List<Double> validLossTrainingWeights,
    @JsonProperty("validations_per_epoch") Integer validationsPerEpoch,
    @JsonProperty("best_validation") Integer bestValidation,
    @JsonProperty("best_epoch") Double bestEpoch,
    @JsonProperty("epoch_fit_seconds") List<Double> epochFitSeconds,
    @JsonProperty("validation_loss_seconds") List<Double> validationLossSeconds,
    @JsonProperty("item2vec_tokens_per_second") Double item2vecTokensPerSecond,
    @JsonProperty("item2vec_seconds") Double item2vecSeconds,
    @JsonProperty("fold_in_loss") List<Double> foldInLoss,
    @JsonProperty("fold_in_seconds") Double foldInSeconds,
    Split split) {

  /** A record with only the split, for bundles built outside the trainer. */
  public static TrainingRecord ofSplit(Split split) {
    return new TrainingRecord(null, null, null, null, null, null, null, null, null, null, null, null, split);
  }

  /** The start of the validation days and of the test days, ISO-8601 instants. */
  @JsonPropertyOrder(alphabetic = true)
  public record Split(@JsonProperty("valid_start") String validStart, @JsonProperty("test_start") String testStart) {
    public Split {
      check("valid_start", validStart);
      check("test_start", testStart);
    }

    public static Split of(long validStartSecond, long testStartSecond) {
      return new Split(Instant.ofEpochSecond(validStartSecond).toString(),
          Instant.ofEpochSecond(testStartSecond).toString());
    }

    @JsonIgnore
    public long validStartSecond() {
      return Instant.parse(validStart).getEpochSecond();
    }

    @JsonIgnore
    public long testStartSecond() {
      return Instant.parse(testStart).getEpochSecond();
    }

    private static void check(String field, String value) {
      if (value == null) {
        throw new IllegalArgumentException(field + " is missing");
      }
      try {
        Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(field + " is not an ISO-8601 instant");
      }
    }
  }
}
