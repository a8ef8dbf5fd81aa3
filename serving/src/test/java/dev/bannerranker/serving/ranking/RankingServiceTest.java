package dev.bannerranker.serving.ranking;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.Platform;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.TestSettings;
import dev.bannerranker.serving.config.OrderingSettings.Diversity;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.users.ProfileStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RankingServiceTest {
  static RankQuery query(String user, String placement, List<String> candidates, int results, boolean debug) {
    return new RankQuery(user, placement, Platform.WEB, 0, "", T, candidates, results, debug, Budget.unbounded());
  }

  @Test
  void personalizedRankingForAKnownUser() {
    TestPipeline p = TestPipeline.standard();
    RankResult r = p.ranking().rank(query(KNOWN_USER, "home_hero", List.of(), 5, false));
    assertTrue(r.requestId().matches("[0-9a-f]{16}"), r.requestId());
    assertEquals(TestBundles.tiny().modelVersion(), r.modelVersion());
    assertEquals("control", r.arm());
    assertEquals(5, r.banners().size());
    for (RankedItem item : r.banners()) {
      assertEquals(Reason.PERSONALIZED, item.reason());
      assertTrue(item.predictedCtr() > 0 && item.predictedCtr() < 1);
      double bid = TestBundles.generation().banner(item.bannerId()).banner().bid();
      assertEquals(bid * item.predictedCtr(), item.score(), 1e-9);
      assertEquals(null, item.explanation());
    }
    assertEquals(1, p.counter("ranker.rank.responses", "path", "personalized"));
    for (String stage : List.of("user_state", "eligibility", "scoring", "ordering")) {
      assertEquals(1, p.meters().find("ranker.stage.duration").tag("stage", stage).timer().count(), stage);
    }
  }

  @Test
  void aConversionModelUnderCpaOrdersByBidPerConversionTimesPctrTimesPcvr(@TempDir Path dir) throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "test");
    TestPipeline p = cpaPipeline(registry, dir, Diversity.NONE, 0);
    RankResult r = p.ranking().rank(query(KNOWN_USER, "home_carousel", List.of(), 50, false));
    var g = registry.current().control();
    assertTrue(g.model().hasConversion());
    assertTrue(r.banners().size() > 8, "the placement's whole list, " + r.banners().size());
    var snapshot = p.users().get(KNOWN_USER).snapshot(g);
    var u = g.model().userFeatures(snapshot.profile(), snapshot.history(), T);
    var ctx = new dev.bannerranker.features.ScoringContext(T, Platform.WEB, g.spec().neutralSlot());
    boolean cpa = false;
    boolean perClick = false;
    double previous = Double.POSITIVE_INFINITY;
    for (RankedItem item : r.banners()) {
      var b = g.banner(item.bannerId());
      float[] cvr = new float[1];
      g.model().predictConversion(u, ctx, new dev.bannerranker.features.BannerFeatures[] {b}, 1, cvr);
      assertEquals(cvr[0], item.predictedCvr(), 1e-6, item.bannerId());
      assertTrue(item.predictedCvr() > 0 && item.predictedCvr() < 1);
      double value = b.banner().hasBidPerConversion() ? b.banner().bidPerConversion() * item.predictedCvr()
          : b.banner().bid();
      cpa |= b.banner().hasBidPerConversion();
      perClick |= !b.banner().hasBidPerConversion();
      assertEquals(value, item.value(), 1e-9, item.bannerId());
      assertEquals(value * item.predictedCtr(), item.score(), 1e-9, item.bannerId());
      assertTrue(item.score() <= previous, "best score first");
      previous = item.score();
    }
    assertTrue(cpa && perClick, "the list mixes banners bid per conversion and per click");
  }

  /**
   * A Rank reuses its thread's scratch arrays (RankScratch): what one request leaves there must not change the next.
   * The same queries, each on a fresh thread, and all in turn on one thread (larger and smaller candidate lists,
   * another user, a request refused for a repeated candidate in between) give the same lists.
   */
  @Test
  void consecutiveRanksOnOneThreadGiveWhatFreshThreadsGive(@TempDir Path dir) throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "test");
    TestPipeline p = cpaPipeline(registry, dir, Diversity.MAX_PER_BRAND, 0.05);
    List<String> carousel = registry.current().control().banners("home_carousel").stream()
        .map(b -> b.banner().id()).toList();
    assertTrue(carousel.size() > 8, "enough banners to vary the candidate count: " + carousel.size());
    List<String> few = carousel.subList(carousel.size() - 3, carousel.size());
    List<RankQuery> queries = List.of(
        query(KNOWN_USER, "home_carousel", List.of(), 50, false),
        query("u-000002", "home_carousel", few, 3, false),
        query(KNOWN_USER, "home_hero", List.of(), 5, false),
        query("u-000002", "home_carousel", carousel, 8, false),
        query(KNOWN_USER, "home_carousel", few, 2, false));
    RankQuery repeated = query(KNOWN_USER, "home_carousel", List.of(few.get(0), few.get(1), few.get(0)), 2, false);
    queries.forEach(q -> p.ranking().rank(q)); // fills the caches (fold-in taste, user state) for both runs

    List<List<RankedItem>> fresh = new ArrayList<>();
    for (RankQuery q : queries) {
      fresh.add(onNewThread(() -> p.ranking().rank(q).banners()));
    }
    List<List<RankedItem>> inTurn = onNewThread(() -> {
      List<List<RankedItem>> out = new ArrayList<>();
      for (RankQuery q : queries) {
        out.add(p.ranking().rank(q).banners());
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> p.ranking().rank(repeated));
        assertEquals("candidate_banner_ids", e.field());
      }
      return out;
    });
    for (int i = 0; i < queries.size(); i++) {
      assertFalse(fresh.get(i).isEmpty(), "query " + i);
      assertEquals(fresh.get(i), inTurn.get(i), "query " + i);
    }
  }

  /** The click-and-conversion bundle in {@code registry}, ordered under CPA with seeded draws. */
  private static TestPipeline cpaPipeline(ModelRegistry registry, Path dir, Diversity diversity, double exploration)
      throws Exception {
    registry.load(Arm.CONTROL, TestBundles.withConversion(dir.resolve("bundle")));
    var ordering = new dev.bannerranker.serving.config.OrderingSettings(
        dev.bannerranker.serving.config.OrderingSettings.Value.CPA, diversity, 1, 0.7, exploration, 50, 7L);
    return TestPipeline.of(registry, ProfileStore.load(TestBundles.USERS, false, 64),
        TestSettings.request(), TestSettings.eligibility(3, List.of(), List.of()), ordering);
  }

  private static <T> T onNewThread(java.util.concurrent.Callable<T> task) throws Exception {
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      return pool.submit(task).get();
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aClickModelLeavesThePredictedConversionRateUnset() {
    RankResult r = TestPipeline.standard().ranking().rank(query(KNOWN_USER, "home_hero", List.of(), 5, false));
    for (RankedItem item : r.banners()) {
      assertTrue(Double.isNaN(item.predictedCvr()), item.bannerId());
    }
  }

  @Test
  void requestIdsAreSixteenLowerCaseHexDigitsWithLeadingZerosKept() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < 2000; i++) {
      String id = RankingService.requestId();
      assertTrue(id.matches("[0-9a-f]{16}"), id);
      ids.add(id);
    }
    assertEquals(2000, ids.size());
  }

  @Test
  void scoringIsTheBundleModelAtTheNeutralSlot() {
    TestPipeline p = TestPipeline.standard();
    RankResult r = p.ranking().rank(query(KNOWN_USER, "home_carousel", List.of(), 8, false));
    var g = p.registry().current().control();
    var snapshot = p.users().get(KNOWN_USER).snapshot(g);
    var u = g.model().userFeatures(snapshot.profile(), snapshot.history(), T);
    var ctx = new dev.bannerranker.features.ScoringContext(T, Platform.WEB, g.spec().neutralSlot());
    for (RankedItem item : r.banners()) {
      var b = g.banner(item.bannerId());
      float[] out = new float[1];
      g.model().predict(u, ctx, new dev.bannerranker.features.BannerFeatures[] {b}, 1, out);
      assertEquals(out[0], item.predictedCtr(), 1e-6, item.bannerId());
    }
  }

  @Test
  void unknownUsersGetThePopularityOrder() {
    TestPipeline p = TestPipeline.standard();
    RankResult r = p.ranking().rank(query("nobody-known", "home_carousel", List.of(), 50, false));
    assertFalse(r.banners().isEmpty());
    var g = TestBundles.generation();
    for (RankedItem item : r.banners()) {
      assertEquals(Reason.POPULAR_FALLBACK, item.reason());
      assertEquals(g.popularity(g.banner(item.bannerId())), item.predictedCtr(), 1e-12);
    }
    assertEquals(1, p.counter("ranker.fallbacks", "reason", "cold_start"));
  }

  @Test
  void aDeadlineTooCloseForScoringGivesThePopularityOrderAndIsCounted() {
    TestPipeline p = TestPipeline.of(TestBundles.registry(), ProfileStore.load(TestBundles.USERS, false, 64),
        TestSettings.request(Duration.ofHours(1)), TestSettings.eligibility(3, List.of(), List.of()),
        TestSettings.ordering(Diversity.MAX_PER_BRAND, 0.5));
    RankQuery q = new RankQuery(KNOWN_USER, "home_carousel", Platform.WEB, 0, "", T, List.of(), 50, false,
        Budget.remaining(Duration.ofSeconds(30).toNanos()));
    RankResult r = p.ranking().rank(q);
    var g = TestBundles.generation();
    List<String> expected = g.popular("home_carousel").stream()
        .filter(b -> r.banners().stream().anyMatch(i -> i.bannerId().equals(b.banner().id())))
        .map(b -> b.banner().id()).toList();
    assertEquals(expected, r.banners().stream().map(RankedItem::bannerId).toList(), "plain popularity order");
    assertTrue(r.banners().stream().allMatch(i -> i.reason() == Reason.POPULAR_FALLBACK && i.propensity() == 1.0));
    assertEquals(1, p.counter("ranker.fallbacks", "reason", "deadline"));
    // Without a deadline the same request is personalized.
    assertEquals(Reason.PERSONALIZED, p.ranking().rank(query(KNOWN_USER, "home_carousel", List.of(), 5, false))
        .banners().get(0).reason());
  }

  @Test
  void anExpiredDeadlineIsRefused() {
    TestPipeline p = TestPipeline.standard();
    RankQuery q = new RankQuery(KNOWN_USER, "home_hero", Platform.WEB, 0, "", T, List.of(), 5, false,
        Budget.remaining(-1));
    assertThrows(DeadlineExpiredException.class, () -> p.ranking().rank(q));
  }

  @Test
  void noModelMeansUnavailable() {
    TestPipeline p = TestPipeline.of(new ModelRegistry(0, "s"), ProfileStore.empty(), TestSettings.request(),
        TestSettings.eligibility(3, List.of(), List.of()), TestSettings.ordering(Diversity.NONE, 0));
    assertThrows(NoModelException.class, () -> p.ranking().rank(query(KNOWN_USER, "home_hero", List.of(), 5, false)));
  }

  @Test
  void resultCountFollowsNumResultsThenSlotCountThenTheDefaultAndIsCapped() {
    TestPipeline p = TestPipeline.standard();
    assertEquals(10, p.ranking().rank(query(KNOWN_USER, "home_carousel", List.of(), 0, false)).banners().size());
    assertEquals(3, p.ranking().rank(new RankQuery(KNOWN_USER, "home_carousel", null, 3, "", T, List.of(), 0, false,
        Budget.unbounded())).banners().size());
    int eligible = p.ranking().rank(query(KNOWN_USER, "home_carousel", List.of(), 1000, false)).banners().size();
    assertTrue(eligible <= 50 && eligible > 10);
  }

  @Test
  void onlyTheGivenCandidatesAreRanked() {
    TestPipeline p = TestPipeline.standard();
    List<String> all = p.ranking().rank(query(KNOWN_USER, "home_carousel", List.of(), 50, false)).banners().stream()
        .map(RankedItem::bannerId).toList();
    List<String> some = List.of(all.get(5), all.get(2), all.get(9));
    Set<String> got = new HashSet<>();
    p.ranking().rank(query(KNOWN_USER, "home_carousel", some, 10, false)).banners().forEach(i -> got.add(i.bannerId()));
    assertEquals(Set.copyOf(some), got);
  }

  @Test
  void debugExplainsWithWideFeaturesAndNearestRecentBrands() {
    TestPipeline p = TestPipeline.standard();
    String clicked = p.ranking().rank(query(KNOWN_USER, "home_hero", List.of(), 5, false)).banners().get(2).bannerId();
    p.events().record(List.of(EventInput.click(KNOWN_USER, T - 60, clicked)));
    RankResult r = p.ranking().rank(query(KNOWN_USER, "home_hero", List.of(), 5, true));
    String clickedBrand = TestBundles.generation().banner(clicked).banner().brand();
    for (RankedItem item : r.banners()) {
      assertNotNull(item.explanation());
      assertEquals(RankingService.EXPLAINED_WIDE_FEATURES, item.explanation().topWideFeatures().size());
      var wide = item.explanation().topWideFeatures();
      for (int i = 1; i < wide.size(); i++) {
        assertTrue(Math.abs(wide.get(i - 1).weight()) >= Math.abs(wide.get(i).weight()));
      }
      assertEquals(List.of(clickedBrand), item.explanation().nearestRecentBrands().stream()
          .map(RankedItem.NearBrand::brand).toList());
      assertEquals(1.0, item.explanation().nearestRecentBrands().get(0).userShare(), 1e-6);
    }
  }

  @Test
  void recordedImpressionsCapABannerForTheNextRanking() {
    TestPipeline p = TestPipeline.standard();
    String top = p.ranking().rank(query(KNOWN_USER, "home_hero", List.of(), 5, false)).banners().get(0).bannerId();
    List<EventInput> shown = new ArrayList<>();
    IntStream.range(0, 3).forEach(i -> shown.add(EventInput.impression(KNOWN_USER, T - 600 + i, top)));
    assertEquals(3, p.events().record(shown));
    assertTrue(p.ranking().rank(query(KNOWN_USER, "home_hero", List.of(), 50, false)).banners().stream()
        .noneMatch(i -> i.bannerId().equals(top)));
    // A day later the cap has passed.
    RankQuery later = new RankQuery(KNOWN_USER, "home_hero", Platform.WEB, 0, "", T + 86_400, List.of(), 50, false,
        Budget.unbounded());
    assertTrue(p.ranking().rank(later).banners().stream().anyMatch(i -> i.bannerId().equals(top)));
  }

  @Test
  void validationNamesTheField() {
    TestPipeline p = TestPipeline.standard();
    record Case(RankQuery q, String field) {}
    String big = "x".repeat(129);
    List<String> tooMany = IntStream.range(0, 501).mapToObj(i -> "bn-" + i).toList();
    for (Case c : List.of(
        new Case(query("", "home_hero", List.of(), 5, false), "user_id"),
        new Case(query(big, "home_hero", List.of(), 5, false), "user_id"),
        new Case(query(KNOWN_USER, "", List.of(), 5, false), "context.placement"),
        new Case(query(KNOWN_USER, "home_footer", List.of(), 5, false), "context.placement"),
        new Case(query(KNOWN_USER, "home_hero", tooMany, 5, false), "candidate_banner_ids"),
        new Case(query(KNOWN_USER, "home_hero", List.of("bn-00001", "bn-nope"), 5, false), "candidate_banner_ids"),
        new Case(query(KNOWN_USER, "home_hero", List.of("bn-00001", "bn-00001"), 5, false), "candidate_banner_ids"),
        new Case(query(KNOWN_USER, "home_hero", List.of(), -1, false), "num_results"),
        new Case(new RankQuery(KNOWN_USER, "home_hero", null, -2, "", T, List.of(), 0, false, null), "context.slot_count"),
        new Case(new RankQuery(KNOWN_USER, "home_hero", null, 0, "x".repeat(36), T, List.of(), 0, false, null),
            "context.locale"))) {
      InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> p.ranking().rank(c.q()));
      assertEquals(c.field(), e.field());
      assertTrue(e.getMessage().startsWith(c.field()), e.getMessage());
    }
  }

  @Test
  void usersAreSplitStablyBetweenTwoModels(@TempDir Path tmp) throws Exception {
    ModelRegistry registry = new ModelRegistry(50, "salt");
    registry.load(Arm.CONTROL, TestBundles.TINY);
    registry.load(Arm.TREATMENT, TestBundles.withVersion(tmp.resolve("b"), "wd-treatment"));
    TestPipeline p = TestPipeline.of(registry, ProfileStore.empty(), TestSettings.request(),
        TestSettings.eligibility(3, List.of(), List.of()), TestSettings.ordering(Diversity.NONE, 0));
    Set<String> versions = new HashSet<>();
    for (int u = 0; u < 100; u++) {
      String user = "user-" + u;
      RankResult first = p.ranking().rank(query(user, "home_hero", List.of(), 3, false));
      RankResult again = p.ranking().rank(query(user, "home_hero", List.of(), 3, false));
      assertEquals(first.modelVersion(), again.modelVersion());
      assertEquals(first.arm().equals("treatment"), first.modelVersion().equals("wd-treatment"));
      versions.add(first.modelVersion());
    }
    assertEquals(Set.of(TestBundles.tiny().modelVersion(), "wd-treatment"), versions);
  }
}
