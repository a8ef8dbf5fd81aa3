package dev.bannerranker.trainer.dataset;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.trainer.item2vec.ItemTokens;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds a model's dictionaries and item vectors from the data and the item2vec output. */
public final class ModelVocabulary {
  private ModelVocabulary() {}

  public static Vocabularies build(EventLog log) {
    Set<String> brands = new HashSet<>();
    Set<String> categories = new HashSet<>();
    for (BehaviourEvent e : log.events()) {
      brands.add(e.brand());
      categories.add(e.category());
    }
    return build(log.banners(), brands, categories);
  }

  /** The vocabularies of a catalog and the brands and categories its events name. */
  public static Vocabularies build(List<Banner> catalog, Set<String> eventBrands, Set<String> eventCategories) {
    Set<String> brands = new HashSet<>(eventBrands);
    Set<String> categories = new HashSet<>(eventCategories);
    Set<String> placements = new HashSet<>();
    Set<String> formats = new HashSet<>();
    Set<String> colors = new HashSet<>();
    List<String> banners = new ArrayList<>();
    for (Banner b : catalog) {
      brands.add(b.brand());
      categories.add(b.category());
      placements.add(b.placement());
      formats.add(b.creativeFormat());
      colors.add(b.creativeColor());
      banners.add(b.id());
    }
    return new Vocabularies(Vocabulary.ofDistinct(brands), Vocabulary.ofDistinct(categories),
        Vocabulary.ofDistinct(placements), Vocabulary.ofDistinct(formats), Vocabulary.ofDistinct(colors),
        Vocabulary.ofDistinct(banners));
  }

  /**
   * Lays the token vectors out by vocabulary index. Banners without a trained vector get the cold-banner
   * composition of {@link ItemVectors#composeColdBanner}.
   */
  public static ItemVectors itemVectors(Vocabularies v, List<Banner> catalog, Map<String, float[]> tokens, int dim) {
    float[][] brands = table(v.brands(), tokens, dim, true);
    float[][] cats = table(v.categories(), tokens, dim, false);
    float[][] banners = new float[v.banners().cardinality()][dim];
    boolean[] trained = new boolean[banners.length];
    for (Banner b : catalog) {
      int idx = v.banners().indexOf(b.id());
      float[] t = tokens.get(ItemTokens.banner(b.id()));
      if (t != null) {
        banners[idx] = t.clone();
        trained[idx] = true;
      } else {
        banners[idx] = ItemVectors.composeColdBanner(brands[v.brands().indexOf(b.brand())],
            cats[v.categories().indexOf(b.category())]);
      }
    }
    return new ItemVectors(dim, brands, cats, banners, trained);
  }

  private static float[][] table(Vocabulary vocab, Map<String, float[]> tokens, int dim, boolean brand) {
    float[][] out = new float[vocab.cardinality()][dim];
    for (int i = 1; i < vocab.cardinality(); i++) {
      String value = vocab.valueAt(i);
      float[] t = tokens.get(brand ? ItemTokens.brand(value) : ItemTokens.category(value));
      if (t != null) {
        out[i] = t.clone();
      }
    }
    return out;
  }
}
