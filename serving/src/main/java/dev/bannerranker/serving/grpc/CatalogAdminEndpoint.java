package dev.bannerranker.serving.grpc;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.proto.v1.CatalogAdminServiceGrpc;
import dev.bannerranker.proto.v1.CatalogBanner;
import dev.bannerranker.proto.v1.GetBannerRequest;
import dev.bannerranker.proto.v1.GetBannerResponse;
import dev.bannerranker.proto.v1.GetPlacementRulesRequest;
import dev.bannerranker.proto.v1.GetPlacementRulesResponse;
import dev.bannerranker.proto.v1.ListBannersRequest;
import dev.bannerranker.proto.v1.ListBannersResponse;
import dev.bannerranker.proto.v1.SetPlacementRulesRequest;
import dev.bannerranker.proto.v1.SetPlacementRulesResponse;
import dev.bannerranker.proto.v1.UpsertBannersRequest;
import dev.bannerranker.proto.v1.UpsertBannersResponse;
import dev.bannerranker.serving.catalog.BannerInput;
import dev.bannerranker.serving.catalog.CatalogService;
import dev.bannerranker.serving.catalog.LiveBanner;
import dev.bannerranker.serving.security.ClientText;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The CatalogAdminService RPCs: proto to and from the {@link CatalogService} domain, nothing more. */
@Singleton
public class CatalogAdminEndpoint extends CatalogAdminServiceGrpc.CatalogAdminServiceImplBase {
  private final CatalogService catalog;

  public CatalogAdminEndpoint(CatalogService catalog) {
    this.catalog = catalog;
  }

  /** UpsertBanners: creates or replaces the banners whole, all or none; INVALID_ARGUMENT names field and banner. */
  @Override
  public void upsertBanners(UpsertBannersRequest request, StreamObserver<UpsertBannersResponse> observer) {
    GrpcErrors.unary("UpsertBanners", observer, () -> {
      List<BannerInput> inputs = new ArrayList<>(request.getBannersCount());
      request.getBannersList().forEach(b -> inputs.add(input(b)));
      CatalogService.Upserted u = catalog.upsert(inputs);
      return UpsertBannersResponse.newBuilder().setCatalogVersion(u.version()).setCreated(u.created())
          .setReplaced(u.replaced()).build();
    });
  }

  /** GetBanner: one banner, or NOT_FOUND. */
  @Override
  public void getBanner(GetBannerRequest request, StreamObserver<GetBannerResponse> observer) {
    GrpcErrors.unary("GetBanner", observer, () -> {
      long version = catalog.current() == null ? 0 : catalog.current().version();
      LiveBanner b = catalog.banner(request.getBannerId());
      if (b == null) {
        throw Status.NOT_FOUND.withDescription("banner_id " + ClientText.quote(request.getBannerId())
            + " is not in the catalog").asRuntimeException();
      }
      return GetBannerResponse.newBuilder().setBanner(proto(b)).setCatalogVersion(version).build();
    });
  }

  /** ListBanners: a page of banners in id order. */
  @Override
  public void listBanners(ListBannersRequest request, StreamObserver<ListBannersResponse> observer) {
    GrpcErrors.unary("ListBanners", observer, () -> {
      CatalogService.Page page = catalog.list(request.getPageSize(), request.getPageToken());
      ListBannersResponse.Builder out = ListBannersResponse.newBuilder().setNextPageToken(page.nextPageToken())
          .setCatalogVersion(page.version());
      page.banners().forEach(b -> out.addBanners(proto(b)));
      return out.build();
    });
  }

  /** SetPlacementRules: replaces one placement's pinned and blocked banners. */
  @Override
  public void setPlacementRules(SetPlacementRulesRequest request,
      StreamObserver<SetPlacementRulesResponse> observer) {
    GrpcErrors.unary("SetPlacementRules", observer, () -> SetPlacementRulesResponse.newBuilder()
        .setCatalogVersion(catalog.setRules(request.getPlacement(), request.getPinnedBannerIdsList(),
            request.getBlockedBannerIdsList()))
        .build());
  }

  /** GetPlacementRules: one placement's rules now. */
  @Override
  public void getPlacementRules(GetPlacementRulesRequest request,
      StreamObserver<GetPlacementRulesResponse> observer) {
    GrpcErrors.unary("GetPlacementRules", observer, () -> {
      CatalogService.Rules r = catalog.rules(request.getPlacement());
      return GetPlacementRulesResponse.newBuilder().addAllPinnedBannerIds(r.rules().pinned())
          .addAllBlockedBannerIds(r.rules().blocked()).setSetAtRunTime(r.setAtRunTime())
          .setCatalogVersion(r.version()).build();
    });
  }

  /** The banner's fields as {@code banners.csv} cells, unchecked: the domain checks them. */
  static BannerInput input(CatalogBanner b) {
    Map<String, String> cells = new HashMap<>();
    cells.put("banner_id", b.getBannerId());
    cells.put("brand", b.getBrand());
    cells.put("category", b.getCategory());
    cells.put("placement", b.getPlacement());
    cells.put("creative_format", b.getCreativeFormat());
    cells.put("creative_color", b.getCreativeColor());
    cells.put("discount_pct", Integer.toString(b.getDiscountPct()));
    cells.put("campaign_id", b.getCampaignId());
    cells.put("price_tier", Integer.toString(b.getPriceTier()));
    cells.put("start_time", b.getStartTime());
    cells.put("end_time", b.getEndTime());
    cells.put("bid", Double.toString(b.getBid()));
    cells.put("priority", Integer.toString(b.getPriority()));
    cells.put("target_genders", join(b.getTargetGendersList()));
    cells.put("target_age_bands", join(b.getTargetAgeBandsList()));
    cells.put("target_city_tiers", join(b.getTargetCityTiersList()));
    return new BannerInput(cells, b.getPaused());
  }

  static CatalogBanner proto(LiveBanner live) {
    Banner b = live.banner();
    return CatalogBanner.newBuilder().setBannerId(b.id()).setBrand(b.brand()).setCategory(b.category())
        .setPlacement(b.placement()).setCreativeFormat(b.creativeFormat()).setCreativeColor(b.creativeColor())
        .setDiscountPct(b.discountPct()).setCampaignId(b.campaignId()).setPriceTier(b.priceTier())
        .setStartTime(Instant.ofEpochSecond(b.startTime()).toString())
        .setEndTime(Instant.ofEpochSecond(b.endTime()).toString()).setBid(b.bid()).setPriority(b.priority())
        .addAllTargetGenders(b.targetGenders().stream().map(Enum::name).sorted().toList())
        .addAllTargetAgeBands(b.targetAgeBands().stream().sorted().toList())
        .addAllTargetCityTiers(b.targetCityTiers().stream().sorted().toList()).setPaused(live.paused()).build();
  }

  private static String join(Collection<?> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(CsvSchemas.LIST_SEPARATOR));
  }
}
