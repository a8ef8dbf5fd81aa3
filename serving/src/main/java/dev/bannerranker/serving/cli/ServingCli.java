package dev.bannerranker.serving.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/ranker serve|rank}: the service and its client, in one jar. */
@Command(name = "ranker", mixinStandardHelpOptions = true, version = "banner-ranker serving 0.1.0",
    description = "The banner ranking service (serve) and its command-line client (rank).",
    subcommands = {ServeCommand.class, RankCommand.class})
public final class ServingCli {
  public static void main(String[] args) {
    System.exit(new CommandLine(new ServingCli()).execute(args));
  }
}
