package dev.bannerranker.trainer.widedeep;

/**
 * When wide &amp; deep validates and when it stops. The validations are counted in training rows of the unsampled
 * epoch: {@link WideDeepConfig#validationsPerEpoch()} is per epoch of all the training rows, so a run on a share of
 * them (negative downsampling) validates about as often per row trained as a run on all of them, and does not spend
 * its time scoring the validation rows, whose number does not shrink with the share. The patience stays in epochs of
 * the rows trained on. Without downsampling it is the settings themselves.
 *
 * @param perEpoch validations per epoch of the rows trained on, evenly through it, the last after its last batch:
 *     {@code validationsPerEpoch × trainRows / unsampledRows} rounded, at least 1 and at most the epoch's batches
 * @param patienceValidations training stops at the first validation that makes the validations since the best more
 *     than this: {@code patience × perEpoch}, i.e. {@code patience} epochs of the rows trained on
 */
public record ValidationSchedule(int perEpoch, double patienceValidations) {

  /** The schedule for an epoch of {@code trainRows}, a share of {@code unsampledRows} training rows (or all). */
  public static ValidationSchedule of(WideDeepConfig cfg, long trainRows, long unsampledRows) {
    if (trainRows < 1 || unsampledRows < trainRows) {
      throw new IllegalArgumentException("wide & deep: " + trainRows + " training rows of " + unsampledRows
          + " unsampled; need 1 <= rows <= unsampled rows");
    }
    long batches = (trainRows + cfg.batchSize() - 1) / cfg.batchSize();
    // Integer rounding, so that without downsampling it is exactly validationsPerEpoch.
    long scaled = (cfg.validationsPerEpoch() * trainRows + unsampledRows / 2) / unsampledRows;
    int perEpoch = (int) Math.min(Math.max(1, scaled), batches);
    double patienceValidations = cfg.patience() * perEpoch;
    return new ValidationSchedule(perEpoch, patienceValidations);
  }

  /** Whether the validation falls after batch {@code b} (0-based) of an epoch of {@code batches}. */
  public boolean due(int b, int batches) {
    return WideDeepTrainer.validationDue(b, batches, perEpoch);
  }

  /** Whether {@code sinceBest} validations without a better loss end training. */
  public boolean exhausted(int sinceBest) {
    return sinceBest > patienceValidations;
  }
}
