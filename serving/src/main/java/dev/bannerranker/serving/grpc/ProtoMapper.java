package dev.bannerranker.serving.grpc;

import com.google.protobuf.Timestamp;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Platform;
import dev.bannerranker.proto.v1.BannerClick;
import dev.bannerranker.proto.v1.BannerConversion;
import dev.bannerranker.proto.v1.BannerImpression;
import dev.bannerranker.proto.v1.BrandSimilarity;
import dev.bannerranker.proto.v1.Explanation;
import dev.bannerranker.proto.v1.FeatureContribution;
import dev.bannerranker.proto.v1.ProductEvent;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankedBanner;
import dev.bannerranker.proto.v1.RankingReason;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.UserEvent;
import dev.bannerranker.serving.ranking.Budget;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import dev.bannerranker.serving.ranking.RankQuery;
import dev.bannerranker.serving.ranking.RankResult;
import dev.bannerranker.serving.ranking.RankedItem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Maps the contract's messages to the domain and back; no logic beyond that. */
final class ProtoMapper {
  /** The range google.protobuf.Timestamp allows: 0001-01-01 to 9999-12-31. */
  private static final long MIN_SECONDS = -62_135_596_800L;
  private static final long MAX_SECONDS = 253_402_300_799L;

  private ProtoMapper() {}

  static RankQuery query(RankRequest r, Budget budget) {
    var c = r.getContext();
    return new RankQuery(r.getUserId(), c.getPlacement(), platform(c.getPlatform()), c.getSlotCount(), c.getLocale(),
        c.hasTimestamp() ? seconds(c.getTimestamp(), "context.timestamp") : null, r.getCandidateBannerIdsList(),
        r.getNumResults(), r.getDebug(), budget);
  }

  static Platform platform(dev.bannerranker.proto.v1.Platform p) {
    return switch (p) {
      case PLATFORM_UNSPECIFIED -> null;
      case PLATFORM_WEB -> Platform.WEB;
      case PLATFORM_IOS -> Platform.IOS;
      case PLATFORM_ANDROID -> Platform.ANDROID;
      case UNRECOGNIZED -> throw new InvalidRequestException("context.platform", "context.platform has an unknown value");
    };
  }

  static long seconds(Timestamp t, String field) {
    if (t.getSeconds() < MIN_SECONDS || t.getSeconds() > MAX_SECONDS || t.getNanos() < 0 || t.getNanos() > 999_999_999) {
      throw new InvalidRequestException(field, field + " is not a valid timestamp");
    }
    return t.getSeconds();
  }

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  static RankResponse response(RankResult r) {
    RankResponse.Builder out = RankResponse.newBuilder().setRequestId(r.requestId())
        .setModelVersion(r.modelVersion()).setArm(r.arm());
    for (RankedItem item : r.banners()) {
      RankedBanner.Builder b = RankedBanner.newBuilder().setBannerId(item.bannerId()).setBrand(item.brand())
          .setScore(item.score()).setValue(item.value()).setPredictedCtr(item.predictedCtr()).setReason(reason(item))
          .setPropensity(item.propensity());
      if (!Double.isNaN(item.predictedCvr())) {
        b.setPredictedCvr(item.predictedCvr());
      }
      if (item.explanation() != null) {
        Explanation.Builder e = Explanation.newBuilder();
        item.explanation().topWideFeatures().forEach(w ->
            e.addTopWideFeatures(FeatureContribution.newBuilder().setFeature(w.feature()).setWeight(w.weight())));
        item.explanation().nearestRecentBrands().forEach(n -> e.addNearestRecentBrands(BrandSimilarity.newBuilder()
            .setBrand(n.brand()).setSimilarity(n.similarity()).setUserShare(n.userShare())));
        b.setExplanation(e);
      }
      out.addBanners(b);
    }
    return out.build();
  }

  private static RankingReason reason(RankedItem item) {
    return switch (item.reason()) {
      case PERSONALIZED -> RankingReason.RANKING_REASON_PERSONALIZED;
      case POPULAR_FALLBACK -> RankingReason.RANKING_REASON_POPULAR_FALLBACK;
      case EXPLORATION -> RankingReason.RANKING_REASON_EXPLORATION;
      case PINNED -> RankingReason.RANKING_REASON_PINNED;
    };
  }

  static List<EventInput> events(RecordEventsRequest r) {
    List<EventInput> out = new ArrayList<>(r.getEventsCount());
    for (int i = 0; i < r.getEventsCount(); i++) {
      UserEvent e = r.getEvents(i);
      String at = "events[" + i + "]";
      Long time = e.hasTimestamp() ? seconds(e.getTimestamp(), at + ".timestamp") : null;
      out.add(switch (e.getEventCase()) {
        case IMPRESSION -> {
          BannerImpression imp = e.getImpression();
          yield EventInput.impression(e.getUserId(), time, imp.getBannerId(), imp.getRequestId(),
              imp.getSlotPosition());
        }
        case CLICK -> {
          BannerClick click = e.getClick();
          yield EventInput.click(e.getUserId(), time, click.getBannerId(), click.getRequestId());
        }
        case CONVERSION -> {
          BannerConversion conversion = e.getConversion();
          yield EventInput.conversion(e.getUserId(), time, conversion.getBannerId(), conversion.getRequestId());
        }
        case PRODUCT_EVENT -> {
          ProductEvent p = e.getProductEvent();
          yield EventInput.product(e.getUserId(), time, productType(p, at), p.getBrand(), p.getCategory(),
              p.getPriceTier(), p.getDwellSeconds());
        }
        case EVENT_NOT_SET -> new EventInput(e.getUserId(), time, null, "", null, "", "", 0, 0f);
      });
    }
    return out;
  }

  private static EventType productType(ProductEvent p, String at) {
    return switch (p.getType()) {
      case PRODUCT_EVENT_TYPE_UNSPECIFIED, PRODUCT_EVENT_TYPE_VIEW -> EventType.VIEW;
      case PRODUCT_EVENT_TYPE_ADD_TO_CART -> EventType.ADD_TO_CART;
      case PRODUCT_EVENT_TYPE_PURCHASE -> EventType.PURCHASE;
      case UNRECOGNIZED -> throw new InvalidRequestException(at + ".product_event.type",
          at + ".product_event.type has an unknown value");
    };
  }
}
