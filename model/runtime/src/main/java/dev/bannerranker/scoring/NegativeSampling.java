package dev.bannerranker.scoring;

/**
 * The correction for training on a share {@code R} of the non-clicks (every click kept): such a model over-predicts
 * clicks by the odds factor {@code 1/R}, so its output {@code p} maps back to the true rate as {@code q = p / (p + (1 −
 * p) / R)} ("Practical lessons from predicting clicks on ads at Facebook", 2014). The scorer applies it, so serving,
 * evaluation and the trainer's validation loss all see calibrated probabilities.
 */
public final class NegativeSampling {
  private NegativeSampling() {}

  /** {@code p} corrected back to the true click rate; with {@code rate == 1} (no sampling) {@code p} itself. */
  public static float calibrate(float p, double rate) {
    if (rate == 1.0) {
      return p;
    }
    return (float) (p / (p + (1.0 - p) / rate));
  }

  /** Whether {@code rate} is a share of non-clicks a model can be trained on: {@code 0 < rate ≤ 1}. */
  public static boolean isValidRate(double rate) {
    return rate > 0 && rate <= 1;
  }
}
