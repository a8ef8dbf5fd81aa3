package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One tiny world and one trained bundle per test JVM: training is the slow part, so tests share it. The settings are
 * not train's defaults but smaller ones, for speed: item2vec dimension 16, 2 epochs, min count 2; hidden layers 16,8,
 * batches of 512, learning rate 2e-3, 2 validations per epoch, patience 1, weight-average decay 0.9, L2 1e-5 on 2^12
 * wide buckets; a taste tower of 6 brands by 4; fold-in factors of size 4. {@link #withoutFoldIn()} trains a second
 * bundle without fold-in, on first use.
 */
final class TinyWorld {
  static final Path ROOT;
  static final Path DATA;
  static final TrainingPipeline.Outcome TRAINED;
  static final int FOLD_IN_DIM = 4;
  private static TrainingPipeline.Outcome withoutFoldIn;

  static {
    try {
      ROOT = Files.createTempDirectory("banner-ranker-test");
      // Every test class of the JVM shares it, so none can delete it; it goes when the test JVM exits.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> BundleIO.deleteTree(ROOT), "delete-tiny-world"));
      DATA = ROOT.resolve("tiny");
      new WorldGenerator(Scale.TINY, 5).generate(DATA, null);
      TRAINED = TrainingPipeline.run(options(ROOT.resolve("bundle"), 3), quiet(), quiet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same world trained without fold-in factors, into {@code ROOT/bundle-no-fold-in}. */
  static synchronized TrainingPipeline.Outcome withoutFoldIn() {
    if (withoutFoldIn == null) {
      try {
        withoutFoldIn = TrainingPipeline.run(options(ROOT.resolve("bundle-no-fold-in"), 3, 0), quiet(), quiet());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return withoutFoldIn;
  }

  private static TrainingPipeline.Outcome withConversion;

  /** The same world trained with {@code --objective click+conversion}, into {@code ROOT/bundle-conversion}. */
  static synchronized TrainingPipeline.Outcome withConversion() {
    if (withConversion == null) {
      try {
        withConversion = TrainingPipeline.run(options(ROOT.resolve("bundle-conversion"), 3)
            .withObjective(Objective.CLICK_CONVERSION), quiet(), quiet());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return withConversion;
  }

  private static TrainingPipeline.Outcome withSequenceAttention;

  /** The same world trained with {@code --sequence-attention on} for 2 epochs, into {@code ROOT/bundle-attention}. */
  static synchronized TrainingPipeline.Outcome withSequenceAttention() {
    if (withSequenceAttention == null) {
      try {
        withSequenceAttention = TrainingPipeline.run(options(ROOT.resolve("bundle-attention"), 2)
            .withSequenceAttention(true), quiet(), quiet());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return withSequenceAttention;
  }

  private static final java.util.Map<Double, TrainingPipeline.Outcome> sampled = new java.util.HashMap<>();

  /** The same world trained on a share {@code rate} of the training non-clicks, into {@code ROOT/bundle-r<rate>}. */
  static synchronized TrainingPipeline.Outcome withNegativeRate(double rate) {
    TrainingPipeline.Outcome t = sampled.get(rate);
    if (t == null) {
      try {
        t = TrainingPipeline.run(options(ROOT.resolve("bundle-r" + rate), 3).withNegativeRate(rate), quiet(), quiet());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      sampled.put(rate, t);
    }
    return t;
  }

  static TrainOptions options(Path out, int epochs) {
    return options(out, epochs, FOLD_IN_DIM);
  }

  static TrainOptions options(Path out, int epochs, int foldInDim) {
    return options(DATA, out, epochs, foldInDim);
  }

  /** The settings above on another data directory. */
  static TrainOptions options(Path data, Path out, int epochs, int foldInDim) {
    return new TrainOptions(data, DataFormat.OWN, out, true, 0.01,
        new Item2VecConfig(16, 5, 5, 2, 2, 1e-3, 0.025, 30, 1, 7),
        new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(16, 8), WideDeepConfig.defaultEmbeddingDims(), 512,
            epochs, 1, 2, 2e-3, 0.05, 1e-5, 0.9, 7),
        168, 50, 3, 12, 6, 4, 1, 1, 0.1, 0.1, false, foldInDim,
        dev.bannerranker.features.FeatureEncoder.WIDE_CROSSES, 1.0);
  }

  static PrintStream quiet() {
    return new PrintStream(java.io.OutputStream.nullOutputStream());
  }

  private TinyWorld() {}
}
