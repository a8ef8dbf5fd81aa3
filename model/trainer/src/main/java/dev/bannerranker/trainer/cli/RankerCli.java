package dev.bannerranker.trainer.cli;

import dev.bannerranker.cli.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/ranker}'s offline commands. Exit codes ({@link ExitCodes}): 0 success, 2 bad usage, 3 bad input data,
 * 4 bad bundle, 5 I/O failure, 1 out of memory or anything unexpected.
 */
@Command(name = "ranker", mixinStandardHelpOptions = true, versionProvider = RankerCli.Version.class,
    description = "banner-ranker offline tools: generate a demo world, train, evaluate and inspect model bundles.",
    subcommands = {GenerateCommand.class, TrainCommand.class, EvaluateCommand.class, InspectCommand.class, ExportSessionsCommand.class,
        CommandLine.HelpCommand.class})
public final class RankerCli implements Runnable {
  public static final int EXIT_BAD_DATA = ExitCodes.BAD_DATA;
  public static final int EXIT_BAD_BUNDLE = ExitCodes.BAD_BUNDLE;
  public static final int EXIT_IO = ExitCodes.IO;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"banner-ranker " + dev.bannerranker.BuildInfo.current().describe()};
    }
  }

  /** Builds the command line with the project's exit codes and error messages. */
  public static CommandLine commandLine() {
    return withExitCodes(new CommandLine(new RankerCli()));
  }

  /** {@code cl} with the project's exit codes and error messages. */
  static CommandLine withExitCodes(CommandLine cl) {
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> ExitCodes.report(ex, cmd.getErr()));
    return cl;
  }

  /**
   * Runs a command and returns its exit code. picocli hands exceptions to the handler above but lets errors through;
   * running out of memory is the one a user causes (with too large an input), so it gets a message too.
   */
  static int execute(CommandLine cl, String... args) {
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      return ExitCodes.report(e, cl.getErr());
    }
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(execute(commandLine(), args));
  }
}
