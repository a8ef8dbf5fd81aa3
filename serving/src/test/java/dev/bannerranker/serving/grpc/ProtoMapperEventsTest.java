package dev.bannerranker.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Timestamp;

import dev.bannerranker.proto.v1.BannerClick;
import dev.bannerranker.proto.v1.BannerConversion;
import dev.bannerranker.proto.v1.BannerImpression;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.UserEvent;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.InvalidRequestException;
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

  @Test
  void aConversionKeepsItsBannerRequestIdAndTime() {
    List<EventInput> in = ProtoMapper.events(RecordEventsRequest.newBuilder()
        .addEvents(UserEvent.newBuilder().setUserId("u").setTimestamp(Timestamp.newBuilder().setSeconds(1_773_000_000L))
            .setConversion(BannerConversion.newBuilder().setBannerId("b").setRequestId("r1")))
        .addEvents(UserEvent.newBuilder().setUserId("u").setConversion(BannerConversion.newBuilder().setBannerId("b")))
        .build());
    assertEquals(EventInput.conversion("u", 1_773_000_000L, "b", "r1"), in.get(0));
    assertEquals(EventInput.conversion("u", null, "b", ""), in.get(1));
    assertEquals(EventInput.Kind.CONVERSION, in.get(1).kind());
  }

  @Test
  void aConversionWithABadTimestampIsRejectedNamingIt() {
    InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> ProtoMapper.events(
        RecordEventsRequest.newBuilder().addEvents(UserEvent.newBuilder().setUserId("u")
            .setTimestamp(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))
            .setConversion(BannerConversion.newBuilder().setBannerId("b"))).build()));
    assertEquals("events[0].timestamp", e.field());
  }
}
