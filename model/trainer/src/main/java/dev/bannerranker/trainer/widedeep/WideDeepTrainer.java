package dev.bannerranker.trainer.widedeep;

import dev.bannerranker.scoring.NegativeSampling;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatch training with a seeded shuffle per epoch, and early stopping on validation logloss, measured {@link
 * WideDeepConfig#validationsPerEpoch()} times per epoch of all the training rows ({@link ValidationSchedule}: about
 * once per as many rows trained when training on a share of them): the best parameters seen are restored at the end.
 * With a
 * {@link WideDeepConfig#weightAverageDecay()} the parameters validated and kept are the moving average of the
 * training steps ({@link WeightAverage}), not the last step's.
 */
public final class WideDeepTrainer {
  private WideDeepTrainer() {}

  /**
   * The trained graph, and logloss at each validation: on a fixed sample of the training rows ({@link
   * #TRAIN_LOSS_SAMPLE}) and on the validation rows. With a weight average, those are the average's, and {@code
   * trainingWeightsValidLoss} holds the validation logloss of the training weights themselves at the same points
   * (what the average gains; empty without an average or without {@code trainingLoss}).
   *
   * @param bestValidation 1-based index of the validation whose parameters the graph holds
   * @param validationsPerEpoch validations per epoch of the rows trained on ({@link ValidationSchedule#perEpoch()})
   * @param fitSeconds fitting time per epoch (the last may be partial)
   * @param lossSeconds time spent measuring the losses, per validation
   */
  public record Result(ComputationGraph net, List<Double> trainLoss, List<Double> validLoss,
      List<Double> trainingWeightsValidLoss, int bestValidation, int validationsPerEpoch, List<Double> fitSeconds,
      List<Double> lossSeconds) {

    /** Epochs of training behind the kept parameters, e.g. 2.25 with four validations per epoch. */
    public double bestEpoch() {
      return (double) bestValidation / validationsPerEpoch;
    }

    /** Epochs of training done, e.g. 2.75. */
    public double epochsTrained() {
      return (double) validLoss.size() / validationsPerEpoch;
    }
  }

  public static Result train(ComputationGraph net, RowEncoder rows, ImpressionDataset ds, int[] train, int[] valid,
      WideDeepConfig cfg, boolean showProgress) {
    return train(net, rows, ds, train, train.length, valid, cfg, 1.0, showProgress);
  }

  /**
   * As above, with {@code train} holding a share {@code negativeRate} of the non-clicks of {@code unsampledRows}
   * training rows: the validations and the patience are counted in those rows ({@link ValidationSchedule}), and the
   * validation losses are of the predictions corrected back to the true click rate ({@link NegativeSampling}), what
   * the bundle will serve. The training loss stays that of the raw predictions on the (sampled) training rows the
   * network fits.
   */
  public static Result train(ComputationGraph net, RowEncoder rows, ImpressionDataset ds, int[] train,
      long unsampledRows, int[] valid, WideDeepConfig cfg, double negativeRate, boolean showProgress) {
    return train(net, rows, ds, train, unsampledRows, valid, cfg, negativeRate, showProgress, true, null);
  }

  /**
   * As above; without {@code trainingLoss} neither the training loss nor the training weights' validation loss is
   * measured (their lists stay empty).
   */
  public static Result train(ComputationGraph net, RowEncoder rows, ImpressionDataset ds, int[] train, int[] valid,
      WideDeepConfig cfg, boolean showProgress, boolean trainingLoss) {
    return train(net, rows, ds, train, valid, cfg, showProgress, trainingLoss, null);
  }

  /**
   * As above; with a {@code shared} bar (for networks trained side by side, whose own bars would overwrite each other
   * on one console) each epoch adds its batches to that bar's total and steps it, instead of drawing its own bar.
   */
  public static Result train(ComputationGraph net, RowEncoder rows, ImpressionDataset ds, int[] train, int[] valid,
      WideDeepConfig cfg, boolean showProgress, boolean trainingLoss, Progress shared) {
    return train(net, rows, ds, train, train.length, valid, cfg, 1.0, showProgress, trainingLoss, shared);
  }

  private static Result train(ComputationGraph net, RowEncoder rows, ImpressionDataset ds, int[] train,
      long unsampledRows, int[] valid, WideDeepConfig cfg, double negativeRate, boolean showProgress,
      boolean trainingLoss, Progress shared) {
    int[] trainSample = trainingLoss && train.length > 0 ? trainLossSample(train, cfg) : null;
    return train(net, new HeldBatches(rows, ds, train, cfg.mode(), WideDeepNetwork.hasConversion(net)), unsampledRows,
        new HeldRows(rows, ds, valid, negativeRate),
        trainSample == null ? null : new HeldRows(rows, ds, trainSample), cfg, showProgress, shared);
  }

  /**
   * Rows held in memory whose logloss is measured: indices into a dataset, with its encoder. With a {@code
   * negativeRate} below 1 (a network trained on that share of the non-clicks) the loss is of the predictions corrected
   * back to the true click rate ({@link NegativeSampling}), what the bundle will serve.
   */
  public record HeldRows(RowEncoder rows, ImpressionDataset ds, int[] idx, double negativeRate) {
    /** Rows whose loss is of the raw predictions. */
    public HeldRows(RowEncoder rows, ImpressionDataset ds, int[] idx) {
      this(rows, ds, idx, 1.0);
    }

    /** The click logloss; for a click-and-conversion graph, plus the logloss of pCTCVR on clicked-and-converted. */
    double logLoss(ComputationGraph net, WideDeepConfig cfg) {
      if (!WideDeepNetwork.hasConversion(net)) {
        return WideDeepTrainer.logLoss(calibrated(predict(net, rows, idx, cfg), negativeRate), ds, idx);
      }
      float[][] both = predictBoth(net, rows, idx, cfg);
      float[] ctr = calibrated(both[0], negativeRate);
      float[] ctcvr = new float[idx.length];
      boolean[] y = new boolean[idx.length];
      for (int i = 0; i < idx.length; i++) {
        ctcvr[i] = ctr[i] * both[1][i];
        y[i] = ds.clicked[idx[i]] && ds.converted[idx[i]];
      }
      return WideDeepTrainer.logLoss(ctr, ds, idx) + WideDeepTrainer.logLoss(ctcvr, y);
    }
  }

  /** The training rows as minibatches, in a new seeded order each epoch. */
  public interface TrainBatches {
    long rows();

    /** Starts an epoch. */
    void shuffle(SplittableRandom rng);

    /** Rows {@code from} (inclusive) to {@code to} of the epoch's order; called in order, batch after batch. */
    MultiDataSet batch(int from, int to);
  }

  /** Training rows held in memory, shuffled whole each epoch. */
  static final class HeldBatches implements TrainBatches {
    private final RowEncoder rows;
    private final ImpressionDataset ds;
    private final int[] order;
    private final WideDeepConfig.Mode mode;
    private final boolean conversion;

    HeldBatches(RowEncoder rows, ImpressionDataset ds, int[] train, WideDeepConfig.Mode mode, boolean conversion) {
      this.rows = rows;
      this.ds = ds;
      this.order = train.clone();
      this.mode = mode;
      this.conversion = conversion;
    }

    @Override
    public long rows() {
      return order.length;
    }

    @Override
    public void shuffle(SplittableRandom rng) {
      WideDeepTrainer.shuffle(order, rng);
    }

    @Override
    public MultiDataSet batch(int from, int to) {
      INDArray[] labels = conversion
          ? new INDArray[] {labels(ds, order, from, to), conversionLabels(ds, order, from, to)}
          : new INDArray[] {labels(ds, order, from, to)};
      return new MultiDataSet(WideDeepNetwork.features(rows, order, from, to, mode), labels);
    }
  }

  /**
   * The training loop over any source of minibatches, a share of {@code unsampledRows} training rows (or all of
   * them) whose epoch counts the validations and the patience ({@link ValidationSchedule}); the losses are measured
   * on rows held in memory ({@code trainSample} null: no training loss, nor the training weights' validation loss).
   */
  public static Result train(ComputationGraph net, TrainBatches source, long unsampledRows, HeldRows valid,
      HeldRows trainSample, WideDeepConfig cfg, boolean showProgress, Progress shared) {
    return train(net, source, unsampledRows, valid, trainSample, cfg, showProgress, shared, true);
  }

  /**
   * As above; with {@code prefetch} the next minibatches are built on another thread while one is fitted ({@link
   * PrefetchedBatches}), to the same result.
   */
  static Result train(ComputationGraph net, TrainBatches source, long unsampledRows, HeldRows valid,
      HeldRows trainSample, WideDeepConfig cfg, boolean showProgress, Progress shared, boolean prefetch) {
    if (!prefetch) {
      return fit(net, source, unsampledRows, valid, trainSample, cfg, showProgress, shared);
    }
    try (PrefetchedBatches ahead = new PrefetchedBatches(source, cfg.batchSize(), PrefetchedBatches.DEPTH)) {
      return fit(net, ahead, unsampledRows, valid, trainSample, cfg, showProgress, shared);
    }
  }

  private static Result fit(ComputationGraph net, TrainBatches source, long unsampledRows, HeldRows valid,
      HeldRows trainSample, WideDeepConfig cfg, boolean showProgress, Progress shared) {
    // Without rows there is no validation to keep parameters from, and the schedule would divide by zero batches.
    if (source.rows() == 0 || valid.idx().length == 0) {
      throw new IllegalArgumentException("wide & deep: no " + (source.rows() == 0 ? "training" : "validation")
          + " rows to train on");
    }
    if (source.rows() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("wide & deep: " + source.rows() + " training rows; at most "
          + Integer.MAX_VALUE + " per epoch");
    }
    boolean trainingLoss = trainSample != null;
    Nd4j.getRandom().setSeed(cfg.seed());
    SplittableRandom rng = new SplittableRandom(cfg.seed());
    int trainRows = (int) source.rows();
    List<Double> trainLoss = new ArrayList<>();
    List<Double> validLoss = new ArrayList<>();
    List<Double> liveLoss = new ArrayList<>();
    List<Double> fitSeconds = new ArrayList<>();
    List<Double> lossSeconds = new ArrayList<>();
    INDArray best = null;
    double bestLoss = Double.POSITIVE_INFINITY;
    int bestValidation = 0;
    int sinceBest = 0;
    int batches = (trainRows + cfg.batchSize() - 1) / cfg.batchSize();
    ValidationSchedule schedule = ValidationSchedule.of(cfg, trainRows, unsampledRows);
    WeightAverage average = cfg.weightAverageDecay() > 0 ? new WeightAverage(cfg.weightAverageDecay(), net.params()) : null;
    boolean stop = false;
    for (int epoch = 1; epoch <= cfg.maxEpochs() && !stop; epoch++) {
      source.shuffle(rng);
      long fitNanos = 0;
      long fitStart = System.nanoTime();
      try (Progress own = shared == null ? Progress.start(showProgress, cfg.mode().name().toLowerCase().replace('_', ' ')
          + " epoch " + epoch + "/" + cfg.maxEpochs(), batches, "batches") : null) {
        Progress pb = shared != null ? shared : own;
        if (shared != null) {
          shared.addToMax(batches);
        }
        for (int b = 0; b < batches && !stop; b++) {
          int from = b * cfg.batchSize();
          int to = Math.min(trainRows, from + cfg.batchSize());
          MultiDataSet batch = source.batch(from, to);
          net.fit(batch);
          net.clear(); // the graph holds the batch as its inputs until the next fit
          WideDeepNetwork.release(batch.getFeatures());
          WideDeepNetwork.release(batch.getLabels());
          if (average != null) {
            average.add(net.params());
          }
          pb.step();
          if (!schedule.due(b, batches)) {
            continue;
          }
          long lossStart = System.nanoTime();
          fitNanos += lossStart - fitStart;
          INDArray live = null;
          INDArray candidate = null;
          if (average != null) {
            live = net.params().dup();
            candidate = average.average();
            net.setParams(candidate);
          }
          if (trainSample != null) {
            trainLoss.add(trainSample.logLoss(net, cfg));
          }
          double v = valid.logLoss(net, cfg);
          validLoss.add(v);
          if (live != null) {
            net.setParams(live);
            if (trainingLoss) {
              liveLoss.add(valid.logLoss(net, cfg));
            }
          }
          if (v < bestLoss - 1e-6) {
            bestLoss = v;
            bestValidation = validLoss.size();
            best = candidate != null ? candidate : net.params().dup();
            sinceBest = 0;
          } else if (schedule.exhausted(++sinceBest)) {
            stop = true;
          }
          fitStart = System.nanoTime();
          lossSeconds.add((fitStart - lossStart) / 1e9);
        }
      }
      fitSeconds.add((fitNanos + (stop ? 0 : System.nanoTime() - fitStart)) / 1e9);
    }
    if (best != null) {
      net.setParams(best);
    }
    return new Result(net, trainLoss, validLoss, liveLoss, bestValidation, schedule.perEpoch(), fitSeconds,
        lossSeconds);
  }

  /** Whether the validation falls after batch {@code b} (0-based): the epoch's batches in {@code perEpoch} even parts. */
  static boolean validationDue(int b, int batches, int perEpoch) {
    return (long) (b + 1) * perEpoch / batches != (long) b * perEpoch / batches;
  }

  /**
   * Training rows whose logloss is the training curve, measured like the validation loss at each validation. DL4J's
   * minibatch score is no use here: on this graph it read about 0.73 on the demo world, whose logloss is about 0.15.
   */
  static final int TRAIN_LOSS_SAMPLE = 50_000;

  /** The training rows, of {@code train} in log order, whose logloss is the training curve. */
  public static int[] trainLossSample(int[] train, WideDeepConfig cfg) {
    return sample(train, TRAIN_LOSS_SAMPLE, cfg.seed());
  }

  /** A seeded sample of {@code n} rows (all of them when there are fewer), in their original order. */
  static int[] sample(int[] rows, int n, long seed) {
    if (rows.length <= n) {
      return rows.clone();
    }
    int[] copy = rows.clone();
    shuffle(copy, new SplittableRandom(seed ^ 0x5DEECE66DL));
    int[] out = java.util.Arrays.copyOf(copy, n);
    java.util.Arrays.sort(out);
    return out;
  }

  /** DL4J's predicted click probability for each of {@code rows}, their inputs built one chunk ahead. */
  public static float[] predict(ComputationGraph net, RowEncoder enc, int[] rows, WideDeepConfig cfg) {
    float[] out = new float[rows.length];
    int step = 8192;
    try (PrefetchedBatches inputs = PrefetchedBatches.inputs(enc, rows, cfg.mode(), step)) {
      for (int from = 0; from < rows.length; from += step) {
        int to = Math.min(rows.length, from + step);
        INDArray[] in = inputs.batch(from, to).getFeatures();
        INDArray[] p = WideDeepNetwork.hasConversion(net) ? net.output(false, in)
            : new INDArray[] {net.outputSingle(false, in)};
        float[] v = p[0].reshape(-1).toFloatVector();
        System.arraycopy(v, 0, out, from, v.length);
        net.clear();
        WideDeepNetwork.release(in);
        WideDeepNetwork.release(p);
      }
    }
    return out;
  }

  /**
   * A click-and-conversion graph's raw click probability ([0]) and conversion probability of a click ([1]) for each of
   * {@code rows}.
   */
  public static float[][] predictBoth(ComputationGraph net, RowEncoder enc, int[] rows, WideDeepConfig cfg) {
    float[][] out = new float[2][rows.length];
    int step = 8192;
    for (int from = 0; from < rows.length; from += step) {
      int to = Math.min(rows.length, from + step);
      java.util.Map<String, INDArray> act = net.feedForward(WideDeepNetwork.features(enc, rows, from, to, cfg.mode()),
          false);
      System.arraycopy(act.get(WideDeepNetwork.CLICK_OUTPUT).reshape(-1).toFloatVector(), 0, out[0], from, to - from);
      System.arraycopy(act.get(WideDeepNetwork.CVR_VERTEX).reshape(-1).toFloatVector(), 0, out[1], from, to - from);
    }
    return out;
  }

  /** {@code p} corrected in place for training on a share {@code negativeRate} of the non-clicks. */
  public static float[] calibrated(float[] p, double negativeRate) {
    for (int i = 0; i < p.length; i++) {
      p[i] = NegativeSampling.calibrate(p[i], negativeRate);
    }
    return p;
  }

  static INDArray labels(ImpressionDataset ds, int[] order, int from, int to) {
    float[] y = new float[to - from];
    for (int i = from; i < to; i++) {
      y[i - from] = ds.clicked[order[i]] ? 1f : 0f;
    }
    return Nd4j.create(y, new long[] {to - from, 1}, 'c');
  }

  /** The second output's labels: clicked and converted. */
  static INDArray conversionLabels(ImpressionDataset ds, int[] order, int from, int to) {
    float[] y = new float[to - from];
    for (int i = from; i < to; i++) {
      y[i - from] = ds.clicked[order[i]] && ds.converted[order[i]] ? 1f : 0f;
    }
    return Nd4j.create(y, new long[] {to - from, 1}, 'c');
  }

  static double logLoss(float[] p, boolean[] y) {
    double s = 0;
    for (int i = 0; i < p.length; i++) {
      double q = Math.min(Math.max(p[i], 1e-7), 1 - 1e-7);
      s -= y[i] ? Math.log(q) : Math.log(1 - q);
    }
    return s / p.length;
  }

  static double logLoss(float[] p, ImpressionDataset ds, int[] rows) {
    double s = 0;
    for (int i = 0; i < rows.length; i++) {
      double q = Math.min(Math.max(p[i], 1e-7), 1 - 1e-7);
      s -= ds.clicked[rows[i]] ? Math.log(q) : Math.log(1 - q);
    }
    return s / rows.length;
  }

  static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
