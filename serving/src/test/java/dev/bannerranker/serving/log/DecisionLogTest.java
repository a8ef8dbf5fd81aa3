package dev.bannerranker.serving.log;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Platform;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestSettings;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.OrderingSettings.Diversity;
import dev.bannerranker.serving.config.OrderingSettings.Policy;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.Budget;
import dev.bannerranker.serving.ranking.Eligibility;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.EventRecorder;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import dev.bannerranker.serving.ranking.Ordering;
import dev.bannerranker.serving.ranking.RankQuery;
import dev.bannerranker.serving.ranking.RankResult;
import dev.bannerranker.serving.ranking.RankedItem;
import dev.bannerranker.serving.ranking.RankingService;
import dev.bannerranker.serving.users.ProfileStore;
import dev.bannerranker.serving.users.UserStateStore;
import dev.bannerranker.servinglog.ClickRecord;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.ImpressionRecord;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ConversionRecord;
import dev.bannerranker.servinglog.ProductEventRecord;
import dev.bannerranker.servinglog.ProfileRecord;
import dev.bannerranker.servinglog.ServingLogReader;
import dev.bannerranker.servinglog.StartRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline, without gRPC, writing the serving log: what each record holds. */
class DecisionLogTest {
  @TempDir Path dir;

  record Logged(ModelRegistry registry, RankingService ranking, EventRecorder events, ServingLog log,
      SimpleMeterRegistry meters) {}

  Logged pipeline(OrderingSettings ordering, RequestSettings request) throws IOException {
    return pipeline(ordering, request, TestBundles.TINY);
  }

  Logged pipeline(OrderingSettings ordering, RequestSettings request, Path bundle) throws IOException {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RankerMetrics metrics = new RankerMetrics(meters);
    ServingLog log = new ServingLog(new LogSettings(dir.toString(), null, null, null, null), request, meters,
        Clock.systemUTC(), "test-version");
    ModelRegistry registry = new ModelRegistry(0, "test");
    registry.addListener(metrics);
    registry.addListener(log);
    try {
      registry.load(Arm.CONTROL, bundle);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    UserStateStore users = new UserStateStore(TestSettings.users(), ProfileStore.load(TestBundles.USERS, false, 64));
    RankingService ranking = new RankingService(registry, users,
        new Eligibility(TestSettings.eligibility(3, List.of(), List.of())), new Ordering(ordering), metrics, request,
        ordering, log);
    return new Logged(registry, ranking, new EventRecorder(registry, users, metrics, request, log), log, meters);
  }

  List<LogRecord> read() throws IOException {
    List<LogRecord> out = new ArrayList<>();
    ServingLogReader.Summary s = ServingLogReader.read(dir, (r, f, l) -> out.add(r));
    assertEquals(List.of(), s.badLines());
    return out;
  }

  @Test
  void everyRankAppendsItsDecisionWithEachBannerAndItsPropensity() throws IOException {
    OrderingSettings ordering = TestSettings.ordering(Diversity.MAX_PER_BRAND, 0.05)
        .withPolicy(Policy.EPSILON_GREEDY, 0.2, 1, 2);
    Logged p = pipeline(ordering, TestSettings.request());
    RankQuery q = new RankQuery(KNOWN_USER, "home_carousel", Platform.IOS, 4, "en-GB", T, List.of(), 0, false,
        Budget.unbounded());
    RankResult r = p.ranking().rank(q);
    RankResult cold = p.ranking().rank(new RankQuery("nobody", "home_hero", null, 0, "", T, List.of(), 3, false,
        Budget.unbounded()));
    p.log().close();

    List<LogRecord> records = read();
    StartRecord start = (StartRecord) records.get(0);
    assertEquals("test-version", start.serviceVersion());
    assertTrue(Files.isRegularFile(dir.resolve(start.catalog())));
    assertArrayEquals(Files.readAllBytes(TestBundles.TINY.resolve(Bundle.BANNERS)),
        Files.readAllBytes(dir.resolve(start.catalog())), "the catalog snapshot is a byte copy");

    List<DecisionRecord> decisions = records.stream().filter(x -> x instanceof DecisionRecord)
        .map(x -> (DecisionRecord) x).toList();
    assertEquals(2, decisions.size());
    DecisionRecord d = decisions.get(0);
    assertEquals(r.requestId(), d.requestId());
    assertEquals(Instant.ofEpochSecond(T), d.time());
    assertEquals(KNOWN_USER, d.userId());
    assertEquals("home_carousel", d.placement());
    assertEquals("ios", d.platform());
    assertEquals("control", d.arm());
    assertEquals(r.modelVersion(), d.modelVersion());
    assertEquals(start.catalog(), d.catalog());
    assertEquals("personalized", d.path());
    assertEquals("epsilon_greedy", d.policy());
    assertEquals(4, d.slotCount());
    assertEquals(r.banners().size(), d.banners().size());
    for (int i = 0; i < r.banners().size(); i++) {
      RankedItem item = r.banners().get(i);
      DecisionRecord.LoggedBanner b = d.banners().get(i);
      assertEquals(item.bannerId(), b.bannerId());
      assertEquals(i + 1, b.position());
      assertEquals((float) item.score(), (float) b.score(), "scores are logged at float precision");
      assertEquals((float) item.predictedCtr(), (float) b.predictedCtr());
      assertEquals(item.reason().name().toLowerCase(), b.reason());
      assertEquals(item.propensity(), b.propensity());
      assertFalse(b.hasPredictedCvr(), "a click model predicts no conversions");
    }
    assertTrue(d.banners().get(0).propensity() < 1, "the first position is drawn by the policy");

    DecisionRecord c = decisions.get(1);
    assertEquals("cold_start", c.path());
    assertNull(c.platform());
    assertEquals(cold.requestId(), c.requestId());

    List<ProfileRecord> profiles = records.stream().filter(x -> x instanceof ProfileRecord)
        .map(x -> (ProfileRecord) x).toList();
    assertEquals(2, profiles.size(), "each user's profile once");
    assertEquals(new ProfileRecord(Instant.ofEpochSecond(T), KNOWN_USER, "F", "55+", 1), profiles.get(0));
    assertEquals("U", profiles.get(1).gender());
  }

  @Test
  void aConversionModelsDecisionLogsEachBannersPredictedCvr(@TempDir Path bundles) throws IOException {
    Logged p = pipeline(TestSettings.ordering(Diversity.NONE, 0), TestSettings.request(),
        TestBundles.withConversion(bundles.resolve("cvr")));
    RankResult r = p.ranking().rank(new RankQuery(KNOWN_USER, "home_carousel", Platform.WEB, 4, "en-GB", T,
        List.of(), 0, false, Budget.unbounded()));
    p.log().close();
    DecisionRecord d = read().stream().filter(x -> x instanceof DecisionRecord).map(x -> (DecisionRecord) x)
        .findFirst().orElseThrow();
    assertEquals(r.banners().size(), d.banners().size());
    assertFalse(r.banners().isEmpty());
    for (int i = 0; i < r.banners().size(); i++) {
      double cvr = r.banners().get(i).predictedCvr();
      assertTrue(cvr > 0 && cvr < 1, "pCVR " + cvr);
      assertEquals((float) cvr, (float) d.banners().get(i).predictedCvr(), "logged at float precision");
    }
  }

  @Test
  void aProfileIsLoggedOncePerProcessUntilItChanges() throws IOException {
    Logged p = pipeline(TestSettings.ordering(Diversity.MAX_PER_BRAND, 0), TestSettings.request());
    for (int i = 0; i < 5; i++) {
      p.ranking().rank(new RankQuery(KNOWN_USER, "home_hero", Platform.WEB, 0, "", T, List.of(), 3, false,
          Budget.unbounded()));
    }
    p.log().close();
    List<LogRecord> records = read();
    assertEquals(5, records.stream().filter(x -> x instanceof DecisionRecord).count());
    assertEquals(1, records.stream().filter(x -> x instanceof ProfileRecord).count());
  }

  @Test
  void everyAppliedEventIsLoggedWithItsRequestIdAndPosition() throws IOException {
    Logged p = pipeline(TestSettings.ordering(Diversity.MAX_PER_BRAND, 0), TestSettings.request());
    String banner = TestBundles.generation().banners("home_hero").get(0).banner().id();
    p.events().record(List.of(
        EventInput.impression(KNOWN_USER, T, banner, "abc123", 2),
        EventInput.impression(KNOWN_USER, T + 1, banner),
        EventInput.click(KNOWN_USER, T + 2, banner, "abc123"),
        EventInput.product(KNOWN_USER, T + 3, EventType.ADD_TO_CART, "Kadi", "dresses", 0, 12.5f),
        EventInput.product(KNOWN_USER, null, EventType.PURCHASE, "Kadi", "dresses", 3, 0f)));
    // A rejected batch logs nothing.
    assertThrows(InvalidRequestException.class, () -> p.events().record(List.of(
        EventInput.impression(KNOWN_USER, T, banner, "r", 1), EventInput.impression(KNOWN_USER, T, banner, "r", -1))));
    p.log().close();
    List<LogRecord> events = read().stream()
        .filter(x -> !(x instanceof StartRecord) && !(x instanceof ProfileRecord)).toList();
    Instant t = Instant.ofEpochSecond(T);
    assertEquals(List.of(
        new ImpressionRecord(t, KNOWN_USER, banner, "abc123", 2),
        new ImpressionRecord(t.plusSeconds(1), KNOWN_USER, banner, null, null),
        new ClickRecord(t.plusSeconds(2), KNOWN_USER, banner, "abc123"),
        new ProductEventRecord(t.plusSeconds(3), KNOWN_USER, "add_to_cart", "Kadi", "dresses", null, 12.5),
        // No timestamp: the configured default time of the test settings.
        new ProductEventRecord(Instant.parse("2026-03-10T12:00:00Z"), KNOWN_USER, "purchase", "Kadi", "dresses", 3,
            0.0)), events);
  }

  @Test
  void aConversionIsLoggedWithItsBannerAndRequestId() throws IOException {
    Logged p = pipeline(TestSettings.ordering(Diversity.MAX_PER_BRAND, 0), TestSettings.request());
    String banner = TestBundles.generation().banners("home_hero").get(0).banner().id();
    p.events().record(List.of(EventInput.click(KNOWN_USER, T, banner, "abc123"),
        EventInput.conversion(KNOWN_USER, T + 600, banner, "abc123"),
        EventInput.conversion(KNOWN_USER, T + 700, banner, "")));
    // A rejected batch logs nothing: its valid conversion neither.
    assertThrows(InvalidRequestException.class, () -> p.events().record(List.of(
        EventInput.conversion(KNOWN_USER, T + 800, banner, "r"), EventInput.conversion(KNOWN_USER, T, "bn-nope", ""))));
    p.log().close();
    Instant t = Instant.ofEpochSecond(T);
    assertEquals(List.of(new ConversionRecord(t.plusSeconds(600), KNOWN_USER, banner, "abc123"),
        new ConversionRecord(t.plusSeconds(700), KNOWN_USER, banner, null)),
        read().stream().filter(x -> x instanceof ConversionRecord).toList());
  }

  @Test
  void theProfileOfAUserWhoOnlySendsEventsIsLoggedOnceBeforeTheirEvents() throws IOException {
    Logged p = pipeline(TestSettings.ordering(Diversity.MAX_PER_BRAND, 0), TestSettings.request());
    String banner = TestBundles.generation().banners("home_hero").get(0).banner().id();
    p.events().record(List.of(EventInput.impression(KNOWN_USER, T, banner, "r1", 1),
        EventInput.product("nobody", T, EventType.VIEW, "Kadi", "dresses", 0, 1f)));
    p.events().record(List.of(EventInput.click(KNOWN_USER, T + 5, banner, "r1")));
    p.ranking().rank(new RankQuery(KNOWN_USER, "home_hero", Platform.WEB, 0, "", T + 10, List.of(), 3, false,
        Budget.unbounded()));
    p.log().close();
    List<LogRecord> records = read();
    List<ProfileRecord> profiles = records.stream().filter(x -> x instanceof ProfileRecord)
        .map(x -> (ProfileRecord) x).toList();
    // The known user's profile once (neither the second batch nor the Rank repeats it); none for a user with none.
    assertEquals(List.of(new ProfileRecord(Instant.ofEpochSecond(T), KNOWN_USER, "F", "55+", 1)), profiles);
    assertTrue(records.indexOf(profiles.get(0)) < records.indexOf(records.stream()
        .filter(x -> x instanceof ImpressionRecord).findFirst().orElseThrow()), "the profile precedes the events");
  }

  @Test
  void aTooLongRequestIdIsRejectedNamingTheField() throws IOException {
    Logged p = pipeline(TestSettings.ordering(Diversity.MAX_PER_BRAND, 0), TestSettings.request());
    String banner = TestBundles.generation().banners("home_hero").get(0).banner().id();
    InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> p.events().record(List.of(
        EventInput.click(KNOWN_USER, T, banner, "x".repeat(129)))));
    assertEquals("events[0].click.request_id", e.field());
    p.log().close();
  }

  @Test
  void aDecisionNamesTheLiveCatalogVersionAndItsSnapshotHoldsTheNewBanner() throws IOException {
    OrderingSettings ordering = TestSettings.ordering(Diversity.MAX_PER_BRAND, 0);
    Logged p = pipeline(ordering, TestSettings.request());
    var catalog = new dev.bannerranker.serving.catalog.CatalogService(p.registry(),
        new dev.bannerranker.serving.store.MemoryUserStore(UserStateStore.limits(TestSettings.users())).catalog(),
        dev.bannerranker.serving.catalog.PlacementRules.NONE, null, () -> T, false, java.time.Duration.ZERO);
    var template = new java.util.HashMap<>(dev.bannerranker.data.BannerCsv.cellMap(
        TestBundles.tiny().catalog().stream().filter(b -> b.placement().equals("home_hero")).findFirst().orElseThrow()));
    template.putAll(java.util.Map.of("banner_id", "bn-logged-new", "start_time", "2026-03-01T00:00:00Z", "end_time",
        "2026-04-01T00:00:00Z", "target_genders", "", "target_age_bands", "", "target_city_tiers", ""));
    long version = catalog.upsert(List.of(new dev.bannerranker.serving.catalog.BannerInput(template, false)))
        .version();
    p.ranking().rank(new RankQuery(KNOWN_USER, "home_hero", Platform.WEB, 1, "en-GB", T, List.of("bn-logged-new"), 0,
        false, Budget.unbounded()));
    p.log().close();
    DecisionRecord d = read().stream().filter(r -> r instanceof DecisionRecord).map(r -> (DecisionRecord) r)
        .findFirst().orElseThrow();
    assertEquals(version, d.catalogVersion());
    assertEquals("bn-logged-new", d.banners().get(0).bannerId());
    String snapshot = Files.readString(dir.resolve(d.catalog()));
    assertTrue(snapshot.contains("bn-logged-new"), "the export finds the banner no bundle has");
  }
}
