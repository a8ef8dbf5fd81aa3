package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ranker.limits: a call over an RPC's concurrency limit is shed at once, and a finished call gives its permit back. */
class ConcurrencyLimitGrpcTest {
  @Test
  void aCallOverTheLimitIsShedAndTheLimitRecovers() throws Exception {
    try (ApplicationContext ctx = ApplicationContext.run(Map.of("test.hold-first-rank", "true",
        "ranker.limits.max-concurrent-calls.rank", "1"), "test")) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost",
          ctx.getBean(GrpcEmbeddedServer.class).getPort()).usePlaintext().build();
      try {
        HoldingInterceptor hold = ctx.getBean(HoldingInterceptor.class);
        var inFlight = RankingServiceGrpc.newFutureStub(channel).rank(rank(KNOWN_USER, "home_hero").build());
        assertTrue(hold.entered.await(20, TimeUnit.SECONDS), "the first Rank reached the server");
        var ranking = RankingServiceGrpc.newBlockingStub(channel);

        StatusRuntimeException shed = assertThrows(StatusRuntimeException.class, () -> ranking
            .withDeadlineAfter(20, TimeUnit.SECONDS).rank(rank(KNOWN_USER, "home_hero").build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, shed.getStatus().getCode());
        assertEquals(1, ctx.getBean(MeterRegistry.class).get("ranker.calls.shed").tag("rpc", "rank")
            .tag("reason", "concurrency_limit").counter().count());
        assertEquals(0, ranking.recordEvents(RecordEventsRequest.getDefaultInstance()).getAcceptedCount(),
            "RecordEvents has a limit of its own");

        hold.release.countDown();
        assertTrue(inFlight.get(20, TimeUnit.SECONDS).getBannersCount() > 0, "the admitted call is answered");
        assertTrue(ranking.withDeadlineAfter(20, TimeUnit.SECONDS).rank(rank(KNOWN_USER, "home_hero").build())
            .getBannersCount() > 0, "its permit came back");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
