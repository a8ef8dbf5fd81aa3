package dev.bannerranker.trainer.cli;

import dev.bannerranker.trainer.generate.GenerationSummary;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Writes a seeded, deterministic fashion-store world (the four input tables plus the true click probabilities).")
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Output directory (created if missing).")
  Path out;

  @Option(names = "--scale", defaultValue = "demo", description = "tiny (seconds, for tests), demo (~1M impressions) or large (>=10M). Default: ${DEFAULT-VALUE}.")
  String scale;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--no-progress", description = "Do not draw progress bars.")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    Scale s = Scale.parse(scale);
    dev.bannerranker.cli.OutputPaths.checkDirectory("--out", out);
    WorldGenerator gen = new WorldGenerator(s, seed);
    long start = System.nanoTime();
    GenerationSummary sum;
    if (noProgress) {
      sum = gen.generate(out, null);
    } else {
      try (ProgressBar pb = new ProgressBarBuilder().setTaskName("generate " + s.code()).setInitialMax(gen.expectedImpressions())
          .setStyle(ProgressBarStyle.ASCII).setUnit(" imp", 1).setUpdateIntervalMillis(500).build()) {
        sum = gen.generate(out, pb::stepTo);
      }
    }
    System.out.printf("wrote %s world to %s in %.1f s: %d brands, %d categories, %d banners, %d users, %d events, "
        + "%d impressions, %d clicks (CTR %.4f)%n", s.code(), out, (System.nanoTime() - start) / 1e9, sum.brands(),
        sum.categories(), sum.banners(), sum.users(), sum.events(), sum.impressions(), sum.clicks(), sum.ctr());
    return 0;
  }
}
