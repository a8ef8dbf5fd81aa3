package dev.bannerranker.trainer.widedeep;

import dev.bannerranker.trainer.dataset.ImpressionDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatch training with Adam, a seeded shuffle per epoch, and early stopping on validation logloss: the
 * parameters of the best epoch are restored at the end.
 */
public final class WideDeepTrainer {
  private WideDeepTrainer() {}

  /**
   * The trained graph, and logloss per epoch after it: on a fixed sample of the training rows ({@link
   * #TRAIN_LOSS_SAMPLE}) and on the validation rows.
   */
  public record Result(ComputationGraph net, List<Double> trainLoss, List<Double> validLoss, int bestEpoch,
      List<Double> fitSeconds, List<Double> lossSeconds) {}

  public static Result train(ComputationGraph net, RowEncoder rows, ImpressionDataset ds, int[] train, int[] valid,
      WideDeepConfig cfg, boolean showProgress) {
    return train(net, rows, ds, train, valid, cfg, showProgress, true);
  }

  /** As above; without {@code trainingLoss} the training loss is not measured (its list stays empty). */
  public static Result train(ComputationGraph net, RowEncoder rows, ImpressionDataset ds, int[] train, int[] valid,
      WideDeepConfig cfg, boolean showProgress, boolean trainingLoss) {
    Nd4j.getRandom().setSeed(cfg.seed());
    SplittableRandom rng = new SplittableRandom(cfg.seed());
    int[] order = train.clone();
    List<Double> trainLoss = new ArrayList<>();
    List<Double> validLoss = new ArrayList<>();
    List<Double> fitSeconds = new ArrayList<>();
    List<Double> lossSeconds = new ArrayList<>();
    INDArray best = null;
    double bestLoss = Double.POSITIVE_INFINITY;
    int bestEpoch = 0;
    int sinceBest = 0;
    int batches = (order.length + cfg.batchSize() - 1) / cfg.batchSize();
    int[] trainSample = trainingLoss ? sample(train, TRAIN_LOSS_SAMPLE, cfg.seed()) : null;
    for (int epoch = 1; epoch <= cfg.maxEpochs(); epoch++) {
      shuffle(order, rng);
      long fitStart = System.nanoTime();
      try (ProgressBar pb = bar(showProgress, cfg.mode().name().toLowerCase() + " epoch " + epoch, batches)) {
        for (int b = 0; b < batches; b++) {
          int from = b * cfg.batchSize();
          int to = Math.min(order.length, from + cfg.batchSize());
          net.fit(new MultiDataSet(WideDeepNetwork.features(rows, order, from, to, cfg.mode()), new INDArray[] {labels(ds, order, from, to)}));
          if (pb != null) {
            pb.step();
          }
        }
      }
      long lossStart = System.nanoTime();
      fitSeconds.add((lossStart - fitStart) / 1e9);
      if (trainSample != null) {
        trainLoss.add(logLoss(predict(net, rows, trainSample, cfg), ds, trainSample));
      }
      double v = logLoss(predict(net, rows, valid, cfg), ds, valid);
      validLoss.add(v);
      lossSeconds.add((System.nanoTime() - lossStart) / 1e9);
      if (v < bestLoss - 1e-6) {
        bestLoss = v;
        bestEpoch = epoch;
        best = net.params().dup();
        sinceBest = 0;
      } else if (++sinceBest > cfg.patience()) {
        break;
      }
    }
    if (best != null) {
      net.setParams(best);
    }
    return new Result(net, trainLoss, validLoss, bestEpoch, fitSeconds, lossSeconds);
  }

  /**
   * Training rows whose logloss is the training curve, measured like the validation loss after each epoch. DL4J's
   * minibatch score is no use here: on this graph it read about 0.73 on the demo world, whose logloss is about 0.15.
   */
  static final int TRAIN_LOSS_SAMPLE = 50_000;

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

  private static ProgressBar bar(boolean show, String task, int max) {
    if (!show) {
      return null;
    }
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500).showSpeed().build();
  }

  /** DL4J's predicted click probability for each of {@code rows}. */
  public static float[] predict(ComputationGraph net, RowEncoder enc, int[] rows, WideDeepConfig cfg) {
    float[] out = new float[rows.length];
    int step = 8192;
    for (int from = 0; from < rows.length; from += step) {
      int to = Math.min(rows.length, from + step);
      INDArray p = net.outputSingle(false, WideDeepNetwork.features(enc, rows, from, to, cfg.mode()));
      float[] v = p.reshape(-1).toFloatVector();
      System.arraycopy(v, 0, out, from, v.length);
    }
    return out;
  }

  private static INDArray labels(ImpressionDataset ds, int[] order, int from, int to) {
    float[] y = new float[to - from];
    for (int i = from; i < to; i++) {
      y[i - from] = ds.clicked[order[i]] ? 1f : 0f;
    }
    return Nd4j.create(y, new long[] {to - from, 1}, 'c');
  }

  static double logLoss(float[] p, ImpressionDataset ds, int[] rows) {
    double s = 0;
    for (int i = 0; i < rows.length; i++) {
      double q = Math.min(Math.max(p[i], 1e-7), 1 - 1e-7);
      s -= ds.clicked[rows[i]] ? Math.log(q) : Math.log(1 - q);
    }
    return s / rows.length;
  }

  private static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
