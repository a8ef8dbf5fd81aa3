package dev.bannerranker.serving.catalog;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.data.EventType;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.TestSettings;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.Budget;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import dev.bannerranker.serving.ranking.RankQuery;
import dev.bannerranker.serving.ranking.RankedItem;
import dev.bannerranker.serving.store.CatalogStore;
import dev.bannerranker.serving.store.MemoryUserStore;
import dev.bannerranker.serving.store.RocksDbUserStore;
import dev.bannerranker.serving.users.UserStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live catalog over the real ranking pipeline, without gRPC. */
class CatalogServiceTest {
  private static final String HERO = "home_hero";
  private static final String FLIGHT_START = "2026-03-01T00:00:00Z";
  private static final String FLIGHT_END = "2026-04-01T00:00:00Z";

  /** The standard pipeline with a live catalog over a memory store. */
  private record Setup(TestPipeline pipeline, CatalogService catalog) {
    List<RankedItem> rank(String placement, List<String> candidates) {
      return pipeline.ranking().rank(new RankQuery(KNOWN_USER, placement, dev.bannerranker.data.Platform.WEB, 0,
          "en-GB", T, candidates, 0, false, Budget.unbounded())).banners();
    }

    List<String> rankedIds(String placement) {
      return rank(placement, List.of()).stream().map(RankedItem::bannerId).toList();
    }
  }

  private static Setup setup() {
    return setup(new MemoryUserStore(UserStateStore.limits(TestSettings.users())).catalog());
  }

  private static Setup setup(CatalogStore store) {
    TestPipeline p = TestPipeline.standard();
    CatalogService c = new CatalogService(p.registry(), store, PlacementRules.NONE, null, () -> T, false,
        Duration.ZERO);
    return new Setup(p, c);
  }

  /** A banner input like an existing one, with some cells replaced. */
  private static BannerInput like(Banner b, boolean paused, String... cells) {
    Map<String, String> m = new HashMap<>(BannerCsv.cellMap(b));
    for (int i = 0; i < cells.length; i += 2) {
      m.put(cells[i], cells[i + 1]);
    }
    return new BannerInput(m, paused);
  }

  /** The input with some cells replaced. */
  private static BannerInput like(BannerInput b, String... cells) {
    Map<String, String> m = new HashMap<>(b.cells());
    for (int i = 0; i < cells.length; i += 2) {
      m.put(cells[i], cells[i + 1]);
    }
    return new BannerInput(m, b.paused());
  }

  /** A new banner of the hero placement, in flight at the test time. */
  private static BannerInput fresh(Setup s, String id, String brand) {
    Banner template = s.catalog().current().banners().values().stream()
        .filter(b -> b.banner().placement().equals(HERO)).findFirst().orElseThrow().banner();
    return like(template, false, "banner_id", id, "brand", brand, "campaign_id", "cmp-new-" + id, "start_time",
        FLIGHT_START, "end_time", FLIGHT_END, "target_genders", "", "target_age_bands", "", "target_city_tiers", "");
  }

  @Test
  void seededFromTheBundleAtVersionOne() {
    Setup s = setup();
    assertEquals(1, s.catalog().current().version());
    assertEquals(TestBundles.tiny().catalog().size(), s.catalog().current().banners().size());
    assertEquals(1, s.pipeline().registry().current().control().catalogVersion());
  }

  @Test
  void anUpsertedNewBannerIsRankedWithAPredictedCtrInTheOpenUnitInterval() {
    Setup s = setup();
    CatalogService.Upserted u = s.catalog().upsert(List.of(fresh(s, "bn-new-1", "Nornor")));
    assertEquals(new CatalogService.Upserted(2, 1, 0), u);
    ModelGeneration g = s.pipeline().registry().current().control();
    assertEquals(2, g.catalogVersion());
    assertTrue(g.banner("bn-new-1").cold(), "the model has never seen it");
    List<RankedItem> items = s.rank(HERO, List.of("bn-new-1"));
    assertEquals(1, items.size());
    assertEquals("bn-new-1", items.get(0).bannerId());
    double p = items.get(0).predictedCtr();
    assertTrue(p > 0 && p < 1, "pCTR " + p);
  }

  @Test
  void pausingABannerTakesItOutOfTheNextRank() {
    Setup s = setup();
    String top = s.rankedIds(HERO).get(0);
    s.catalog().upsert(List.of(like(s.catalog().banner(top).banner(), true)));
    assertTrue(s.catalog().banner(top).paused());
    assertFalse(s.rankedIds(HERO).contains(top));
    assertTrue(s.rank(HERO, List.of(top)).isEmpty(), "a paused candidate is not eligible");
    s.catalog().upsert(List.of(like(s.catalog().banner(top).banner(), false)));
    assertEquals(top, s.rankedIds(HERO).get(0));
  }

  @Test
  void raisingABidChangesTheOrderAsBidTimesPctrSays() {
    Setup s = setup();
    List<RankedItem> before = s.rank(HERO, List.of());
    RankedItem first = before.get(0);
    RankedItem second = before.get(1);
    assertTrue(second.score() < first.score());
    double bid = 2 * first.score() / second.predictedCtr();
    s.catalog().upsert(List.of(like(s.catalog().banner(second.bannerId()).banner(), false, "bid",
        Double.toString(bid))));
    List<RankedItem> after = s.rank(HERO, List.of());
    assertEquals(second.bannerId(), after.get(0).bannerId());
    assertEquals(second.predictedCtr(), after.get(0).predictedCtr(), 1e-9, "the bid is no feature of the model");
    assertEquals(bid * second.predictedCtr(), after.get(0).score(), 1e-9);
    assertEquals(first.bannerId(), after.get(1).bannerId());
  }

  @Test
  void pinAndBlockPerPlacementAtRunTime() {
    Setup s = setup();
    List<String> hero = s.rankedIds(HERO);
    String pin = hero.get(hero.size() - 1);
    String block = hero.get(0);
    List<String> sidebarBefore = s.rankedIds("home_sidebar");
    long v = s.catalog().setRules(HERO, List.of(pin), List.of(block));
    assertEquals(2, v);
    List<String> after = s.rankedIds(HERO);
    assertEquals(pin, after.get(0));
    assertFalse(after.contains(block));
    assertEquals(sidebarBefore, s.rankedIds("home_sidebar"), "another placement keeps its rules");
    assertEquals(List.of(pin), s.catalog().rules(HERO).rules().pinned());
    assertTrue(s.catalog().rules(HERO).setAtRunTime());
    assertEquals(PlacementRules.NONE, s.catalog().rules("home_sidebar").rules());
    assertFalse(s.catalog().rules("home_sidebar").setAtRunTime());
    // A banner of another placement cannot be pinned here.
    String other = sidebarBefore.get(0);
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> s.catalog().setRules(HERO, List.of(other), List.of()));
    assertEquals("pinned_banner_ids[0]", e.field());
    s.catalog().setRules(HERO, List.of(), List.of());
    assertEquals(hero, s.rankedIds(HERO));
  }

  @Test
  void aBadFieldIsRejectedAndNothingOfTheCallApplies() {
    Setup s = setup();
    record Case(String column, String value) {}
    for (Case c : List.of(new Case("bid", "-1"), new Case("bid", "NaN"), new Case("price_tier", "9"),
        new Case("discount_pct", "x"), new Case("end_time", "2026-02-01T00:00:00Z"), new Case("brand", ""),
        new Case("target_genders", "F|Q"), new Case("start_time", "yesterday"), new Case("placement", "y".repeat(300)),
        new Case("bid_per_conversion", "0"), new Case("bid_per_conversion", "-2.5"),
        new Case("bid_per_conversion", "NaN"), new Case("bid_per_conversion", "Infinity"),
        new Case("bid_per_conversion", "x"), new Case("bid_per_conversion", "1".repeat(300)))) {
      BannerInput good = fresh(s, "bn-good", "Nornor");
      Map<String, String> cells = new HashMap<>(fresh(s, "bn-bad", "Vimi").cells());
      cells.put(c.column(), c.value());
      InvalidRequestException e = assertThrows(InvalidRequestException.class,
          () -> s.catalog().upsert(List.of(good, new BannerInput(cells, false))));
      assertEquals("banners[1]." + c.column(), e.field());
      assertTrue(e.getMessage().contains("bn-bad"), e.getMessage());
      assertTrue(e.getMessage().length() < 400, e.getMessage());
      assertEquals(1, s.catalog().current().version());
      assertNull(s.catalog().banner("bn-good"), "nothing of the call applies");
      assertNull(s.pipeline().registry().current().control().banner("bn-good"));
    }
    InvalidRequestException twice = assertThrows(InvalidRequestException.class,
        () -> s.catalog().upsert(List.of(fresh(s, "bn-x", "Vimi"), fresh(s, "bn-x", "Vimi"))));
    assertEquals("banners[1].banner_id", twice.field());
  }

  @Test
  void aHotSwapKeepsTheLiveEdits(@TempDir Path tmp) throws Exception {
    Setup s = setup();
    String paused = s.rankedIds(HERO).get(0);
    s.catalog().upsert(List.of(fresh(s, "bn-new-2", "Vimi"), like(s.catalog().banner(paused).banner(), true)));
    ModelRegistry registry = s.pipeline().registry();
    registry.load(Arm.CONTROL, TestBundles.withVersion(tmp.resolve("v2"), "v2"));
    ModelGeneration g = registry.current().control();
    assertEquals("v2", g.version());
    assertEquals(2, g.catalogVersion());
    assertNotNull(g.banner("bn-new-2"));
    assertFalse(s.rankedIds(HERO).contains(paused));
    assertEquals(1, s.rank(HERO, List.of("bn-new-2")).size());
    registry.rollback(Arm.CONTROL);
    assertNotNull(registry.current().control().banner("bn-new-2"), "a rollback keeps them too");
    assertFalse(s.rankedIds(HERO).contains(paused));
  }

  @Test
  void underCpaABannerIsOrderedByItsLiveBidPerConversion(@TempDir Path dir) throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "test");
    registry.load(Arm.CONTROL, TestBundles.withConversion(dir.resolve("bundle")));
    var ordering = new dev.bannerranker.serving.config.OrderingSettings(
        dev.bannerranker.serving.config.OrderingSettings.Value.CPA,
        dev.bannerranker.serving.config.OrderingSettings.Diversity.NONE, 1, 0.7, 0, 50, 7L);
    TestPipeline p = TestPipeline.of(registry, dev.bannerranker.serving.users.ProfileStore.load(TestBundles.USERS,
        false, 64), TestSettings.request(), TestSettings.eligibility(3, List.of(), List.of()), ordering);
    Setup s = new Setup(p, new CatalogService(registry, new MemoryUserStore(UserStateStore.limits(
        TestSettings.users())).catalog(), PlacementRules.NONE, null, () -> T, false, Duration.ZERO));
    List<RankedItem> before = s.rank(HERO, List.of());
    RankedItem last = before.get(before.size() - 1);
    RankedItem first = before.get(0);
    assertTrue(last.score() < first.score());
    Banner banner = s.catalog().banner(last.bannerId()).banner();
    // Worth twice the top score per impression once it bids this much per conversion.
    double bpc = 2 * first.score() / (last.predictedCtr() * last.predictedCvr());
    s.catalog().upsert(List.of(like(banner, false, "bid_per_conversion", Double.toString(bpc))));
    RankedItem top = s.rank(HERO, List.of()).get(0);
    assertEquals(last.bannerId(), top.bannerId());
    assertEquals(bpc * last.predictedCvr(), top.value(), 1e-9 * bpc);
    assertEquals(bpc * last.predictedCvr() * last.predictedCtr(), top.score(), 1e-9 * bpc);

    // Cleared at run time: back to its bid per click.
    s.catalog().upsert(List.of(like(banner, false, "bid_per_conversion", "")));
    RankedItem cleared = s.rank(HERO, List.of(last.bannerId())).get(0);
    assertEquals(banner.bid(), cleared.value(), 1e-12);
    assertEquals(banner.bid() * last.predictedCtr(), cleared.score(), 1e-9);
  }

  @Test
  void aCatalogStoredInTheLayoutWithoutBidsPerConversionStillReads() throws Exception {
    Banner b = TestBundles.tiny().catalog().get(0);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      out.writeInt(1);
      out.writeLong(7);
      out.writeInt(1);
      for (String cell : BannerCsv.cells(b)) {
        out.writeUTF(cell);
      }
      out.writeBoolean(true);
      out.writeInt(0);
    }
    LiveCatalog c = LiveCatalog.decode(bytes.toByteArray());
    assertEquals(7, c.version());
    assertEquals(b, c.banner(b.id()).banner());
    assertTrue(c.banner(b.id()).paused());
    assertFalse(c.banner(b.id()).banner().hasBidPerConversion());
    // and the current layout keeps a bid per conversion
    Banner cpa = CatalogService.parse("b", like(b, false, "bid_per_conversion", "4.25")).banner();
    LiveCatalog again = LiveCatalog.decode(c.withBanners(List.of(new LiveBanner(cpa, false))).encode());
    assertEquals(4.25, again.banner(b.id()).banner().bidPerConversion());
    assertEquals(8, again.version());
  }

  @Test
  void editsSurviveARestartOfTheRocksDbStore(@TempDir Path dir) {
    Path state = dir.resolve("state");
    String paused;
    try (RocksDbUserStore store = new RocksDbUserStore(state, UserStateStore.limits(TestSettings.users()), true, Duration.ofSeconds(1),
        Duration.ZERO)) {
      Setup s = setup(store.catalog());
      paused = s.rankedIds(HERO).get(0);
      s.catalog().upsert(List.of(fresh(s, "bn-new-3", "Nornor"), like(s.catalog().banner(paused).banner(), true),
          like(fresh(s, "bn-new-4", "Vimi"), "bid_per_conversion", "12.5")));
      s.catalog().setRules(HERO, List.of("bn-new-3"), List.of());
      assertEquals(3, s.catalog().current().version());
    }
    try (RocksDbUserStore store = new RocksDbUserStore(state, UserStateStore.limits(TestSettings.users()), true, Duration.ofSeconds(1),
        Duration.ZERO)) {
      Setup s = setup(store.catalog());
      assertEquals(3, s.catalog().current().version(), "the stored catalog, not a new seed");
      assertTrue(s.catalog().banner(paused).paused());
      assertEquals(12.5, s.catalog().banner("bn-new-4").banner().bidPerConversion());
      assertFalse(s.catalog().banner("bn-new-3").banner().hasBidPerConversion());
      assertEquals("bn-new-3", s.rankedIds(HERO).get(0));
      assertFalse(s.rankedIds(HERO).contains(paused));
    }
    assertTrue(Files.isDirectory(state));
  }

  @Test
  void aNewBannerOfABrandTheShopperLovesScoresAboveOneOfABrandTheyNeverBrowse() {
    Setup s = setup();
    ModelGeneration g = s.pipeline().registry().current().control();
    List<String> brands = g.model().bundle().vocab().brands().values();
    String loved = brands.get(0);
    String other = brands.get(brands.size() - 1);
    String user = "u-catalog-lover";
    List<EventInput> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      events.add(EventInput.product(user, T - 3600 + i, EventType.VIEW, loved, "jeans", 2, 20f));
    }
    s.pipeline().events().record(events);
    s.catalog().upsert(List.of(fresh(s, "bn-loved", loved), fresh(s, "bn-other", other)));
    List<RankedItem> items = s.pipeline().ranking().rank(new RankQuery(user, HERO, dev.bannerranker.data.Platform.WEB,
        0, "en-GB", T, List.of("bn-loved", "bn-other"), 0, false, Budget.unbounded())).banners();
    Map<String, Double> p = new HashMap<>();
    items.forEach(i -> p.put(i.bannerId(), i.predictedCtr()));
    assertTrue(p.get("bn-loved") > p.get("bn-other"), p.toString());
  }

  @Test
  void aBrandUnknownToTheModelFallsBackToTheCategoryVector() {
    Setup s = setup();
    s.catalog().upsert(List.of(fresh(s, "bn-unknown-brand", "A Brand No Model Knows")));
    ModelGeneration g = s.pipeline().registry().current().control();
    var f = g.banner("bn-unknown-brand");
    assertEquals(0, f.brandIdx());
    assertTrue(f.categoryIdx() > 0);
    assertEquals(java.util.Arrays.toString(g.model().vectors().category(f.categoryIdx())),
        java.util.Arrays.toString(f.vector()));
    double p = s.rank(HERO, List.of("bn-unknown-brand")).get(0).predictedCtr();
    assertTrue(p > 0 && p < 1);
  }

  @Test
  void eventsOfABannerOnlyTheCatalogKnowsAreCountedAndCapped() {
    Setup s = setup();
    s.catalog().upsert(List.of(fresh(s, "bn-new-4", "Nornor")));
    List<EventInput> shown = List.of(EventInput.impression(KNOWN_USER, T - 30, "bn-new-4"),
        EventInput.impression(KNOWN_USER, T - 20, "bn-new-4"), EventInput.click(KNOWN_USER, T - 15, "bn-new-4"),
        EventInput.impression(KNOWN_USER, T - 10, "bn-new-4"));
    assertEquals(4, s.pipeline().events().record(shown));
    assertEquals(3, s.pipeline().counter("ranker.events.recorded", "type", "impression"));
    assertTrue(s.rank(HERO, List.of("bn-new-4")).isEmpty(), "three impressions today reach the cap of 3");
    InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> s.pipeline().events()
        .record(List.of(EventInput.impression(KNOWN_USER, T, "bn-in-neither"))));
    assertEquals("events[0].impression.banner_id", e.field());
  }

  @Test
  void listingPagesThroughEveryBannerOnce() {
    Setup s = setup();
    List<String> seen = new ArrayList<>();
    String token = "";
    do {
      CatalogService.Page page = s.catalog().list(40, token);
      page.banners().forEach(b -> seen.add(b.id()));
      token = page.nextPageToken();
    } while (!token.isEmpty());
    assertEquals(new ArrayList<>(s.catalog().current().banners().keySet()), seen);
    assertEquals("page_size", assertThrows(InvalidRequestException.class, () -> s.catalog().list(-1, "")).field());
  }

  @Test
  void theSameStoreSeenByTwoServicesAfterARefresh() {
    CatalogStore shared = new MemoryUserStore(UserStateStore.limits(TestSettings.users())).catalog();
    Setup a = setup(shared);
    Setup b = setup(shared);
    a.catalog().upsert(List.of(fresh(a, "bn-new-5", "Vimi")));
    assertNull(b.catalog().banner("bn-new-5"));
    b.catalog().refresh();
    assertNotNull(b.pipeline().registry().current().control().banner("bn-new-5"));
    // A write on the stale replica is redone over the newer version, not lost.
    Setup c = setup(shared);
    a.catalog().upsert(List.of(fresh(a, "bn-new-6", "Vimi")));
    assertEquals(4, c.catalog().upsert(List.of(fresh(c, "bn-new-7", "Vimi"))).version());
    assertNotNull(c.catalog().banner("bn-new-6"));
    assertNotNull(c.catalog().banner("bn-new-7"));
  }
}
