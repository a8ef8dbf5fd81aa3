package dev.bannerranker.serving.cli;

import dev.bannerranker.cli.ExitCodes;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/ranker serve|rank|import|catalog}: the service and its clients, in one jar. Exit codes are the offline commands' ones
 * ({@link ExitCodes}): 0 success, 2 bad usage, 3 bad input data, 4 bad bundle, 5 I/O failure, 1 anything unexpected;
 * {@code rank} also exits 1 when the service answers with an error status.
 */
@Command(name = "ranker", mixinStandardHelpOptions = true, versionProvider = ServingCli.Version.class,
    description = "The banner ranking service (serve), its command-line client (rank), the user-store import "
        + "(import) and the live catalog's bulk import and export (catalog).",
    subcommands = {ServeCommand.class, RankCommand.class, ImportCommand.class, CatalogCommand.class})
public final class ServingCli {
  /** The build's version and commit, as the trainer's {@code --version} reports them. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"banner-ranker serving " + dev.bannerranker.BuildInfo.current().describe()};
    }
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with the project's exit codes and error messages. */
  public static CommandLine commandLine() {
    return withExitCodes(new CommandLine(new ServingCli()));
  }

  /**
   * Installs the project's exit codes and {@code error: ...} messages for failures of {@code cl}'s commands (picocli
   * itself answers usage errors with 2); the benchmarks' load test and memory report use it too.
   */
  public static CommandLine withExitCodes(CommandLine cl) {
    return cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> report(ex, cmd.getErr()));
  }

  /**
   * Reports what a bean threw at start-up rather than Micronaut's wrapper around it: a refused bundle or a bad data
   * directory reaches {@code serve} as a bean instantiation failure, a port in use as a server start-up failure.
   */
  static int report(Throwable ex, PrintWriter err) {
    Throwable cause = ex;
    Throwable wrapper = null;
    while (cause.getCause() != null && cause.getCause() != cause
        && cause.getClass().getName().startsWith("io.micronaut.")) {
      wrapper = cause;
      cause = cause.getCause();
    }
    if (wrapper == null || ExitCodes.codeOf(cause) == ExitCodes.UNEXPECTED) {
      return ExitCodes.report(ex, err); // unexpected: the whole chain's stack trace
    }
    String message = String.valueOf(cause.getMessage());
    String outer = wrapper.getMessage();
    // A one-line wrapper says where ("Unable to start Micronaut server on port: 8080") when the cause does not
    // ("Address already in use"); bean failures' messages are many lines and repeat the cause.
    if (outer != null && !outer.contains("\n") && !outer.contains(message)) {
      message = outer + ": " + message;
    }
    return ExitCodes.report(cause, message, err);
  }
}
