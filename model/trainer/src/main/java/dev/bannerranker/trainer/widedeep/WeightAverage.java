package dev.bannerranker.trainer.widedeep;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An exponential moving average of a network's parameters over its training steps (Polyak averaging). The
 * minibatch weights jitter: on the demo world the validation logloss of successive quarter epochs moved by up to
 * 0.001, as much as the wide side's whole gain, and the average over the last few hundred steps is both smoother and
 * better than any single point on the path.
 *
 * <p>It starts from zero and is divided by {@code 1 - decay^steps} when read, so early on it is the average of the
 * steps taken so far rather than being pulled toward zero (or toward the initial weights).
 */
public final class WeightAverage {
  private final double decay;
  private final INDArray sum;
  private long steps;

  /**
   * @param decay weight of the past per step, in (0, 1); the average spans about {@code 1 / (1 - decay)} steps
   * @param like an array of the parameters' shape and type
   */
  public WeightAverage(double decay, INDArray like) {
    if (!(decay > 0 && decay < 1)) {
      throw new IllegalArgumentException("weight average decay must be in (0, 1), got " + decay);
    }
    this.decay = decay;
    this.sum = Nd4j.zerosLike(like);
  }

  /** Takes one training step's parameters into the average; {@code params} is not kept. */
  public void add(INDArray params) {
    // In place: allocating a temporary per step cost 0.4-1.7 ms against 0.04 ms (150k parameters).
    sum.muli(decay);
    Nd4j.getBlasWrapper().level1().axpy(sum.length(), 1 - decay, params, sum);
    steps++;
  }

  /** A new array holding the bias-corrected average of the parameters added so far. */
  public INDArray average() {
    if (steps == 0) {
      throw new IllegalStateException("no parameters added to the average yet");
    }
    return sum.div(1 - Math.pow(decay, steps));
  }

  public long steps() {
    return steps;
  }
}
