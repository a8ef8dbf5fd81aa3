package dev.bannerranker.spark;

import dev.bannerranker.cli.ExitCodes;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spark-rows}: the training rows of a data directory as row shards, computed by a Spark job. */
@Command(name = "spark-rows", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Compute the point-in-time training rows on Apache Spark and write them as row shards, with "
        + "item2vec's session sequences beside them.")
public final class SparkRowsCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, description = "Input directory (the four tables).")
  Path data;

  @Option(names = "--bundle", required = true,
      description = "A bundle trained on the same data: its item vectors, vocabularies, feature settings, time split "
          + "and banner statistics define the rows.")
  Path bundle;

  @Option(names = "--out", required = true, description = "Directory for the row shards and sessions (must hold no shards).")
  Path out;

  @Option(names = "--master", description = "Spark master, e.g. local[2]; by default the one spark-submit sets, else local[2].")
  String master;

  @Option(names = "--partitions", defaultValue = "0",
      description = "User partitions, one row shard each; 0: one per 32 MiB of events.csv and impressions.csv, and at "
          + "least twice Spark's default parallelism. Default: ${DEFAULT-VALUE}.")
  int partitions;

  @Option(names = "--max-bad-fraction", defaultValue = "0.01",
      description = "Largest share of malformed rows tolerated per file; each is listed in OUT/data_problems.csv. "
          + "Default: ${DEFAULT-VALUE}.")
  double maxBadFraction;

  @Override
  public Integer call() throws Exception {
    if (partitions < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--partitions must be 0 (sized from the input) or more, not " + partitions);
    }
    SparkConf conf = new SparkConf().setAppName("banner-ranker spark-rows");
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[2]");
    }
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      int n = partitions > 0 ? partitions : SparkRows.defaultPartitions(data, sc.defaultParallelism());
      SparkRows.Result r = SparkRows.run(sc, data, bundle, out, n, maxBadFraction);
      System.out.printf("spark-rows: %d rows in %d partitions, %d sessions, in %.1f s (%.0f rows/s) to %s%n", r.rows(),
          r.partitions(), r.sessions(), r.seconds(), r.rows() / r.seconds(), out);
      if (r.badRows() > 0) {
        System.err.printf("%d malformed input rows were skipped; every one is listed in %s%n", r.badRows(),
            out.resolve(SparkRows.PROBLEMS_FILE));
      }
    }
    return 0;
  }

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new SparkRowsCommand());
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> ExitCodes.report(unwrap(ex), cmd.getErr()));
    System.exit(cl.execute(args));
  }

  /** A bad row found inside a task reaches the driver wrapped in Spark's exceptions; report the row's own. */
  static Exception unwrap(Exception e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof dev.bannerranker.data.BadInputException b) {
        return b;
      }
      t = t.getCause();
    }
    return e;
  }
}
