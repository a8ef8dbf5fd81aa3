package dev.bannerranker.trainer.sessions;

import dev.bannerranker.trainer.pipeline.Neighbours;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code inspect} for an item-vector bundle: its summary and an item's nearest items. */
public final class ItemVectorInspect {
  private ItemVectorInspect() {}

  public static void print(Path dir, String nearest, int k, PrintStream out) {
    ItemVectorBundle b = ItemVectorBundle.load(dir);
    Map<String, Object> m = b.manifest();
    out.printf("bundle %s (item vectors)%n  model version  %s%n  created        %s%n  data           %s%n"
        + "  items %d, dimension %d%n  hyperparameters %s%n", dir, m.get("modelVersion"), m.get("createdAt"),
        m.get("dataFingerprint"), b.items().size(), b.vectors().length == 0 ? 0 : b.vectors()[0].length,
        m.get("hyperparameters"));
    if (nearest == null) {
      return;
    }
    Integer idx = b.indexById().get(nearest);
    if (idx == null) {
      throw new IllegalArgumentException("--nearest: item '" + (nearest.length() > 100 ? nearest.substring(0, 100)
          + "..." : nearest) + "' has no vector in this bundle (it has " + b.items().size() + " items, e.g. "
          + String.join(", ", b.items().subList(0, Math.min(5, b.items().size()))) + ")");
    }
    if (k < 1) {
      throw new IllegalArgumentException("-k must be at least 1");
    }
    List<Neighbours.Neighbour> list = Neighbours.nearest(i -> b.vectors()[i], b.items().size(), idx, k);
    out.printf("nearest items to %s:%n", nearest);
    for (Neighbours.Neighbour n : list) {
      String cat = b.categories().get(n.index());
      out.printf("  %-24s %.4f%s%n", b.items().get(n.index()), n.similarity(), cat.isEmpty() ? "" : "  " + cat);
    }
  }
}
