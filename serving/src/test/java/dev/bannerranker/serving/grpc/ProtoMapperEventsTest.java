package dev.bannerranker.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bannerranker.proto.v1.BannerClick;
import dev.bannerranker.proto.v1.BannerImpression;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.UserEvent;
import dev.bannerranker.serving.ranking.EventInput;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoMapperEventsTest {
  @Test
  void impressionsAndClicksKeepTheirRequestIdAndPosition() {
    List<EventInput> in = ProtoMapper.events(RecordEventsRequest.newBuilder()
        .addEvents(UserEvent.newBuilder().setUserId("u").setImpression(
            BannerImpression.newBuilder().setBannerId("b").setRequestId("r1").setSlotPosition(3)))
        .addEvents(UserEvent.newBuilder().setUserId("u").setImpression(BannerImpression.newBuilder().setBannerId("b")))
        .addEvents(UserEvent.newBuilder().setUserId("u").setClick(
            BannerClick.newBuilder().setBannerId("b").setRequestId("r2")))
        .build());
    assertEquals(EventInput.impression("u", null, "b", "r1", 3), in.get(0));
    assertEquals(EventInput.impression("u", null, "b", "", 0), in.get(1));
    assertEquals(EventInput.click("u", null, "b", "r2"), in.get(2));
  }
}
