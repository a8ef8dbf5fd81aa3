package dev.bannerranker.serving.ranking;

import dev.bannerranker.data.Banner;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.serving.config.OrderingSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Turns scored banners into the returned list: pinned banners first, then the best scores under a brand
 * diversity rule over the top slots, then, with a small probability, one new banner in the last position.
 * Given the same draws it always returns the same list.
 */
public final class Ordering {
  private static final Comparator<Scored> BEST_FIRST =
      Comparator.comparingDouble((Scored s) -> -s.score()).thenComparing(s -> s.banner().banner().id());

  /** A banner with its click probability and ordering score. */
  public record Scored(BannerFeatures banner, double predictedCtr, double score) {
    String brand() {
      return banner.banner().brand();
    }
  }

  /** The list, and the explored item when exploration happened (for logging). */
  public record Outcome(List<RankedItem> items, RankedItem explored) {}

  private final OrderingSettings settings;

  public Ordering(OrderingSettings settings) {
    this.settings = settings;
  }

  /** What a click on the banner is worth in the expected-value order. */
  public double value(Banner b) {
    return switch (settings.value()) {
      case BID -> b.bid();
      case PRIORITY -> 1 + b.priority();
      case NONE -> 1;
    };
  }

  /** New banners are the ones exploration may show: little training traffic or no trained vector. */
  public boolean isNew(BannerFeatures b) {
    return b.impressions() < settings.newBannerImpressions() || !b.vectorTrained();
  }

  /**
   * Orders the banners.
   *
   * @param pinned pinned banners, in configured order; they come first
   * @param ranked the other banners
   * @param reason reason of the ordered banners
   * @param results how many to return
   * @param window how many top positions the diversity rule covers
   * @param explore whether this request may explore
   * @param rng the exploration draws
   */
  public Outcome order(List<Scored> pinned, List<Scored> ranked, Reason reason, int results, int window,
      boolean explore, RandomGenerator rng) {
    List<RankedItem> out = new ArrayList<>();
    Map<String, Integer> brandCounts = new HashMap<>();
    List<Scored> taken = new ArrayList<>();
    for (Scored s : pinned) {
      if (out.size() == results) {
        break;
      }
      out.add(item(s, Reason.PINNED, 1.0));
      brandCounts.merge(s.brand(), 1, Integer::sum);
      taken.add(s);
    }
    int need = results - out.size();
    List<Scored> sorted = new ArrayList<>(ranked);
    sorted.sort(BEST_FIRST);
    List<Scored> picked = diversify(sorted, need, Math.max(0, window - out.size()), brandCounts, taken);
    List<RankedItem> tail = new ArrayList<>(picked.size());
    picked.forEach(s -> tail.add(item(s, reason, 1.0)));

    RankedItem explored = null;
    if (explore && settings.explorationShare() > 0 && need > 0) {
      Set<Scored> chosen = identitySet(picked);
      List<Scored> pool = new ArrayList<>();
      for (Scored s : sorted) {
        if (!chosen.contains(s) && isNew(s.banner())) {
          pool.add(s);
        }
      }
      if (!pool.isEmpty()) {
        // The last position: appended when the list is short, else replacing the last ordered banner.
        boolean replace = tail.size() == need;
        int pos = replace ? tail.size() - 1 : tail.size();
        double share = settings.explorationShare();
        if (rng.nextDouble() < share) {
          Scored s = pool.get(rng.nextInt(pool.size()));
          explored = item(s, Reason.EXPLORATION, share / pool.size());
          if (replace) {
            tail.set(pos, explored);
          } else {
            tail.add(explored);
          }
        } else if (replace) {
          RankedItem kept = tail.get(pos);
          tail.set(pos, new RankedItem(kept.bannerId(), kept.brand(), kept.score(), kept.value(), kept.predictedCtr(),
              kept.reason(), 1 - share, null));
        }
      }
    }
    out.addAll(tail);
    return new Outcome(out, explored);
  }

  /**
   * The banners as a set by identity: each candidate is scored once per request (the candidate ids are unique), and
   * a record's own hash walks the whole banner, its strings and lists, which cost a tenth of a Rank at 200
   * candidates when the exploration pool checked every candidate against the picks.
   */
  private static Set<Scored> identitySet(List<Scored> picked) {
    Set<Scored> set = Collections.newSetFromMap(new IdentityHashMap<>(2 * picked.size()));
    set.addAll(picked);
    return set;
  }

  private RankedItem item(Scored s, Reason reason, double propensity) {
    return new RankedItem(s.banner().banner().id(), s.brand(), s.score(), value(s.banner().banner()), s.predictedCtr(),
        reason, propensity, null);
  }

  /** The first {@code window} picks follow the diversity rule; the rest, and any shortfall, follow the score. */
  private List<Scored> diversify(List<Scored> sorted, int need, int window, Map<String, Integer> brandCounts,
      List<Scored> taken) {
    List<Scored> picked = new ArrayList<>(need);
    int diverse = Math.min(need, window);
    switch (settings.diversity()) {
      case MAX_PER_BRAND -> {
        for (Scored s : sorted) {
          if (picked.size() == diverse) {
            break;
          }
          if (brandCounts.getOrDefault(s.brand(), 0) < settings.maxPerBrand()) {
            picked.add(s);
            brandCounts.merge(s.brand(), 1, Integer::sum);
          }
        }
      }
      case MMR -> mmr(sorted, diverse, picked, taken);
      case NONE -> { }
    }
    Set<Scored> in = identitySet(picked);
    for (Scored s : sorted) {
      if (picked.size() == need) {
        break;
      }
      if (!in.contains(s)) {
        picked.add(s);
      }
    }
    return picked;
  }

  /** Maximal marginal relevance: relevance (score over the best score) against item2vec similarity. */
  private void mmr(List<Scored> sorted, int count, List<Scored> picked, List<Scored> taken) {
    double best = sorted.isEmpty() ? 1 : Math.max(sorted.get(0).score(), 1e-12);
    double lambda = settings.mmrLambda();
    List<Scored> selected = new ArrayList<>(taken);
    List<Scored> left = new ArrayList<>(sorted);
    while (picked.size() < count && !left.isEmpty()) {
      int arg = 0;
      double argValue = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < left.size(); i++) {
        Scored s = left.get(i);
        double sim = 0;
        for (Scored t : selected) {
          sim = Math.max(sim, ItemVectors.cosine(s.banner().vector(), t.banner().vector()));
        }
        double v = lambda * s.score() / best - (1 - lambda) * sim;
        if (v > argValue) { // strict: ties keep the better-scored banner
          argValue = v;
          arg = i;
        }
      }
      Scored s = left.remove(arg);
      picked.add(s);
      selected.add(s);
    }
  }
}
