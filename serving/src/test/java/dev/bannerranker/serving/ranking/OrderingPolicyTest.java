package dev.bannerranker.serving.ranking;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.OrderingSettings.Diversity;
import dev.bannerranker.serving.config.OrderingSettings.Policy;
import dev.bannerranker.serving.config.OrderingSettings.Value;
import dev.bannerranker.serving.ranking.Ordering.Outcome;
import dev.bannerranker.serving.ranking.Ordering.Scored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The stochastic ordering policies: their propensities are the true draw probabilities. */
class OrderingPolicyTest {
  static final List<BannerFeatures> CAROUSEL = OrderingTest.CAROUSEL;
  static final int DRAWS = 40_000;

  static Ordering ordering(Policy policy, Diversity diversity, double epsilon, double temperature, int slots,
      double explorationShare) {
    return new Ordering(new OrderingSettings(Value.BID, diversity, 1, 0.7, explorationShare, 50, 1L)
        .withPolicy(policy, epsilon, temperature, slots));
  }

  /** Distinct scores, spread enough that the softmax weights differ a lot. */
  static List<Scored> scored() {
    List<Scored> out = new ArrayList<>();
    for (int i = 0; i < CAROUSEL.size(); i++) {
      out.add(new Scored(CAROUSEL.get(i), 0.05, 0.1 / (1 + 0.15 * i)));
    }
    return out;
  }

  /** Runs many seeded draws; per banner at position 1: how often it came, and the propensity it carried. */
  private static Map<String, double[]> firstPosition(Ordering o, List<Scored> ranked, int results) {
    SplittableRandom rng = new SplittableRandom(42);
    Map<String, double[]> seen = new HashMap<>(); // id -> {count, propensity}
    for (int i = 0; i < DRAWS; i++) {
      Outcome out = o.order(List.of(), ranked, Reason.PERSONALIZED, results, results, true, rng);
      RankedItem first = out.items().get(0);
      double[] e = seen.computeIfAbsent(first.bannerId(), k -> new double[] {0, first.propensity()});
      assertEquals(e[1], first.propensity(), 1e-12, "a banner's position-1 propensity does not depend on the draw");
      e[0]++;
    }
    return seen;
  }

  private static void assertMatchesFrequencies(Map<String, double[]> seen, Map<String, Double> expected) {
    double sum = 0;
    for (var e : seen.entrySet()) {
      double p = e.getValue()[1];
      sum += p;
      assertEquals(expected.get(e.getKey()), p, 1e-9, e.getKey());
      double freq = e.getValue()[0] / DRAWS;
      double tolerance = 5 * Math.sqrt(p * (1 - p) / DRAWS) + 1e-4;
      assertEquals(p, freq, tolerance, "empirical frequency of " + e.getKey());
    }
    assertEquals(expected.size(), seen.size(), "every candidate has support at position 1");
    assertEquals(1.0, sum, 1e-9, "position-1 propensities sum to 1 over the candidates");
  }

  @Test
  void epsilonGreedyPropensitiesAreTheDrawProbabilities() {
    double eps = 0.3;
    List<Scored> ranked = scored();
    int n = ranked.size();
    Map<String, Double> expected = new HashMap<>();
    for (int i = 0; i < n; i++) {
      expected.put(ranked.get(i).banner().banner().id(), (i == 0 ? 1 - eps : 0) + eps / n);
    }
    Map<String, double[]> seen = firstPosition(ordering(Policy.EPSILON_GREEDY, Diversity.NONE, eps, 1, 1, 0), ranked, 3);
    assertMatchesFrequencies(seen, expected);
  }

  @Test
  void softmaxPropensitiesAreTheDrawProbabilities() {
    double t = 0.5;
    List<Scored> ranked = scored();
    double z = 0;
    for (Scored s : ranked) {
      z += Math.pow(s.score(), 1 / t);
    }
    Map<String, Double> expected = new HashMap<>();
    for (Scored s : ranked) {
      expected.put(s.banner().banner().id(), Math.pow(s.score(), 1 / t) / z);
    }
    Map<String, double[]> seen = firstPosition(ordering(Policy.SOFTMAX, Diversity.NONE, 0, t, 1, 0), ranked, 3);
    assertMatchesFrequencies(seen, expected);
  }

  @Test
  void lowerStochasticPositionsCarryTheirProbabilityGivenThePositionsAbove() {
    // Two stochastic slots under one banner per brand: position 2 is drawn among the brands position 1 left.
    Ordering o = ordering(Policy.SOFTMAX, Diversity.MAX_PER_BRAND, 0, 0.5, 2, 0);
    List<Scored> ranked = scored();
    String top = ranked.get(0).banner().banner().id();
    String topBrand = ranked.get(0).brand();
    double z = 0;
    for (Scored s : ranked) {
      if (!s.brand().equals(topBrand)) {
        z += Math.pow(s.score(), 1 / 0.5);
      }
    }
    SplittableRandom rng = new SplittableRandom(5);
    Map<String, Integer> second = new HashMap<>();
    int given = 0;
    for (int i = 0; i < DRAWS; i++) {
      Outcome out = o.order(List.of(), ranked, Reason.PERSONALIZED, 4, 4, true, rng);
      assertEquals(1.0, out.items().get(2).propensity(), "below the stochastic slots the order is fixed");
      assertEquals(1.0, out.items().get(3).propensity());
      if (!out.items().get(0).bannerId().equals(top)) {
        continue;
      }
      given++;
      RankedItem s = out.items().get(1);
      assertNotEquals(topBrand, s.brand(), "the diversity rule holds at drawn positions");
      Scored sc = ranked.stream().filter(x -> x.banner().banner().id().equals(s.bannerId())).findFirst().orElseThrow();
      assertEquals(Math.pow(sc.score(), 2) / z, s.propensity(), 1e-9);
      second.merge(s.bannerId(), 1, Integer::sum);
    }
    assertTrue(given > 1000, "the best banner comes first often enough to check the second position");
    // The most frequent second banner comes as often as its propensity says.
    var most = second.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
    Scored sc = ranked.stream().filter(x -> x.banner().banner().id().equals(most.getKey())).findFirst().orElseThrow();
    double p = Math.pow(sc.score(), 2) / z;
    assertEquals(p, (double) most.getValue() / given, 5 * Math.sqrt(p * (1 - p) / given));
  }

  @Test
  void greedyKeepsTheDeterministicOrderAndSaysSo() {
    Ordering o = ordering(Policy.GREEDY, Diversity.NONE, 0.5, 1, 3, 0);
    Outcome out = o.order(List.of(), scored(), Reason.PERSONALIZED, 3, 3, true, new SplittableRandom(1));
    assertEquals("greedy", out.policy());
    assertEquals(List.of(1.0, 1.0, 1.0), out.items().stream().map(RankedItem::propensity).toList());
    assertEquals(scored().subList(0, 3).stream().map(s -> s.banner().banner().id()).toList(),
        out.items().stream().map(RankedItem::bannerId).toList());
  }

  @Test
  void aRequestThatMayNotExploreIsGreedy() {
    Ordering o = ordering(Policy.EPSILON_GREEDY, Diversity.NONE, 1.0, 1, 3, 0);
    Outcome out = o.order(List.of(), scored(), Reason.POPULAR_FALLBACK, 3, 3, false, new SplittableRandom(1));
    assertEquals("greedy", out.policy());
    assertTrue(out.items().stream().allMatch(i -> i.propensity() == 1.0));
  }

  @Test
  void theExplorationSlotNeverReplacesADrawnPosition() {
    // Exploration would always fire; the only position is drawn by the policy, so it stays the policy's.
    Ordering o = ordering(Policy.EPSILON_GREEDY, Diversity.NONE, 0.2, 1, 1, 1.0);
    for (int seed = 0; seed < 50; seed++) {
      Outcome out = o.order(List.of(), scored(), Reason.PERSONALIZED, 1, 1, true, new SplittableRandom(seed));
      assertNull(out.explored());
      assertEquals(Reason.PERSONALIZED, out.items().get(0).reason());
      assertEquals("epsilon_greedy", out.policy());
    }
  }

  @Test
  void seededDrawsRepeat() {
    Ordering o = ordering(Policy.SOFTMAX, Diversity.MAX_PER_BRAND, 0, 1, 3, 0.05);
    Outcome a = o.order(List.of(), scored(), Reason.PERSONALIZED, 5, 5, true, new SplittableRandom(9));
    Outcome b = o.order(List.of(), scored(), Reason.PERSONALIZED, 5, 5, true, new SplittableRandom(9));
    assertEquals(a.items(), b.items());
  }
}
