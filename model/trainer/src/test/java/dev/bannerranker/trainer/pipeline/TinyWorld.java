package dev.bannerranker.trainer.pipeline;

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
 * One tiny world and one trained bundle (the shipped defaults, no fold-in) per test JVM: training is the slow part,
 * so tests share it. {@link #foldIn()} trains a second bundle with fold-in taste factors, on first use.
 */
final class TinyWorld {
  static final Path ROOT;
  static final Path DATA;
  static final TrainingPipeline.Outcome TRAINED;
  private static TrainingPipeline.Outcome foldIn;

  static {
    try {
      ROOT = Files.createTempDirectory("banner-ranker-test");
      DATA = ROOT.resolve("tiny");
      new WorldGenerator(Scale.TINY, 5).generate(DATA, null);
      TRAINED = TrainingPipeline.run(options(ROOT.resolve("bundle"), 3, 0), quiet(), quiet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same world trained with fold-in taste factors of size 4, into {@code ROOT/bundle-fold-in}. */
  static synchronized TrainingPipeline.Outcome foldIn() {
    if (foldIn == null) {
      try {
        foldIn = TrainingPipeline.run(options(ROOT.resolve("bundle-fold-in"), 3, 4), quiet(), quiet());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return foldIn;
  }

  static TrainOptions options(Path out, int epochs) {
    return options(out, epochs, 0);
  }

  static TrainOptions options(Path out, int epochs, int foldInDim) {
    return new TrainOptions(DATA, DataFormat.OWN, out, true, 0.01,
        new Item2VecConfig(16, 5, 5, 2, 2, 1e-3, 0.025, 30, 1, 7),
        new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(16, 8), WideDeepConfig.defaultEmbeddingDims(), 512,
            epochs, 1, 2e-3, 1e-5, 7),
        168, 50, 3, 12, 6, 4, 1, 1, 0.1, 0.1, false, foldInDim);
  }

  static PrintStream quiet() {
    return new PrintStream(java.io.OutputStream.nullOutputStream());
  }

  private TinyWorld() {}
}
