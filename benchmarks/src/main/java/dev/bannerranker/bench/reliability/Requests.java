package dev.bannerranker.bench.reliability;

import com.google.protobuf.Timestamp;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.proto.v1.ProductEvent;
import dev.bannerranker.proto.v1.ProductEventType;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankingContext;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.UserEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Well-formed requests for the load: Ranks of the world's users, product views for any user id. */
final class Requests {
  final List<RankRequest> ranks = new ArrayList<>();
  private final List<String[]> brandCategory = new ArrayList<>();
  private final long time;

  Requests(Path bundle, String placement, int users, String defaultTime) {
    this.time = Instant.parse(defaultTime).getEpochSecond();
    for (int u = 1; u <= users; u++) {
      ranks.add(RankRequest.newBuilder().setUserId(String.format("u-%06d", u))
          .setContext(RankingContext.newBuilder().setPlacement(placement).setSlotCount(4)).setNumResults(4).build());
    }
    for (Banner b : EventLogReader.readBanners(bundle, new DataProblems(0.0))) {
      brandCategory.add(new String[] {b.brand(), b.category()});
    }
    if (brandCategory.isEmpty()) {
      throw new IllegalArgumentException("the bundle " + bundle + " has no banners");
    }
  }

  RankRequest rank(long n) {
    return ranks.get((int) (n % ranks.size()));
  }

  /** {@code count} product views of catalog brands for {@code userId}, in the hour before the default time. */
  RecordEventsRequest views(String userId, int count, long n) {
    RecordEventsRequest.Builder b = RecordEventsRequest.newBuilder();
    for (int i = 0; i < count; i++) {
      String[] bc = brandCategory.get((int) ((n * count + i) % brandCategory.size()));
      b.addEvents(UserEvent.newBuilder().setUserId(userId)
          .setTimestamp(Timestamp.newBuilder().setSeconds(time - 3600 + (n % 3000) + i))
          .setProductEvent(ProductEvent.newBuilder().setType(ProductEventType.PRODUCT_EVENT_TYPE_VIEW)
              .setBrand(bc[0]).setCategory(bc[1]).setPriceTier(1 + i % 4).setDwellSeconds(5f + i)));
    }
    return b.build();
  }

  String anyBrand(long n) {
    return brandCategory.get((int) (n % brandCategory.size()))[0];
  }

  String anyCategory(long n) {
    return brandCategory.get((int) (n % brandCategory.size()))[1];
  }
}
