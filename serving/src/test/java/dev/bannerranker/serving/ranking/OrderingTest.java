package dev.bannerranker.serving.ranking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.OrderingSettings.Diversity;
import dev.bannerranker.serving.config.OrderingSettings.Value;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.ranking.Ordering.Outcome;
import dev.bannerranker.serving.ranking.Ordering.Scored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class OrderingTest {
  static final ModelGeneration G = TestBundles.generation();
  static final List<BannerFeatures> CAROUSEL = G.banners("home_carousel");

  static Ordering ordering(Diversity diversity, int maxPerBrand, double lambda, double share, long newBelow) {
    return new Ordering(new OrderingSettings(Value.BID, diversity, maxPerBrand, lambda, share, newBelow, 1L));
  }

  /** Scores falling with the index, so the expected order is the list order. */
  static List<Scored> descending(List<BannerFeatures> banners) {
    List<Scored> out = new ArrayList<>();
    for (int i = 0; i < banners.size(); i++) {
      out.add(new Scored(banners.get(i), 0.1, 1.0 - i * 0.01));
    }
    return out;
  }

  static List<String> ids(Outcome o) {
    return o.items().stream().map(RankedItem::bannerId).toList();
  }

  /** Draws that always return {@code u} and the first index. */
  static RandomGenerator fixed(double u) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public double nextDouble() {
        return u;
      }

      @Override
      public int nextInt(int bound) {
        return 0;
      }
    };
  }

  @Test
  void expectedValueIsClickValueTimesCtr() {
    var b = CAROUSEL.get(0).banner();
    assertEquals(b.bid(), ordering(Diversity.NONE, 1, 0.7, 0, 0).value(b, Double.NaN));
    assertEquals(1 + b.priority(), new Ordering(new OrderingSettings(Value.PRIORITY, Diversity.NONE, 1, 0.7, 0, 0, 1L))
        .value(b, Double.NaN));
    assertEquals(1.0, new Ordering(new OrderingSettings(Value.NONE, Diversity.NONE, 1, 0.7, 0, 0, 1L))
        .value(b, Double.NaN));
  }

  @Test
  void costPerConversionValuesAClickAtTheBidPerConversionTimesPcvr() {
    var b = CAROUSEL.get(0).banner();
    var cpa = new dev.bannerranker.data.Banner(b.id(), b.brand(), b.category(), b.placement(), b.creativeFormat(),
        b.creativeColor(), b.discountPct(), b.campaignId(), b.priceTier(), b.startTime(), b.endTime(), b.bid(),
        b.priority(), b.targetGenders(), b.targetAgeBands(), b.targetCityTiers(), 40.0);
    Ordering o = new Ordering(new OrderingSettings(Value.CPA, Diversity.NONE, 1, 0.7, 0, 0, 1L));
    assertEquals(40.0 * 0.05, o.value(cpa, 0.05), 1e-12);
    // without a bid per conversion, or without the model's pCVR, a click is worth the bid per click
    assertEquals(b.bid(), o.value(b, 0.05));
    assertEquals(b.bid(), o.value(cpa, Double.NaN));
    // the other modes ignore the bid per conversion
    assertEquals(cpa.bid(), ordering(Diversity.NONE, 1, 0.7, 0, 0).value(cpa, 0.05));
  }

  @Test
  void costPerConversionOrdersByBidPerConversionTimesPctrTimesPcvrAndCarriesPcvr() {
    var a = CAROUSEL.get(0);
    var b = CAROUSEL.get(1);
    Ordering o = new Ordering(new OrderingSettings(Value.CPA, Diversity.NONE, 1, 0.7, 0, 0, 1L));
    // a: higher pCTR, lower pCVR; b wins on pCTR x pCVR when both bid the same per conversion
    List<Scored> ranked = List.of(new Scored(a, 0.10, 0.10 * 0.02, 0.02), new Scored(b, 0.05, 0.05 * 0.08, 0.08));
    var out = o.order(List.of(), ranked, Reason.PERSONALIZED, 2, 0, false, new java.util.SplittableRandom(1));
    assertEquals(b.banner().id(), out.items().get(0).bannerId());
    assertEquals(0.08, out.items().get(0).predictedCvr());
    assertEquals(0.02, out.items().get(1).predictedCvr());
  }

  @Test
  void bestScoreFirstTiesByBannerId() {
    List<Scored> in = new ArrayList<>(descending(CAROUSEL.subList(0, 5)));
    java.util.Collections.reverse(in);
    in.add(new Scored(CAROUSEL.get(5), 0.1, 1.0)); // ties with the best; its id is larger
    Outcome o = ordering(Diversity.NONE, 1, 0.7, 0, 0).order(List.of(), in, Reason.PERSONALIZED, 6, 6, false, fixed(0));
    List<String> expected = new ArrayList<>();
    CAROUSEL.subList(0, 6).forEach(b -> expected.add(b.banner().id()));
    expected.add(1, expected.remove(5));
    assertEquals(expected, ids(o));
    assertTrue(o.items().stream().allMatch(i -> i.reason() == Reason.PERSONALIZED && i.propensity() == 1.0));
  }

  @Test
  void atMostKOfOneBrandInTheTopSlotsThenScoreOrder() {
    List<Scored> in = descending(CAROUSEL);
    int window = 5;
    Outcome o = ordering(Diversity.MAX_PER_BRAND, 1, 0.7, 0, 0)
        .order(List.of(), in, Reason.PERSONALIZED, 12, window, false, fixed(0));
    assertEquals(12, o.items().size());
    Map<String, Integer> top = new HashMap<>();
    o.items().subList(0, window).forEach(i -> top.merge(i.brand(), 1, Integer::sum));
    assertTrue(top.values().stream().allMatch(n -> n == 1), "one banner per brand in the top slots: " + top);
    // After the window, the skipped banners come back in score order.
    List<RankedItem> rest = o.items().subList(window, 12);
    for (int i = 1; i < rest.size(); i++) {
      assertTrue(rest.get(i - 1).score() >= rest.get(i).score());
    }
  }

  @Test
  void diversityBackfillsWhenTooFewBrandsAreEligible() {
    String brand = CAROUSEL.get(0).banner().brand();
    List<BannerFeatures> sameBrand = G.model().banners().values().stream()
        .filter(b -> b.banner().brand().equals(brand)).sorted((a, b) -> a.banner().id().compareTo(b.banner().id()))
        .toList();
    Outcome o = ordering(Diversity.MAX_PER_BRAND, 1, 0.7, 0, 0)
        .order(List.of(), descending(sameBrand), Reason.PERSONALIZED, 3, 3, false, fixed(0));
    assertEquals(Math.min(3, sameBrand.size()), o.items().size());
  }

  @Test
  void mmrTradesScoreForItem2vecDissimilarity() {
    List<Scored> in = descending(CAROUSEL);
    Outcome byScore = ordering(Diversity.MMR, 1, 1.0, 0, 0).order(List.of(), in, Reason.PERSONALIZED, 5, 5, false, fixed(0));
    assertEquals(ids(ordering(Diversity.NONE, 1, 0.7, 0, 0).order(List.of(), in, Reason.PERSONALIZED, 5, 5, false,
        fixed(0))), ids(byScore));
    Outcome diverse = ordering(Diversity.MMR, 1, 0.0, 0, 0).order(List.of(), in, Reason.PERSONALIZED, 2, 2, false, fixed(0));
    // With only diversity counting, the second pick is the banner least similar to the first.
    float[] first = G.banner(diverse.items().get(0).bannerId()).vector();
    double chosen = ItemVectors.cosine(first, G.banner(diverse.items().get(1).bannerId()).vector());
    for (Scored s : in.subList(1, in.size())) {
      assertTrue(chosen <= ItemVectors.cosine(first, s.banner().vector()) + 1e-6);
    }
  }

  @Test
  void pinnedComeFirstAndCountTowardTheResults() {
    List<Scored> in = descending(CAROUSEL.subList(2, 10));
    List<Scored> pinned = List.of(new Scored(CAROUSEL.get(1), 0.01, 0.01), new Scored(CAROUSEL.get(0), 0.01, 0.01));
    Outcome o = ordering(Diversity.NONE, 1, 0.7, 0, 0).order(pinned, in, Reason.PERSONALIZED, 4, 4, false, fixed(0));
    assertEquals(4, o.items().size());
    assertEquals(CAROUSEL.get(1).banner().id(), o.items().get(0).bannerId());
    assertEquals(Reason.PINNED, o.items().get(1).reason());
    assertEquals(CAROUSEL.get(2).banner().id(), o.items().get(2).bannerId());
  }

  @Test
  void explorationPutsOneNewBannerLastWithItsPropensity() {
    List<Scored> in = descending(CAROUSEL);
    long newBelow = Long.MAX_VALUE; // every banner counts as new
    Outcome o = ordering(Diversity.NONE, 1, 0.7, 0.25, newBelow)
        .order(List.of(), in, Reason.PERSONALIZED, 5, 5, true, fixed(0.1));
    assertNotNull(o.explored());
    RankedItem last = o.items().get(4);
    assertEquals(Reason.EXPLORATION, last.reason());
    int pool = CAROUSEL.size() - 5; // every banner not already in the list, the displaced one included
    assertEquals(0.25 / pool, last.propensity(), 1e-12);
    assertEquals(in.get(5).banner().banner().id(), last.bannerId()); // the fixed draw takes the pool's best

    Outcome kept = ordering(Diversity.NONE, 1, 0.7, 0.25, newBelow)
        .order(List.of(), in, Reason.PERSONALIZED, 5, 5, true, fixed(0.9));
    assertNull(kept.explored());
    assertEquals(0.75, kept.items().get(4).propensity(), 1e-12);
    assertEquals(1.0, kept.items().get(3).propensity());
  }

  @Test
  void explorationIsDeterministicUnderAFixedSeedAndOffAtShareZero() {
    List<Scored> in = descending(CAROUSEL);
    Ordering o = ordering(Diversity.MAX_PER_BRAND, 1, 0.7, 0.5, Long.MAX_VALUE);
    for (long seed = 0; seed < 20; seed++) {
      assertEquals(ids(o.order(List.of(), in, Reason.PERSONALIZED, 5, 5, true, new SplittableRandom(seed))),
          ids(o.order(List.of(), in, Reason.PERSONALIZED, 5, 5, true, new SplittableRandom(seed))));
    }
    Ordering off = ordering(Diversity.NONE, 1, 0.7, 0, Long.MAX_VALUE);
    assertNull(off.order(List.of(), in, Reason.PERSONALIZED, 5, 5, true, fixed(0)).explored());
    // Only new banners are explored: none is new here.
    Ordering noneNew = ordering(Diversity.NONE, 1, 0.7, 1.0, 0);
    List<Scored> trained = in.stream().filter(s -> s.banner().vectorTrained()).toList();
    assertNull(noneNew.order(List.of(), trained, Reason.PERSONALIZED, 5, 5, true, fixed(0)).explored());
  }

  /**
   * The written-out best-first order is the composed one (by negated score, then id): the same list for scores with
   * ties, both zeros, NaN and infinities, for any starting order.
   */
  @Test
  void bestFirstSortsAsTheComposedComparator() {
    java.util.Comparator<Scored> composed = java.util.Comparator.comparingDouble((Scored s) -> -s.score())
        .thenComparing(s -> s.banner().banner().id());
    double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5, 0.5};
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 50; round++) {
      List<Scored> in = new ArrayList<>();
      for (int i = 0; i < CAROUSEL.size(); i++) {
        double score = random.nextInt(4) == 0 ? special[random.nextInt(special.length)] : random.nextInt(5) / 4.0;
        in.add(new Scored(CAROUSEL.get(i), 0.1, score));
      }
      java.util.Collections.shuffle(in, new java.util.Random(round));
      List<Scored> expected = new ArrayList<>(in);
      expected.sort(composed);
      List<Scored> actual = new ArrayList<>(in);
      actual.sort(Ordering.BEST_FIRST);
      assertEquals(expected, actual, "round " + round);
    }
  }
}
