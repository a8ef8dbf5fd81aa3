package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.progress.Progress;
import dev.bannerranker.trainer.widedeep.RowEncoder;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import dev.bannerranker.trainer.widedeep.WideDeepNetwork;
import dev.bannerranker.trainer.widedeep.WideDeepTrainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Retrains the model's two halves as baselines, the wide side alone and the deep side alone, with the model's own
 * settings and on its own split, so the model's lead over each is what the other half adds.
 */
public final class BaselineTrainer {
  private BaselineTrainer() {}

  /** The baselines trained, in report order. */
  public static final List<WideDeepConfig.Mode> MODES = List.of(WideDeepConfig.Mode.WIDE_ONLY,
      WideDeepConfig.Mode.DEEP_ONLY);

  /**
   * A trained baseline's test predictions, how its training went, and how long it took.
   *
   * @param name its report key ({@code wide_only}, {@code deep_only})
   */
  public record Trained(String name, String description, float[] test, WideDeepTrainer.Result fit, double seconds) {}

  public static String name(WideDeepConfig.Mode mode) {
    return mode == WideDeepConfig.Mode.WIDE_ONLY ? "wide_only" : "deep_only";
  }

  static String description(WideDeepConfig.Mode mode) {
    return mode == WideDeepConfig.Mode.WIDE_ONLY ? "logistic regression on the hashed wide crosses"
        : "the deep side alone, same features and sizes";
  }

  /**
   * Trains every baseline of {@link #MODES} on {@code train}, stopping early on {@code valid}, and predicts
   * {@code test}.
   */
  public static List<Trained> train(FeatureSpec spec, WideDeepConfig model, RowEncoder rows, ImpressionDataset ds,
      int[] train, int[] valid, int[] test, boolean progress, PrintStream out) {
    // The two baselines are independent networks, each trained on one thread (OMP_NUM_THREADS=1), so with two cores
    // they train side by side; each keeps its own seed and ND4J's per-thread random state, so results do not change.
    boolean parallel = Runtime.getRuntime().availableProcessors() >= 2;
    if (parallel) {
      out.println("training the wide-only and deep-only baselines side by side");
    }
    List<Future<Trained>> futures = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(parallel ? MODES.size() : 1);
    // Side by side, the two share one bar; its total grows by an epoch's batches as either starts an epoch, so the
    // ETA is that of the epochs under way (early stopping decides how many follow).
    Progress shared = progress && parallel ? Progress.start(true, "baselines", 0, "batches") : null;
    try {
      for (WideDeepConfig.Mode mode : MODES) {
        WideDeepConfig cfg = model.withMode(mode);
        futures.add(pool.submit(() -> {
          var net = WideDeepNetwork.build(spec, cfg);
          // Only the test predictions are reported: no training-loss curve for the baselines.
          long start = System.nanoTime();
          var fit = WideDeepTrainer.train(net, rows, ds, train, valid, cfg, progress && !parallel, false, shared);
          return new Trained(name(mode), description(mode), WideDeepTrainer.predict(net, rows, test, cfg), fit,
              (System.nanoTime() - start) / 1e9);
        }));
      }
      List<Trained> done = new ArrayList<>();
      for (int m = 0; m < MODES.size(); m++) {
        done.add(Background.await(futures.get(m), "training the " + MODES.get(m) + " baseline"));
      }
      return done;
    } finally {
      pool.shutdownNow();
      if (shared != null) {
        shared.close(); // before the caller's lines, which the bar's redraws would otherwise cut into
      }
    }
  }
}
