package dev.bannerranker.serving.ranking;

import dev.bannerranker.data.Banner;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.OrderingSettings.Diversity;
import dev.bannerranker.serving.config.OrderingSettings.Policy;
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
 * diversity rule over the top slots (the first of them drawn at random under a stochastic policy), then, with a
 * small probability, one new banner in the last position. Given the same draws it always returns the same list.
 */
public final class Ordering {
  /**
   * Highest score first, ties by banner id. Written out rather than composed from {@code comparingDouble} and
   * {@code thenComparing}: a Rank sorts every eligible banner, and the composed form's shared lambda call sites
   * are not inlined, which made the sort a tenth of a Rank at 200 candidates.
   */
  static final Comparator<Scored> BEST_FIRST = (a, b) -> {
    int c = Double.compare(-a.score(), -b.score());
    return c != 0 ? c : a.banner().banner().id().compareTo(b.banner().banner().id());
  };

  /** A banner with its click probability, ordering score and conversion probability of a click (NaN: none). */
  public record Scored(BannerFeatures banner, double predictedCtr, double score, double predictedCvr) {
    /** A banner without a predicted conversion rate. */
    public Scored(BannerFeatures banner, double predictedCtr, double score) {
      this(banner, predictedCtr, score, Double.NaN);
    }

    String brand() {
      return banner.banner().brand();
    }
  }

  /**
   * The list, the explored item when the exploration slot was used, and the policy that drew the top positions
   * ({@link OrderingSettings.Policy#code()}; greedy when nothing was drawn by the policy).
   */
  public record Outcome(List<RankedItem> items, RankedItem explored, String policy) {}

  private final OrderingSettings settings;

  public Ordering(OrderingSettings settings) {
    this.settings = settings;
  }

  /**
   * What a click on the banner is worth in the expected-value order, given the model's probability that the click
   * converts ({@code predictedCvr}, NaN when the model predicts clicks only). Under CPA a banner with a bid per
   * conversion is worth that bid times the conversion probability; one without, or without a prediction, its bid per
   * click.
   */
  public double value(Banner b, double predictedCvr) {
    return switch (settings.value()) {
      case BID -> b.bid();
      case PRIORITY -> 1 + b.priority();
      case NONE -> 1;
      case CPA -> b.hasBidPerConversion() && !Double.isNaN(predictedCvr) ? b.bidPerConversion() * predictedCvr
          : b.bid();
    };
  }

  /** New banners are the ones exploration may show: little training traffic or no trained vector. */
  public boolean isNew(BannerFeatures b) {
    return b.impressions() < settings.newBannerImpressions() || !b.vectorTrained();
  }

  /**
   * Orders the banners. Every item's propensity is the probability that this banner holds its position given the
   * banners above it: the policy's draw probability at a stochastic position, the exploration slot's chances at the
   * last one, 1 elsewhere.
   *
   * @param pinned pinned banners, in configured order; they come first
   * @param ranked the other banners
   * @param reason reason of the ordered banners
   * @param results how many to return
   * @param window how many top positions the diversity rule covers
   * @param explore whether this request may explore (the stochastic policy and the exploration slot)
   * @param rng the exploration draws
   */
  public Outcome order(List<Scored> pinned, List<Scored> ranked, Reason reason, int results, int window,
      boolean explore, RandomGenerator rng) {
    RankScratch scratch = RankScratch.get();
    try {
      return order(pinned, ranked, reason, results, window, explore, rng, scratch);
    } finally {
      scratch.releaseLists();
    }
  }

  private Outcome order(List<Scored> pinned, List<Scored> ranked, Reason reason, int results, int window,
      boolean explore, RandomGenerator rng, RankScratch scratch) {
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
    List<Scored> sorted = scratch.sorted(ranked);
    sorted.sort(BEST_FIRST);
    int diversityWindow = Math.max(0, window - out.size());
    List<Scored> picked = new ArrayList<>(need);
    List<RankedItem> tail = new ArrayList<>(need);

    int stochastic = explore && settings.policy() != Policy.GREEDY ? Math.min(settings.stochasticSlots(), need) : 0;
    String policy = Policy.GREEDY.code();
    if (stochastic > 0 && !sorted.isEmpty()) {
      policy = settings.policy().code();
      double best = Math.max(sorted.get(0).score(), 1e-12);
      List<Scored> left = scratch.left(sorted); // sorted stays the full order, for the exploration pool below
      for (int k = 0; k < stochastic && !left.isEmpty(); k++) {
        Draw d = draw(left, k < diversityWindow, brandCounts, taken, best, rng, scratch);
        Scored s = left.remove(d.index());
        picked.add(s);
        tail.add(item(s, reason, d.propensity()));
        brandCounts.merge(s.brand(), 1, Integer::sum);
        taken.add(s);
      }
      List<Scored> rest = diversify(left, need - picked.size(), Math.max(0, diversityWindow - picked.size()),
          brandCounts, taken);
      picked.addAll(rest);
      rest.forEach(s -> tail.add(item(s, reason, 1.0)));
    } else {
      picked = diversify(sorted, need, diversityWindow, brandCounts, taken);
      picked.forEach(s -> tail.add(item(s, reason, 1.0)));
    }

    RankedItem explored = null;
    if (explore && settings.explorationShare() > 0 && need > 0) {
      // The last position: appended when the list is short, else replacing the last ordered banner; never one the
      // stochastic policy drew, which explores already.
      boolean replace = tail.size() == need;
      int pos = replace ? tail.size() - 1 : tail.size();
      Set<Scored> chosen = identitySet(picked);
      List<Scored> pool = scratch.pool();
      if (pos >= stochastic) {
        for (Scored s : sorted) {
          if (!chosen.contains(s) && isNew(s.banner())) {
            pool.add(s);
          }
        }
      }
      if (!pool.isEmpty()) {
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
              kept.reason(), 1 - share, null, kept.predictedCvr()));
        }
      }
    }
    out.addAll(tail);
    return new Outcome(out, explored, policy);
  }

  /** One stochastic position's choice: its index in the list drawn from, and its probability. */
  record Draw(int index, double propensity) {}

  /**
   * Draws one position from {@code left} (best first). The banners it may draw are those the diversity rule allows
   * there (all of {@code left} when it allows none or the position is outside the window). EPSILON_GREEDY takes the
   * greedy pick with probability 1 - epsilon, else a uniform draw among them (the greedy pick included);
   * SOFTMAX draws banner i with probability proportional to score_i^(1/temperature).
   */
  private Draw draw(List<Scored> left, boolean diverse, Map<String, Integer> brandCounts, List<Scored> taken,
      double best, RandomGenerator rng, RankScratch scratch) {
    int n = left.size();
    int[] allowed = scratch.allowed(n);
    int m = 0;
    if (diverse && settings.diversity() == Diversity.MAX_PER_BRAND) {
      for (int i = 0; i < n; i++) {
        if (brandCounts.getOrDefault(left.get(i).brand(), 0) < settings.maxPerBrand()) {
          allowed[m++] = i;
        }
      }
    }
    if (m == 0) {
      for (int i = 0; i < n; i++) {
        allowed[i] = i;
      }
      m = n;
    }
    if (settings.policy() == Policy.EPSILON_GREEDY) {
      int greedy = diverse && settings.diversity() == Diversity.MMR ? mmrBest(left, taken, best) : allowed[0];
      double eps = settings.epsilon();
      int choice = rng.nextDouble() < eps ? allowed[rng.nextInt(m)] : greedy;
      return new Draw(choice, (choice == greedy ? 1 - eps : 0) + eps / m);
    }
    // Softmax of the log scores, relative to the best allowed one so the weights cannot overflow.
    double invT = 1 / settings.temperature();
    double top = Math.log(Math.max(left.get(allowed[0]).score(), 1e-12));
    double[] w = scratch.weights(m);
    double sum = 0;
    for (int j = 0; j < m; j++) {
      w[j] = Math.exp((Math.log(Math.max(left.get(allowed[j]).score(), 1e-12)) - top) * invT);
      sum += w[j];
    }
    double u = rng.nextDouble() * sum;
    int j = 0;
    double acc = w[0];
    while (u >= acc && j < m - 1) {
      j++;
      acc += w[j];
    }
    while (w[j] == 0 && j > 0) { // rounding ran past the last positive weight
      j--;
    }
    return new Draw(allowed[j], w[j] / sum);
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
    return new RankedItem(s.banner().banner().id(), s.brand(), s.score(), value(s.banner().banner(), s.predictedCvr()),
        s.predictedCtr(), reason, propensity, null, s.predictedCvr());
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
    List<Scored> selected = new ArrayList<>(taken);
    List<Scored> left = new ArrayList<>(sorted);
    while (picked.size() < count && !left.isEmpty()) {
      Scored s = left.remove(mmrBest(left, selected, best));
      picked.add(s);
      selected.add(s);
    }
  }

  /** The index in {@code left} with the best marginal relevance against {@code selected}. */
  private int mmrBest(List<Scored> left, List<Scored> selected, double best) {
    double lambda = settings.mmrLambda();
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
    return arg;
  }
}
