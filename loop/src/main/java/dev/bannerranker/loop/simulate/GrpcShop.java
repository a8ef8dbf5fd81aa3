package dev.bannerranker.loop.simulate;

import com.google.protobuf.Timestamp;
import dev.bannerranker.proto.v1.BannerClick;
import dev.bannerranker.proto.v1.BannerConversion;
import dev.bannerranker.proto.v1.BannerImpression;
import dev.bannerranker.proto.v1.Platform;
import dev.bannerranker.proto.v1.ProductEvent;
import dev.bannerranker.proto.v1.ProductEventType;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankedBanner;
import dev.bannerranker.proto.v1.RankingContext;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.UserEvent;
import dev.bannerranker.trainer.generate.LiveShoppers;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shoppers' side of the gRPC contract: Rank for each rendered placement, RecordEvents for what they did. Events
 * are sent in batches just before the next Rank, so the service has seen everything that happened before it.
 */
final class GrpcShop implements LiveShoppers.Service, LiveShoppers.Output {
  /** The service's default ranker.request.max-events-per-call. */
  static final int BATCH = 1000;
  /** So many failed calls in a row mean the service is gone: the run stops. */
  static final int MAX_FAILURES_IN_A_ROW = 20;
  /** A click reaches the service this long after its impression. */
  static final long CLICK_DELAY_SECONDS = 2;
  /** A converting click's purchase reaches the service this long after the click, well inside the conversion window. */
  static final long CONVERSION_DELAY_SECONDS = 600;

  private final RankingServiceGrpc.RankingServiceBlockingStub stub;
  private final long deadlineMs;
  private final List<UserEvent> pending = new ArrayList<>();
  private final OnlineCtr ctr = new OnlineCtr();
  private long rankCalls;
  private long rankErrors;
  private long recordCalls;
  private long eventsSent;
  private long eventsRejected;
  private int failuresInARow;

  GrpcShop(Channel channel, long deadlineMs) {
    this.stub = RankingServiceGrpc.newBlockingStub(channel);
    this.deadlineMs = deadlineMs;
  }

  @Override
  public LiveShoppers.Answer rank(LiveShoppers.Request r) throws IOException {
    RankRequest req = RankRequest.newBuilder().setUserId(r.userId())
        .setContext(RankingContext.newBuilder().setPlacement(r.placement()).setPlatform(platform(r.platform()))
            .setSlotCount(r.slots()).setTimestamp(time(r.epochSecond())))
        .setNumResults(r.slots()).build();
    rankCalls++;
    try {
      RankResponse resp = stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).rank(req);
      failuresInARow = 0;
      return new LiveShoppers.Answer(resp.getBannersList().stream().map(RankedBanner::getBannerId).toList(),
          resp.getRequestId(), resp.getModelVersion());
    } catch (StatusRuntimeException e) {
      rankErrors++;
      failed(e, "Rank");
      return new LiveShoppers.Answer(List.of(), null, null); // the page renders without banners
    }
  }

  @Override
  public void productEvent(LiveShoppers.Browse b) throws IOException {
    ProductEvent.Builder p = ProductEvent.newBuilder().setType(switch (b.type()) {
      case ADD_TO_CART -> ProductEventType.PRODUCT_EVENT_TYPE_ADD_TO_CART;
      case PURCHASE -> ProductEventType.PRODUCT_EVENT_TYPE_PURCHASE;
      default -> ProductEventType.PRODUCT_EVENT_TYPE_VIEW;
    }).setBrand(b.brand()).setCategory(b.category()).setPriceTier(b.priceTier()).setDwellSeconds((float) b.dwellSeconds());
    add(UserEvent.newBuilder().setUserId(b.userId()).setTimestamp(time(b.epochSecond())).setProductEvent(p).build());
  }

  @Override
  public void impression(LiveShoppers.Shown s) throws IOException {
    ctr.add(s);
    String request = s.requestId() == null ? "" : s.requestId();
    add(UserEvent.newBuilder().setUserId(s.userId()).setTimestamp(time(s.epochSecond()))
        .setImpression(BannerImpression.newBuilder().setBannerId(s.bannerId()).setRequestId(request)
            .setSlotPosition(s.slot()))
        .build());
    if (s.clicked()) {
      add(UserEvent.newBuilder().setUserId(s.userId()).setTimestamp(time(s.epochSecond() + CLICK_DELAY_SECONDS))
          .setClick(BannerClick.newBuilder().setBannerId(s.bannerId()).setRequestId(request)).build());
    }
    if (s.converted()) {
      add(UserEvent.newBuilder().setUserId(s.userId())
          .setTimestamp(time(s.epochSecond() + CLICK_DELAY_SECONDS + CONVERSION_DELAY_SECONDS))
          .setConversion(BannerConversion.newBuilder().setBannerId(s.bannerId()).setRequestId(request)).build());
    }
  }

  private void add(UserEvent e) throws IOException {
    pending.add(e);
    if (pending.size() >= BATCH) {
      flush();
    }
  }

  @Override
  public void flush() throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    RecordEventsRequest req = RecordEventsRequest.newBuilder().addAllEvents(pending).build();
    int n = pending.size();
    pending.clear();
    recordCalls++;
    try {
      stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).recordEvents(req);
      eventsSent += n;
      failuresInARow = 0;
    } catch (StatusRuntimeException e) {
      eventsRejected += n;
      failed(e, "RecordEvents");
    }
  }

  private void failed(StatusRuntimeException e, String call) throws IOException {
    failuresInARow++;
    Status.Code code = e.getStatus().getCode();
    if (code == Status.Code.UNAVAILABLE && rankCalls + recordCalls <= 1) {
      throw new IOException("the service at the target is not reachable: " + code);
    }
    if (failuresInARow >= MAX_FAILURES_IN_A_ROW) {
      String why = e.getStatus().getDescription();
      throw new IOException(MAX_FAILURES_IN_A_ROW + " calls failed in a row; the last, " + call + ": " + code
          + (why == null ? "" : ": " + (why.length() > 200 ? why.substring(0, 200) + "..." : why)));
    }
  }

  private static Timestamp time(long epochSecond) {
    return Timestamp.newBuilder().setSeconds(epochSecond).build();
  }

  private static Platform platform(String code) {
    return switch (code) {
      case "web" -> Platform.PLATFORM_WEB;
      case "ios" -> Platform.PLATFORM_IOS;
      case "android" -> Platform.PLATFORM_ANDROID;
      default -> Platform.PLATFORM_UNSPECIFIED;
    };
  }

  OnlineCtr ctr() {
    return ctr;
  }

  long rankCalls() {
    return rankCalls;
  }

  long rankErrors() {
    return rankErrors;
  }

  long recordCalls() {
    return recordCalls;
  }

  long eventsSent() {
    return eventsSent;
  }

  long eventsRejected() {
    return eventsRejected;
  }
}
