package dev.bannerranker.serving.grpc;

import dev.bannerranker.proto.v1.CatalogAdminServiceGrpc;
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
import java.util.ArrayList;
import java.util.List;

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
      request.getBannersList().forEach(b -> inputs.add(CatalogBanners.input(b)));
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
      return GetBannerResponse.newBuilder().setBanner(CatalogBanners.proto(b.banner(), b.paused())).setCatalogVersion(version).build();
    });
  }

  /** ListBanners: a page of banners in id order. */
  @Override
  public void listBanners(ListBannersRequest request, StreamObserver<ListBannersResponse> observer) {
    GrpcErrors.unary("ListBanners", observer, () -> {
      CatalogService.Page page = catalog.list(request.getPageSize(), request.getPageToken());
      ListBannersResponse.Builder out = ListBannersResponse.newBuilder().setNextPageToken(page.nextPageToken())
          .setCatalogVersion(page.version());
      page.banners().forEach(b -> out.addBanners(CatalogBanners.proto(b.banner(), b.paused())));
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
}
