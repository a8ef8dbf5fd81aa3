package dev.bannerranker.loop;

import dev.bannerranker.cli.ExitCodes;
import dev.bannerranker.loop.export.ExportCommand;
import dev.bannerranker.loop.offpolicy.OffPolicyCommand;
import dev.bannerranker.loop.simulate.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/ranker}'s closed-loop commands: {@code logs export}, {@code simulate} and {@code offpolicy}. Exit codes
 * as every command's ({@link ExitCodes}): 0 success, 2 bad usage, 3 bad input data, 4 bad bundle, 5 I/O failure.
 */
@Command(name = "ranker", mixinStandardHelpOptions = true, versionProvider = LoopCli.Version.class,
    description = "banner-ranker closed loop: export serving logs, simulate shoppers, evaluate a bundle off-policy.",
    subcommands = {LoopCli.Logs.class, SimulateCommand.class, OffPolicyCommand.class, CommandLine.HelpCommand.class})
public final class LoopCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"banner-ranker loop " + dev.bannerranker.BuildInfo.current().describe()};
    }
  }

  /** {@code logs export}. */
  @Command(name = "logs", mixinStandardHelpOptions = true, description = "Work with serving logs.",
      subcommands = {ExportCommand.class})
  static final class Logs implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: export");
    }
  }

  /** Builds the command line with the project's exit codes and error messages. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new LoopCli());
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> ExitCodes.report(ex, cmd.getErr()));
    return cl;
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(commandLine().execute(args));
  }
}
