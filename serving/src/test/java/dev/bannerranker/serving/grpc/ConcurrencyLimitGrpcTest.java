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
import com.google.common.util.concurrent.ListenableFuture;
import dev.bannerranker.proto.v1.RankResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ranker.limits: a call over an RPC's concurrency limit is shed at once, a finished call gives its permit back, and a
 * flood of Ranks under the limit that falls under overload is shed while the admitted calls are answered.
 */
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

  @Test
  void aFloodOfRanksIsShedWhileTheAdmittedOnesAreAnswered() throws Exception {
    int limit = 3;
    int flood = 60;
    // Every admitted Rank is held at the server on a thread of its own, so exactly the limit stays admitted.
    try (ApplicationContext ctx = ApplicationContext.run(Map.of("test.hold-first-rank", "true",
        "test.hold-count", 1_000_000, "ranker.server.threads", 8, "ranker.limits.max-concurrent-calls.rank",
        Integer.toString(limit)), "test")) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost",
          ctx.getBean(GrpcEmbeddedServer.class).getPort()).usePlaintext().build();
      try {
        HoldingInterceptor hold = ctx.getBean(HoldingInterceptor.class);
        MeterRegistry registry = ctx.getBean(MeterRegistry.class);
        assertEquals(limit, registry.get("ranker.concurrency.limit").tag("rpc", "rank").gauge().value());
        // Rank's limit falls under a standing queue, and its drops are exported from the start
        assertEquals(0, registry.get("ranker.concurrency.limit.drops").tag("rpc", "rank").functionCounter().count());
        var shedCounter = registry.get("ranker.calls.shed").tag("rpc", "rank").tag("reason", "concurrency_limit")
            .counter();
        var ranking = RankingServiceGrpc.newFutureStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        List<ListenableFuture<RankResponse>> calls = new ArrayList<>();
        for (int i = 0; i < flood; i++) {
          calls.add(ranking.rank(rank(KNOWN_USER, "home_hero").build()));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until && (shedCounter.count() < flood - limit || hold.seen.get() < limit
            || calls.stream().filter(f -> f.isDone()).count() < flood - limit)) {
          Thread.sleep(20);
        }
        List<ListenableFuture<RankResponse>> admitted = pendingAfterShedding(calls);
        assertEquals(limit, admitted.size(), "the limit's calls are admitted, the rest shed");
        assertEquals(flood - limit, shedCounter.count());
        releaseAndExpectAnswers(hold, admitted);
        assertTrue(RankingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .rank(rank(KNOWN_USER, "home_hero").build()).getBannersCount() > 0, "the permits came back");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void ranksWaitingInThePoolsQueueCountTowardsTheLimit() throws Exception {
    int limit = 3;
    // One Rank thread, held by the first Rank: the next two wait in the pool's queue, and the limit counts them.
    try (ApplicationContext ctx = ApplicationContext.run(Map.of("test.hold-first-rank", "true",
        "ranker.server.threads", 1, "ranker.limits.max-concurrent-calls.rank", Integer.toString(limit)), "test")) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost",
          ctx.getBean(GrpcEmbeddedServer.class).getPort()).usePlaintext().build();
      try {
        HoldingInterceptor hold = ctx.getBean(HoldingInterceptor.class);
        var ranking = RankingServiceGrpc.newFutureStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        List<ListenableFuture<RankResponse>> admitted = new ArrayList<>();
        admitted.add(ranking.rank(rank(KNOWN_USER, "home_hero").build()));
        assertTrue(hold.entered.await(20, TimeUnit.SECONDS), "the first Rank holds the one thread");
        admitted.add(ranking.rank(rank(KNOWN_USER, "home_hero").build()));
        admitted.add(ranking.rank(rank(KNOWN_USER, "home_hero").build()));
        StatusRuntimeException shed = assertThrows(StatusRuntimeException.class, () -> RankingServiceGrpc
            .newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).rank(rank(KNOWN_USER, "home_hero").build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, shed.getStatus().getCode());
        assertEquals(1, hold.seen.get(), "the queued Ranks have not started");
        assertEquals(1, ctx.getBean(MeterRegistry.class).get("ranker.calls.shed").tag("rpc", "rank")
            .tag("reason", "concurrency_limit").counter().count());
        releaseAndExpectAnswers(hold, admitted);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** The calls not answered yet, having checked that every answered one was shed RESOURCE_EXHAUSTED. */
  static <T> List<ListenableFuture<T>> pendingAfterShedding(List<ListenableFuture<T>> calls) {
    List<ListenableFuture<T>> pending = new ArrayList<>();
    for (ListenableFuture<T> f : calls) {
      if (f.isDone()) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(e.getCause()).getCode());
      } else {
        pending.add(f);
      }
    }
    return pending;
  }

  /** Lets the held calls go: each admitted one is answered. */
  static void releaseAndExpectAnswers(HoldingInterceptor hold, List<ListenableFuture<RankResponse>> admitted)
      throws Exception {
    hold.release.countDown();
    for (ListenableFuture<RankResponse> f : admitted) {
      assertTrue(f.get(30, TimeUnit.SECONDS).getBannersCount() > 0, "an admitted call is answered");
    }
  }
}
