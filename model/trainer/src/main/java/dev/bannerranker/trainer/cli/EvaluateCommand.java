package dev.bannerranker.trainer.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluates a bundle on the held-out days against baselines; writes report.json and report.html with plots.")
final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "Input directory (the one the bundle was trained on).")
  Path data;

  @Option(names = "--bundle", required = true, description = "Bundle directory.")
  Path bundle;

  @Option(names = "--report", required = true, description = "Report directory to write.")
  Path report;

  @Option(names = "--format", defaultValue = "own", description = "own, movielens or sessions. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--max-bad-fraction", defaultValue = "0.01", description = "Largest share of malformed rows tolerated per file. Default: ${DEFAULT-VALUE}.")
  double maxBad;

  @Option(names = "--knn-window", defaultValue = "5", description = "With --format sessions: positions apart within "
      + "which two items of a training session count as co-occurring for the item-KNN baseline. Default: ${DEFAULT-VALUE}.")
  int knnWindow;

  @Option(names = "--against", paramLabel = "REPORT_DIR", description = "Another evaluation's report directory, of "
      + "a bundle trained on the same data and split: report.json's against section gives each of this model's AUCs "
      + "minus that model's, with a paired-bootstrap interval over users (from its scores.csv).")
  Path against;

  @Option(names = "--no-progress", description = "Show no progress (a bar on a terminal, else a line every 5 s).")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    if (format.equals(dev.bannerranker.trainer.sessions.SessionPipeline.FORMAT)) {
      if (against != null) {
        throw new IllegalArgumentException("--against compares click models; --format sessions has none");
      }
      dev.bannerranker.trainer.sessions.SessionPipeline.evaluate(data, bundle, report, maxBad, knnWindow, System.out,
          System.err);
      return 0;
    }
    dev.bannerranker.trainer.pipeline.EvaluationPipeline.run(data,
        dev.bannerranker.trainer.pipeline.DataFormat.parse(format), bundle, report, against, maxBad, !noProgress,
        System.out, System.err);
    return 0;
  }
}
