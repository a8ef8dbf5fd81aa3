package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static dev.bannerranker.serving.grpc.GrpcCalls.assertStatus;
import static dev.bannerranker.serving.grpc.GrpcCalls.at;
import static dev.bannerranker.serving.grpc.GrpcCalls.click;
import static dev.bannerranker.serving.grpc.GrpcCalls.impression;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.bannerranker.proto.v1.BannerConversion;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.ProductEvent;
import dev.bannerranker.proto.v1.ProductEventType;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankedBanner;
import dev.bannerranker.proto.v1.RankingReason;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.UserEvent;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.cli.RankCommand;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;

/** The service over a real channel: the contract's RPCs, health, reflection, metrics and the client. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RankingGrpcTest {
  @Inject
  GrpcEmbeddedServer grpcServer;

  @Inject
  EmbeddedServer httpServer;

  @Inject
  AdminListener adminServer;

  ManagedChannel channel;
  ManagedChannel adminChannel;
  RankingServiceGrpc.RankingServiceBlockingStub ranking;

  @BeforeAll
  void connect() {
    channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.getPort()).usePlaintext().build();
    ranking = RankingServiceGrpc.newBlockingStub(channel);
    adminChannel = ManagedChannelBuilder.forAddress("localhost", adminServer.port()).usePlaintext().build();
  }

  @AfterAll
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void rankReturnsPersonalizedBannersWithRequestIdAndModelVersion() {
    RankResponse r = ranking.rank(rank(KNOWN_USER, "home_hero").setNumResults(4).build());
    assertEquals(16, r.getRequestId().length());
    assertEquals(TestBundles.tiny().modelVersion(), r.getModelVersion());
    assertEquals("control", r.getArm());
    assertEquals(4, r.getBannersCount());
    for (RankedBanner b : r.getBannersList()) {
      assertEquals(RankingReason.RANKING_REASON_PERSONALIZED, b.getReason());
      assertTrue(b.getPredictedCtr() > 0 && b.getPredictedCtr() < 1);
      assertEquals(1.0, b.getPropensity());
      assertFalse(b.hasExplanation());
      assertFalse(b.getBrand().isEmpty());
      // The order is explainable: the default ranker.ordering.value is the bid, and score = value x pCTR.
      assertEquals(bid(b.getBannerId()), b.getValue());
      assertEquals(b.getValue() * b.getPredictedCtr(), b.getScore(), 1e-9 * b.getScore());
    }
    assertEquals(4, r.getBannersList().stream().map(RankedBanner::getBrand).distinct().count(), "one per brand");
  }

  private static double bid(String bannerId) {
    return TestBundles.tiny().catalog().stream().filter(c -> c.id().equals(bannerId)).findFirst().orElseThrow().bid();
  }

  @Test
  void unknownUsersGetThePopularFallback() {
    RankResponse r = ranking.rank(rank("someone-new", "home_carousel").setNumResults(3).build());
    assertTrue(r.getBannersList().stream().allMatch(b -> b.getReason() == RankingReason.RANKING_REASON_POPULAR_FALLBACK));
  }

  @Test
  void debugExplainsEachBanner() {
    ranking.recordEvents(RecordEventsRequest.newBuilder().addEvents(UserEvent.newBuilder().setUserId("u-000030")
        .setTimestamp(at(T - 120)).setProductEvent(ProductEvent.newBuilder().setBrand("Nornor").setCategory("jeans")
            .setPriceTier(3).setDwellSeconds(40))).build());
    RankResponse r = ranking.rank(rank("u-000030", "home_hero").setNumResults(3).setDebug(true).build());
    for (RankedBanner b : r.getBannersList()) {
      assertEquals(5, b.getExplanation().getTopWideFeaturesCount());
      assertEquals("Nornor", b.getExplanation().getNearestRecentBrands(0).getBrand());
      assertEquals(1.0, b.getExplanation().getNearestRecentBrands(0).getUserShare(), 1e-6);
    }
  }

  @Test
  void impressionsUpToTheCapRemoveABannerFromTheNextRanking() {
    String user = "u-000010";
    String top = ranking.rank(rank(user, "home_sidebar").build()).getBanners(0).getBannerId();
    RecordEventsRequest.Builder events = RecordEventsRequest.newBuilder();
    IntStream.range(0, 3).forEach(i -> events.addEvents(impression(user, top, T - 300 + i)));
    assertEquals(3, ranking.recordEvents(events.build()).getAcceptedCount());
    List<String> after = ranking.rank(rank(user, "home_sidebar").build()).getBannersList().stream()
        .map(RankedBanner::getBannerId).toList();
    assertFalse(after.contains(top), top + " should be capped");
    assertFalse(after.isEmpty());
  }

  @Test
  void clicksOnABrandRaiseItsBannersPredictedCtr() {
    followTheLastBanner("u-000021", false);
  }

  /**
   * What the homepage backend reports when a shopper follows banners: each click, then the brand's product page a
   * few seconds later (as the demo world's shoppers do). The product views are browsing choices, which move the
   * fold-in taste; clicks alone carry no more about taste than the browsing in this world, and the model learnt
   * that (the test above).
   */
  @Test
  void clickingThroughToABrandLiftsThatBrandsBanners() {
    followTheLastBanner("u-000020", true);
  }

  /**
   * Clicks the last-ranked carousel banner three times, with {@code clickThrough} each click followed by a view of
   * the brand's product in the banner's category; its brand's predicted CTRs must rise, and with click-through its
   * banners must also move up.
   */
  private void followTheLastBanner(String user, boolean clickThrough) {
    RankRequest request = rank(user, "home_carousel").build();
    RankResponse before = ranking.rank(request);
    RankedBanner last = before.getBanners(before.getBannersCount() - 1);
    String category = TestBundles.tiny().catalog().stream().filter(b -> b.id().equals(last.getBannerId()))
        .findFirst().orElseThrow().category();
    RecordEventsRequest.Builder events = RecordEventsRequest.newBuilder();
    for (int i = 0; i < 3; i++) {
      long t = T - 600 + 100 * i;
      events.addEvents(click(user, last.getBannerId(), t));
      if (clickThrough) {
        events.addEvents(UserEvent.newBuilder().setUserId(user).setTimestamp(at(t + 5)).setProductEvent(
            ProductEvent.newBuilder().setType(ProductEventType.PRODUCT_EVENT_TYPE_VIEW).setBrand(last.getBrand())
                .setCategory(category).setPriceTier(2).setDwellSeconds(40f)));
      }
    }
    ranking.recordEvents(events.build());
    assertBrandRose(before, ranking.rank(request), last.getBrand(), clickThrough);
  }

  private static void assertBrandRose(RankResponse before, RankResponse after, String brand, boolean moveUp) {
    Map<String, Double> ctrBefore = ctr(before);
    Map<String, Double> ctrAfter = ctr(after);
    for (String id : brandBanners(before, brand)) {
      assertTrue(ctrAfter.get(id) > ctrBefore.get(id), id + " of " + brand + ": " + ctrBefore.get(id) + " -> "
          + ctrAfter.get(id));
    }
    if (moveUp) {
      assertTrue(bestPosition(after, brand) < bestPosition(before, brand), brand + " should move up");
    }
  }

  private static Map<String, Double> ctr(RankResponse r) {
    Map<String, Double> m = new HashMap<>();
    r.getBannersList().forEach(b -> m.put(b.getBannerId(), b.getPredictedCtr()));
    return m;
  }

  private static List<String> brandBanners(RankResponse r, String brand) {
    return r.getBannersList().stream().filter(b -> b.getBrand().equals(brand)).map(RankedBanner::getBannerId).toList();
  }

  private static int bestPosition(RankResponse r, String brand) {
    for (int i = 0; i < r.getBannersCount(); i++) {
      if (r.getBanners(i).getBrand().equals(brand)) {
        return i;
      }
    }
    return Integer.MAX_VALUE;
  }

  @Test
  void badRequestsAreInvalidArgumentNamingTheField() {
    Map<String, Executable> cases = new java.util.LinkedHashMap<>();
    cases.put("user_id", () -> ranking.rank(rank("", "home_hero").build()));
    cases.put("user_id ", () -> ranking.rank(rank("u".repeat(129), "home_hero").build()));
    cases.put("context.placement", () -> ranking.rank(rank(KNOWN_USER, "home_footer").build()));
    cases.put("context.placement ", () -> ranking.rank(rank(KNOWN_USER, "").build()));
    cases.put("candidate_banner_ids", () -> ranking.rank(rank(KNOWN_USER, "home_hero")
        .addAllCandidateBannerIds(IntStream.range(0, 501).mapToObj(i -> "bn-" + i).toList()).build()));
    cases.put("candidate_banner_ids[1]", () -> ranking.rank(rank(KNOWN_USER, "home_hero")
        .addCandidateBannerIds("bn-00004").addCandidateBannerIds("bn-99999").build()));
    cases.put("num_results", () -> ranking.rank(rank(KNOWN_USER, "home_hero").setNumResults(-1).build()));
    cases.put("context.slot_count", () -> ranking.rank(rank(KNOWN_USER, "home_hero")
        .setContext(rank(KNOWN_USER, "home_hero").getContext().toBuilder().setSlotCount(-3)).build()));
    cases.put("context.timestamp", () -> ranking.rank(rank(KNOWN_USER, "home_hero")
        .setContext(rank(KNOWN_USER, "home_hero").getContext().toBuilder()
            .setTimestamp(Timestamp.newBuilder().setSeconds(1).setNanos(-5))).build()));
    cases.put("events[0].user_id", () -> ranking.recordEvents(RecordEventsRequest.newBuilder()
        .addEvents(impression("", "bn-00004", T)).build()));
    cases.put("events[1].impression.banner_id", () -> ranking.recordEvents(RecordEventsRequest.newBuilder()
        .addEvents(impression("u-000040", "bn-00004", T)).addEvents(impression("u-000040", "bn-nope", T)).build()));
    cases.put("events[0] must set", () -> ranking.recordEvents(RecordEventsRequest.newBuilder()
        .addEvents(UserEvent.newBuilder().setUserId("u-000040")).build()));
    cases.put("events[0].product_event.dwell_seconds", () -> ranking.recordEvents(RecordEventsRequest.newBuilder()
        .addEvents(UserEvent.newBuilder().setUserId("u-000040").setProductEvent(ProductEvent.newBuilder()
            .setBrand("Nornor").setCategory("jeans").setDwellSeconds(-1))).build()));
    cases.put("events[1].conversion.banner_id", () -> ranking.recordEvents(RecordEventsRequest.newBuilder()
        .addEvents(impression("u-000040", "bn-00004", T)).addEvents(UserEvent.newBuilder().setUserId("u-000040")
            .setConversion(BannerConversion.newBuilder().setBannerId("bn-nope").setRequestId("r1"))).build()));
    cases.forEach((field, call) -> assertStatus(Status.Code.INVALID_ARGUMENT, field.trim(), call));
  }

  @Test
  void deadlinesAreHonoured() {
    assertStatus(Status.Code.DEADLINE_EXCEEDED, "",
        () -> ranking.withDeadlineAfter(-1, TimeUnit.MILLISECONDS).rank(rank(KNOWN_USER, "home_hero").build()));
    RankResponse r = ranking.withDeadlineAfter(20, TimeUnit.SECONDS).rank(rank(KNOWN_USER, "home_hero").build());
    assertEquals(RankingReason.RANKING_REASON_PERSONALIZED, r.getBanners(0).getReason());
  }

  @Test
  void healthIsServingForTheServerAndTheRankingService() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    for (String service : List.of("", RankingServiceGrpc.SERVICE_NAME, ModelAdminServiceGrpc.SERVICE_NAME)) {
      assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder().setService(service).build())
          .getStatus(), service);
    }
  }

  /** Each listener's reflection lists its own services: the admin services only on the admin listener. */
  @Test
  void reflectionListsTheServicesOfEachListener() throws Exception {
    Set<String> main = reflectedServices(channel);
    assertTrue(main.containsAll(Set.of(RankingServiceGrpc.SERVICE_NAME, HealthGrpc.SERVICE_NAME)), main.toString());
    assertFalse(main.contains(ModelAdminServiceGrpc.SERVICE_NAME), main.toString());
    Set<String> admin = reflectedServices(adminChannel);
    assertTrue(admin.containsAll(Set.of(ModelAdminServiceGrpc.SERVICE_NAME, HealthGrpc.SERVICE_NAME)), admin.toString());
    assertFalse(admin.contains(RankingServiceGrpc.SERVICE_NAME), admin.toString());
  }

  private static Set<String> reflectedServices(ManagedChannel channel) throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel).serverReflectionInfo(GrpcCalls.into(answer));
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    Set<String> services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).collect(Collectors.toSet());
    requests.onCompleted();
    return services;
  }

  /** Admin RPCs are served on the admin listener, bound to loopback, and not on the main one. */
  @Test
  void adminRpcsAreOnTheAdminListenerOnly() {
    GetModelStatusRequest request = GetModelStatusRequest.getDefaultInstance();
    assertStatus(Status.Code.UNIMPLEMENTED, "", () -> ModelAdminServiceGrpc.newBlockingStub(channel)
        .getModelStatus(request));
    assertEquals(2, ModelAdminServiceGrpc.newBlockingStub(adminChannel).getModelStatus(request).getArmsCount());
    assertStatus(Status.Code.UNIMPLEMENTED, "", () -> RankingServiceGrpc.newBlockingStub(adminChannel)
        .rank(rank(KNOWN_USER, "home_hero").build()));
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(adminChannel)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus());
    assertTrue(adminServer.listenAddresses().stream().allMatch(a -> a.getAddress().isLoopbackAddress()),
        adminServer.listenAddresses().toString());
  }

  @Test
  void prometheusShowsTheServiceMetricsAfterARankCall() throws Exception {
    ranking.rank(rank(KNOWN_USER, "home_hero").build());
    String text = GrpcCalls.get(httpServer.getPort(), "/prometheus");
    for (String name : List.of("grpc_server_processing_duration_seconds_bucket{",
        "statusCode=\"OK\"", "ranker_stage_duration_seconds_bucket{", "stage=\"scoring\"", "stage=\"user_state\"",
        "stage=\"eligibility\"", "stage=\"ordering\"", "ranker_rank_candidates_bucket{", "cache_gets_total{",
        "cache=\"ranker.users\"", "ranker_fallbacks_total{", "ranker_explorations_total",
        "ranker_model_info{arm=\"control\",model_version=\"" + TestBundles.tiny().modelVersion() + "\"}",
        "ranker_rank_responses_total{", "ranker_model_reloads_total{")) {
      assertTrue(text.contains(name), name + " missing from /prometheus");
    }
    assertTrue(GrpcCalls.get(httpServer.getPort(), "/health").contains("UP"));
  }

  @Test
  void modelStatusReportsTheServingVersion() {
    var status = ModelAdminServiceGrpc.newBlockingStub(adminChannel).getModelStatus(GetModelStatusRequest.getDefaultInstance());
    assertEquals(TestBundles.tiny().modelVersion(), status.getArms(0).getModelVersion());
    assertEquals("", status.getArms(1).getModelVersion());
  }

  @Test
  void theRankClientPrintsTheRankingOrTheStatusAndExitsNonZeroOnError() {
    String target = "localhost:" + grpcServer.getPort();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine ok = new CommandLine(new RankCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    assertEquals(0, ok.execute("--target", target, "--user", KNOWN_USER, "--placement", "home_hero", "--debug"));
    assertTrue(out.toString().contains("model " + TestBundles.tiny().modelVersion()), out.toString());
    assertTrue(out.toString().contains("personalized"), out.toString());
    assertTrue(out.toString().contains("wide:"), out.toString());

    StringWriter err2 = new StringWriter();
    CommandLine bad = new CommandLine(new RankCommand()).setOut(new PrintWriter(new StringWriter()))
        .setErr(new PrintWriter(err2));
    assertEquals(1, bad.execute("--target", target, "--user", KNOWN_USER, "--placement", "home_footer"));
    assertTrue(err2.toString().startsWith("error: INVALID_ARGUMENT: context.placement 'home_footer'"), err2.toString());
  }

  /** Runs {@code rank} with {@code args}; returns the exit code, stdout and stderr. */
  static String[] rankClient(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new RankCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
        .execute(args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void theRankClientShowsTheValueAndPctrThatMakeTheScore() {
    String[] run = rankClient("--target", "localhost:" + grpcServer.getPort(), "--user", KNOWN_USER, "--placement",
        "home_carousel", "--time", "2026-03-10T12:00:00Z", "--results", "5");
    assertEquals("0", run[0], run[2]);
    List<String> lines = run[1].lines().toList();
    List<String> header = List.of(lines.get(1).trim().split("\\s+"));
    int value = header.indexOf("value");
    int pctr = header.indexOf("pCTR");
    int score = header.indexOf("score");
    assertTrue(value >= 0 && pctr >= 0 && score >= 0, header.toString());
    List<String> rows = lines.subList(2, lines.size());
    assertEquals(5, rows.size(), run[1]);
    for (String row : rows) {
      // Numbers from the right: a brand name may hold spaces.
      String[] cells = row.trim().split("\\s+");
      double v = Double.parseDouble(cells[cells.length - header.size() + value]);
      double p = Double.parseDouble(cells[cells.length - header.size() + pctr]);
      double sc = Double.parseDouble(cells[cells.length - header.size() + score]);
      assertEquals(bid(cells[1]), v, 5e-4, row);
      // The printed figures are rounded; their product is the printed score to that precision.
      assertEquals(sc, v * p, 1e-5 * (v + 1), row);
    }
  }

  @Test
  void anEmptyRankingExitsZeroWithAHintOnStderr() {
    long later = java.time.Instant.parse("2035-01-01T00:00:00Z").getEpochSecond();
    assertEquals(0, ranking.rank(rank(KNOWN_USER, "home_hero").setContext(rank(KNOWN_USER, "home_hero").getContext()
        .toBuilder().setTimestamp(at(later))).build()).getBannersCount(), "no flight runs in 2035");
    String[] run = rankClient("--target", "localhost:" + grpcServer.getPort(), "--user", KNOWN_USER, "--time",
        "2035-01-01T00:00:00Z");
    assertEquals("0", run[0], run[2]);
    assertTrue(run[2].contains("--time"), "the hint names the option that sets the time: " + run[2]);
  }

  @Test
  void aTargetWithNoServiceIsUnavailableNamingTheTarget() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // free once closed
    }
    String target = "localhost:" + port;
    String[] run = rankClient("--target", target, "--user", KNOWN_USER);
    assertEquals("1", run[0]);
    assertTrue(run[2].startsWith("error: UNAVAILABLE"), run[2]);
    assertTrue(run[2].contains(target), run[2]);
  }

  @Test
  void eventsWithoutTimestampUseTheServerClock() {
    List<UserEvent> events = new ArrayList<>();
    events.add(UserEvent.newBuilder().setUserId("u-000050").setProductEvent(ProductEvent.newBuilder()
        .setBrand("Nornor").setCategory("jeans")).build());
    assertEquals(1, ranking.recordEvents(RecordEventsRequest.newBuilder().addAllEvents(events).build())
        .getAcceptedCount());
  }
}
