package dev.bannerranker.trainer.cli;

import dev.bannerranker.trainer.generate.GenerationSummary;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import dev.bannerranker.trainer.progress.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Writes a seeded, deterministic fashion-store world (the four input tables plus the true click probabilities).")
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Output directory (created if missing; an existing one must be empty unless --force).")
  Path out;

  @Option(names = "--force", description = "Write into an existing, non-empty --out directory, replacing its world files.")
  boolean force;

  @Option(names = "--scale", defaultValue = "demo", description = "tiny (seconds, for tests), demo (~1M impressions) or large (>=10M). Default: ${DEFAULT-VALUE}.")
  String scale;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--no-progress", description = "Show no progress (a bar on a terminal, else a line every 5 s).")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    Scale s = Scale.parse(scale);
    dev.bannerranker.cli.OutputPaths.checkDirectory("--out", out);
    if (!force && hasEntries(out)) {
      throw new IllegalArgumentException("--out " + out + " exists and is not empty; pass --force to write the world "
          + "into it (its world files are replaced), or choose another directory");
    }
    WorldGenerator gen = new WorldGenerator(s, seed);
    long start = System.nanoTime();
    GenerationSummary sum;
    try (Progress pb = Progress.start(!noProgress, "generate " + s.code(), gen.expectedImpressions(), "impressions")) {
      sum = gen.generate(out, pb::stepTo);
    }
    System.out.printf("wrote %s world to %s in %.1f s: %d brands, %d categories, %d banners, %d users, %d events, "
        + "%d impressions, %d clicks (CTR %.4f), %d conversions%n", s.code(), out, (System.nanoTime() - start) / 1e9,
        sum.brands(), sum.categories(), sum.banners(), sum.users(), sum.events(), sum.impressions(), sum.clicks(),
        sum.ctr(), sum.conversions());
    return 0;
  }

  /** Whether {@code dir} is a directory with anything in it: a world there is not overwritten by accident. */
  private static boolean hasEntries(Path dir) throws java.io.IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    }
  }
}
