package dev.bannerranker.trainer.cli;

import dev.bannerranker.data.EventLog;
import dev.bannerranker.trainer.pipeline.DataFormat;
import dev.bannerranker.trainer.pipeline.TrainingPipeline;
import dev.bannerranker.trainer.sessions.SessionExport;
import dev.bannerranker.trainer.sessions.SessionLogReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export-sessions", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Writes the behaviour of an own-format or MovieLens log as a session log (sessions.csv) for "
        + "train/evaluate --format sessions.")
final class ExportSessionsCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "Input directory.")
  Path data;

  @Option(names = "--format", defaultValue = "own", description = "own or movielens. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--out", required = true, description = "Directory to write sessions.csv into.")
  Path out;

  @Option(names = "--session-gap-minutes", description = "Pause that starts a new session; 0 never cuts. Default: 30, "
      + "and 0 with --format movielens, whose sessions are each user's time-ordered ratings.")
  Integer sessionGap;

  @Option(names = "--force", description = "Replace an existing sessions.csv.")
  boolean force;

  @Option(names = "--max-bad-fraction", defaultValue = "0.01", description = "Largest share of malformed rows tolerated per file. Default: ${DEFAULT-VALUE}.")
  double maxBad;

  @Override
  public Integer call() throws Exception {
    DataFormat f = DataFormat.parse(format);
    int gap = sessionGap != null ? sessionGap : f == DataFormat.MOVIELENS ? 0 : TrainCommand.DEFAULT_SESSION_GAP_MINUTES;
    if (gap < 0) {
      throw new IllegalArgumentException("--session-gap-minutes must be >= 0, got " + gap);
    }
    dev.bannerranker.cli.OutputPaths.checkDirectory("--out", out);
    Path file = out.resolve(SessionLogReader.FILE);
    if (Files.exists(file) && !force) {
      throw new IllegalArgumentException("--out: " + file + " exists; --force replaces it");
    }
    EventLog log = TrainingPipeline.readLog(f, data, maxBad, out.resolve(TrainingPipeline.PROBLEMS_FILE), System.err);
    int sessions = SessionExport.write(log, gap, file);
    System.out.printf("wrote %s: %d sessions from %d events%n", file, sessions, log.events().size());
    return 0;
  }
}
