package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.grpc.GrpcCalls.impression;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.CatalogAdminServiceGrpc;
import dev.bannerranker.proto.v1.CatalogBanner;
import dev.bannerranker.proto.v1.GetBannerRequest;
import dev.bannerranker.proto.v1.GetPlacementRulesRequest;
import dev.bannerranker.proto.v1.ListBannersRequest;
import dev.bannerranker.proto.v1.ListBannersResponse;
import dev.bannerranker.proto.v1.RankedBanner;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.SetPlacementRulesRequest;
import dev.bannerranker.proto.v1.UpsertBannersRequest;
import dev.bannerranker.proto.v1.UpsertBannersResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CatalogAdminService over a real channel, with the admin token, against the whole service. */
class CatalogAdminGrpcTest {
  private static final String ADMIN = "catalog-admin-secret";

  private ApplicationContext ctx;
  private ManagedChannel channel;
  private ManagedChannel adminChannel;
  private CatalogAdminServiceGrpc.CatalogAdminServiceBlockingStub admin;
  private RankingServiceGrpc.RankingServiceBlockingStub ranking;

  @BeforeEach
  void start() {
    ctx = ApplicationContext.run(Map.of("ranker.security.admin-token", ADMIN), "test");
    int port = ctx.getBean(GrpcEmbeddedServer.class).getPort();
    channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    adminChannel = ManagedChannelBuilder.forAddress("localhost", ctx.getBean(AdminListener.class).port())
        .usePlaintext().build();
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + ADMIN);
    admin = CatalogAdminServiceGrpc.newBlockingStub(adminChannel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    ranking = RankingServiceGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ctx.close();
  }

  static CatalogBanner.Builder banner(String id, String brand) {
    return CatalogBanner.newBuilder().setBannerId(id).setBrand(brand).setCategory("jeans").setPlacement("home_hero")
        .setCreativeFormat("image").setCreativeColor("vivid").setDiscountPct(10).setCampaignId("cmp-0002")
        .setPriceTier(2).setStartTime("2026-03-01T00:00:00Z").setEndTime("2026-04-01T00:00:00Z").setBid(1.5)
        .setPriority(1);
  }

  private List<RankedBanner> rankHero(List<String> candidates) {
    return ranking.rank(rank(KNOWN_USER, "home_hero").addAllCandidateBannerIds(candidates).build()).getBannersList();
  }

  @Test
  void theAdminTokenGuardsTheCatalog() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> CatalogAdminServiceGrpc.newBlockingStub(adminChannel).listBanners(ListBannersRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertTrue(admin.listBanners(ListBannersRequest.getDefaultInstance()).getBannersCount() > 0);
  }

  @Test
  void anUpsertedBannerIsRankedPausedAndReadBack() {
    UpsertBannersResponse r = admin.upsertBanners(UpsertBannersRequest.newBuilder()
        .addBanners(banner("bn-live-1", "Vimi").addTargetGenders("F").addTargetCityTiers(1)).build());
    assertEquals(2, r.getCatalogVersion());
    assertEquals(1, r.getCreated());
    List<RankedBanner> ranked = rankHero(List.of("bn-live-1"));
    assertEquals(1, ranked.size());
    assertTrue(ranked.get(0).getPredictedCtr() > 0 && ranked.get(0).getPredictedCtr() < 1);
    CatalogBanner read = admin.getBanner(GetBannerRequest.newBuilder().setBannerId("bn-live-1").build()).getBanner();
    assertEquals(banner("bn-live-1", "Vimi").addTargetGenders("F").addTargetCityTiers(1).build(), read);

    admin.upsertBanners(UpsertBannersRequest.newBuilder().addBanners(read.toBuilder().setPaused(true)).build());
    assertTrue(rankHero(List.of("bn-live-1")).isEmpty());
    // Events of a banner the model never saw are accepted.
    assertEquals(1, ranking.recordEvents(RecordEventsRequest.newBuilder()
        .addEvents(impression(KNOWN_USER, "bn-live-1", dev.bannerranker.serving.TestBundles.T)).build())
        .getAcceptedCount());

    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
    assertEquals(3, meters.find("ranker.catalog.version").gauge().value());
    assertEquals(1, meters.find("ranker.catalog.changes").tag("type", "create").counter().count());
    assertEquals(1, meters.find("ranker.catalog.changes").tag("type", "replace").counter().count());
    assertEquals(1, meters.find("ranker.catalog.banners").tag("status", "paused").gauge().value());
  }

  @Test
  void aBadFieldIsInvalidArgumentNamingFieldAndBannerAndNothingApplies() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> admin.upsertBanners(
        UpsertBannersRequest.newBuilder().addBanners(banner("bn-ok", "Vimi"))
            .addBanners(banner("bn-bad", "Vimi").setPriceTier(0)).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    String message = e.getStatus().getDescription();
    assertTrue(message.startsWith("banners[1].price_tier"), message);
    assertTrue(message.contains("bn-bad"), message);
    StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
        () -> admin.getBanner(GetBannerRequest.newBuilder().setBannerId("bn-ok").build()));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    StatusRuntimeException huge = assertThrows(StatusRuntimeException.class, () -> admin.upsertBanners(
        UpsertBannersRequest.newBuilder().addBanners(banner("x".repeat(100_000), "Vimi")).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, huge.getStatus().getCode());
    assertTrue(huge.getStatus().getDescription().length() < 400, "client text is cut");
  }

  @Test
  void aBidPerConversionIsStoredReadBackClearedAndChecked() {
    admin.upsertBanners(UpsertBannersRequest.newBuilder()
        .addBanners(banner("bn-cpa-1", "Vimi").setBidPerConversion(12.5))
        .addBanners(banner("bn-cpc-1", "Vimi")).build());
    CatalogBanner cpa = admin.getBanner(GetBannerRequest.newBuilder().setBannerId("bn-cpa-1").build()).getBanner();
    assertTrue(cpa.hasBidPerConversion());
    assertEquals(12.5, cpa.getBidPerConversion());
    assertEquals(banner("bn-cpa-1", "Vimi").setBidPerConversion(12.5).build(), cpa);
    assertFalse(admin.getBanner(GetBannerRequest.newBuilder().setBannerId("bn-cpc-1").build()).getBanner()
        .hasBidPerConversion(), "a banner bid per click only reads back without one");
    assertEquals(12.5, ctx.getBean(dev.bannerranker.serving.catalog.CatalogService.class).banner("bn-cpa-1").banner()
        .bidPerConversion());

    // Replacing the banner whole without the field clears it.
    admin.upsertBanners(UpsertBannersRequest.newBuilder().addBanners(cpa.toBuilder().clearBidPerConversion()).build());
    assertFalse(admin.getBanner(GetBannerRequest.newBuilder().setBannerId("bn-cpa-1").build()).getBanner()
        .hasBidPerConversion());

    long version = admin.listBanners(ListBannersRequest.getDefaultInstance()).getCatalogVersion();
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY, 1e12}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> admin.upsertBanners(
          UpsertBannersRequest.newBuilder().addBanners(banner("bn-cpa-2", "Vimi").setBidPerConversion(3))
              .addBanners(banner("bn-cpa-3", "Vimi").setBidPerConversion(bad)).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), Double.toString(bad));
      String message = e.getStatus().getDescription();
      assertTrue(message.startsWith("banners[1].bid_per_conversion"), message);
      assertTrue(message.contains("bn-cpa-3"), message);
      assertEquals(version, admin.listBanners(ListBannersRequest.getDefaultInstance()).getCatalogVersion(),
          "nothing of the call applies");
    }
  }

  @Test
  void pagesAndPlacementRules() {
    int total = 0;
    String token = "";
    do {
      ListBannersResponse page = admin.listBanners(ListBannersRequest.newBuilder().setPageSize(64)
          .setPageToken(token).build());
      total += page.getBannersCount();
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertEquals(dev.bannerranker.serving.TestBundles.tiny().catalog().size(), total);

    List<String> hero = rankHero(List.of()).stream().map(RankedBanner::getBannerId).toList();
    String pin = hero.get(hero.size() - 1);
    assertEquals(2, admin.setPlacementRules(SetPlacementRulesRequest.newBuilder().setPlacement("home_hero")
        .addPinnedBannerIds(pin).addBlockedBannerIds(hero.get(0)).build()).getCatalogVersion());
    List<String> after = rankHero(List.of()).stream().map(RankedBanner::getBannerId).toList();
    assertEquals(pin, after.get(0));
    assertFalse(after.contains(hero.get(0)));
    var rules = admin.getPlacementRules(GetPlacementRulesRequest.newBuilder().setPlacement("home_hero").build());
    assertEquals(List.of(pin), rules.getPinnedBannerIdsList());
    assertTrue(rules.getSetAtRunTime());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> admin.setPlacementRules(
        SetPlacementRulesRequest.newBuilder().setPlacement("home_hero").addBlockedBannerIds("bn-nope").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("blocked_banner_ids[0]"));
  }
}
