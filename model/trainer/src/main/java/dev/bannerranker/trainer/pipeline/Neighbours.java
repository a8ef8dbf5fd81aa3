package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.features.ItemVectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

/** Nearest neighbours by cosine among indexed vectors (index 0, the unknown value, is skipped). */
public final class Neighbours {
  private Neighbours() {}

  public record Neighbour(int index, float similarity) {}

  public static List<Neighbour> nearest(IntFunction<float[]> vectors, int count, int query, int k) {
    float[] q = vectors.apply(query);
    List<Neighbour> all = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      if (i != query) {
        all.add(new Neighbour(i, ItemVectors.cosine(q, vectors.apply(i))));
      }
    }
    all.sort(Comparator.comparingDouble((Neighbour n) -> -n.similarity()).thenComparingInt(Neighbour::index));
    return all.subList(0, Math.min(k, all.size()));
  }
}
