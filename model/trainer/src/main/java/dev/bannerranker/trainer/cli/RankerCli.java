package dev.bannerranker.trainer.cli;

import dev.bannerranker.bundle.BundleException;
import dev.bannerranker.data.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/ranker}'s offline commands. Exit codes: 0 success, 2 bad usage, 3 bad input data, 4 bad
 * bundle, 5 I/O failure, 1 anything unexpected.
 */
@Command(name = "ranker", mixinStandardHelpOptions = true, versionProvider = RankerCli.Version.class,
    description = "banner-ranker offline tools: generate a demo world, train, evaluate and inspect model bundles.",
    subcommands = {GenerateCommand.class, TrainCommand.class, EvaluateCommand.class, InspectCommand.class,
        CommandLine.HelpCommand.class})
public final class RankerCli implements Runnable {
  public static final int EXIT_BAD_DATA = 3;
  public static final int EXIT_BAD_BUNDLE = 4;
  public static final int EXIT_IO = 5;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"banner-ranker " + dev.bannerranker.trainer.pipeline.TrainingPipeline.TRAINER_VERSION};
    }
  }

  /** Builds the command line with the project's exit codes and error messages. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new RankerCli());
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      PrintWriter err = cmd.getErr();
      if (ex instanceof BadInputException) {
        err.println("error: bad input data: " + ex.getMessage());
        return EXIT_BAD_DATA;
      }
      if (ex instanceof BundleException) {
        err.println("error: bad bundle: " + ex.getMessage());
        return EXIT_BAD_BUNDLE;
      }
      if (ex instanceof IllegalArgumentException) {
        err.println("error: " + ex.getMessage());
        return CommandLine.ExitCode.USAGE;
      }
      if (ex instanceof IOException || ex instanceof java.io.UncheckedIOException) {
        err.println("error: " + ex.getMessage());
        return EXIT_IO;
      }
      err.println("error: unexpected failure: " + ex);
      ex.printStackTrace(err);
      return CommandLine.ExitCode.SOFTWARE;
    });
    return cl;
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(commandLine().execute(args));
  }
}
