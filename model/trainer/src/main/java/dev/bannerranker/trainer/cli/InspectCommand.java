package dev.bannerranker.trainer.cli;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.bundle.ModelMetrics;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.trainer.pipeline.Neighbours;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Shows a bundle's manifest summary and, with --nearest, a brand's nearest brands by item2vec cosine.")
final class InspectCommand implements Callable<Integer> {
  @Option(names = "--bundle", required = true, description = "Bundle directory.")
  Path bundle;

  @Option(names = "--nearest", description = "Brand name whose nearest brands to list (an item id for an item-vector bundle).")
  String nearest;

  @Option(names = "-k", defaultValue = "10", description = "How many neighbours. Default: ${DEFAULT-VALUE}.")
  int k;

  @Override
  public Integer call() {
    if (dev.bannerranker.trainer.sessions.ItemVectorBundle.isOne(bundle)) {
      dev.bannerranker.trainer.sessions.ItemVectorInspect.print(bundle, nearest, k, System.out);
      return 0;
    }
    Bundle b = BundleIO.load(bundle);
    System.out.print(summary(bundle, b));
    if (nearest != null) {
      Vocabulary brands = b.vocab().brands();
      int idx = brands.indexOf(nearest);
      if (idx == Vocabulary.UNKNOWN) {
        throw new IllegalArgumentException("--nearest: brand '" + nearest + "' is not in this bundle (it has "
            + brands.values().size() + " brands, e.g. " + String.join(", ", brands.values().subList(0, Math.min(5, brands.values().size()))) + ")");
      }
      if (k < 1) {
        throw new IllegalArgumentException("-k must be at least 1");
      }
      ItemVectors v = b.vectors();
      float[] q = v.brand(idx);
      boolean trained = false;
      for (float x : q) {
        trained |= x != 0;
      }
      if (!trained) {
        // Every cosine to a zero vector is 0: a list would rank the brands by index and mean nothing.
        throw new IllegalArgumentException("--nearest: brand '" + nearest + "' has no item2vec vector (it was too rare "
            + "in the training sessions for --min-count)");
      }
      List<Neighbours.Neighbour> list = Neighbours.nearest(v::brand, v.brandCount(), idx, k);
      System.out.printf("nearest brands to %s:%n", nearest);
      for (Neighbours.Neighbour n : list) {
        System.out.printf("  %-24s %.4f%n", brands.valueAt(n.index()), n.similarity());
      }
    }
    return 0;
  }

  /** The manifest in aligned lines, with the training-time metrics as a table of the validation and test days. */
  static String summary(Path dir, Bundle b) {
    var m = b.manifest();
    StringBuilder out = new StringBuilder();
    out.append("bundle ").append(dir).append('\n');
    line(out, "model version", m.modelVersion());
    line(out, "format version", String.valueOf(m.formatVersion()));
    line(out, "created", m.createdAt());
    line(out, "data sha256", m.dataFingerprint());
    if (m.provenance().trainer() != null) {
      line(out, "trained by", m.provenance().trainer()
          + (m.provenance().gitCommit() == null ? "" : " (commit " + m.provenance().gitCommit() + ")"));
    }
    line(out, "vocabulary", String.format(Locale.ROOT, "%,d brands, %,d categories, %,d banners",
        b.vocab().brands().values().size(), b.vocab().categories().values().size(), b.vocab().banners().values().size()));
    ModelMetrics metrics = m.metrics();
    if (metrics.valid() == null && metrics.test() == null) {
      line(out, "metrics", "none recorded");
      return out.toString();
    }
    out.append("  metrics at training time:\n");
    out.append(String.format(Locale.ROOT, "    %-10s %10s %8s %10s%n", "split", "rows", "AUC", "logloss"));
    metricRow(out, "validation", metrics.valid());
    metricRow(out, "test", metrics.test());
    return out.toString();
  }

  private static void line(StringBuilder out, String name, String value) {
    out.append(String.format(Locale.ROOT, "  %-15s %s%n", name, value));
  }

  private static void metricRow(StringBuilder out, String split, ModelMetrics.SplitMetrics s) {
    if (s != null) {
      out.append(String.format(Locale.ROOT, "    %-10s %,10d %8.4f %10.5f%n", split, s.rows(), s.auc(), s.logloss()));
    }
  }
}
