package dev.bannerranker.trainer.pipeline;

import java.io.PrintStream;
import java.nio.file.Path;

/** {@code evaluate}: placeholder until the evaluation lands. */
public final class EvaluationPipeline {
  private EvaluationPipeline() {}

  public static void run(Path data, DataFormat format, Path bundle, Path report, double maxBad, boolean progress,
      PrintStream out, PrintStream err) {
    throw new UnsupportedOperationException("evaluate is not implemented yet");
  }
}
