package dev.bannerranker.trainer.cli;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.trainer.pipeline.Neighbours;
import java.nio.file.Path;
import java.util.List;
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
    var m = b.manifest();
    System.out.printf("bundle %s%n  model version  %s%n  format version %d%n  created        %s%n  data           %s%n"
        + "  brands %d, categories %d, banners %d%n  metrics        %s%n", bundle, m.modelVersion(), m.formatVersion(),
        m.createdAt(), m.dataFingerprint(), b.vocab().brands().values().size(), b.vocab().categories().values().size(),
        b.vocab().banners().values().size(), m.metrics().get("test"));
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
}
