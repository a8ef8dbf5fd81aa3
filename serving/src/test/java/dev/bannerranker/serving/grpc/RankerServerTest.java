package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingReason;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.TestSettings;
import dev.bannerranker.serving.config.ModelSettings;
import dev.bannerranker.serving.config.OrderingSettings.Diversity;
import dev.bannerranker.serving.users.ProfileStore;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The RouteGuide-style server in-process, without Micronaut: deadlines and the graceful stop. */
class RankerServerTest {
  final TestPipeline pipeline = TestPipeline.of(TestBundles.registry(), ProfileStore.load(TestBundles.USERS, false, 64),
      TestSettings.request(Duration.ofHours(1)), TestSettings.eligibility(3, List.of(), List.of()),
      TestSettings.ordering(Diversity.MAX_PER_BRAND, 0));
  final RankingEndpoint endpoint = new RankingEndpoint(pipeline.ranking(), pipeline.events(),
      pipeline.updates());
  final HealthStatusManager healthManager = new HealthStatusManager();
  final ServingHealth health = new ServingHealth(healthManager, pipeline.registry());
  final String name = InProcessServerBuilder.generateName();
  final ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
  RankerServer server;

  RankerServer start(ServerInterceptor... interceptors) throws Exception {
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
    for (ServerInterceptor i : interceptors) {
      builder.intercept(i);
    }
    server = new RankerServer(builder, endpoint, new ModelAdminEndpoint(pipeline.registry(),
        new ModelSettings("", "", 0, "", false, Duration.ofSeconds(5)), pipeline.updates()), healthManager, health).start();
    return server;
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void aDeadlineTooCloseForScoringGetsThePopularityOrderAndIsCounted() throws Exception {
    start();
    RankResponse r = RankingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .rank(rank("u-000001", "home_hero").build());
    assertTrue(r.getBannersCount() > 0);
    assertTrue(r.getBannersList().stream().allMatch(b -> b.getReason() == RankingReason.RANKING_REASON_POPULAR_FALLBACK));
    assertEquals(1, pipeline.counter("ranker.fallbacks", "reason", "deadline"));
    // No deadline, no budget problem.
    assertEquals(RankingReason.RANKING_REASON_PERSONALIZED, RankingServiceGrpc.newBlockingStub(channel)
        .rank(rank("u-000001", "home_hero").build()).getBanners(0).getReason());
  }

  @Test
  void aDeadlinePassedOnArrivalIsDeadlineExceeded() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      CompletableFuture<RankResponse> answer = new CompletableFuture<>();
      Context.current().withDeadline(Deadline.after(-1, TimeUnit.MILLISECONDS), timer)
          .run(() -> endpoint.rank(rank("u-000001", "home_hero").build(), GrpcCalls.into(answer)));
      ExecutionException failed = assertThrows(ExecutionException.class, () -> answer.get(5, TimeUnit.SECONDS));
      StatusRuntimeException e = (StatusRuntimeException) failed.getCause();
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void stopDrainsCallsInFlightAndRefusesNewOnes() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ServerInterceptor slow = new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        if (call.getMethodDescriptor().getFullMethodName().endsWith("/Rank")) {
          entered.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return next.startCall(call, headers);
      }
    };
    RankerServer s = start(slow);
    var inFlight = RankingServiceGrpc.newFutureStub(channel).rank(rank("u-000001", "home_hero").build());
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    var health = HealthGrpc.newBlockingStub(channel);
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
      try {
        s.stop(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    // New calls are refused while the old one drains.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    StatusRuntimeException refused = null;
    while (refused == null && System.nanoTime() < until) {
      try {
        health.check(HealthCheckRequest.getDefaultInstance());
        Thread.sleep(10);
      } catch (StatusRuntimeException e) {
        refused = e;
      }
    }
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    release.countDown();
    assertTrue(inFlight.get(10, TimeUnit.SECONDS).getBannersCount() > 0, "the call in flight completes");
    stopping.get(10, TimeUnit.SECONDS);
    server = null;
    assertThrows(StatusRuntimeException.class, () -> RankingServiceGrpc.newBlockingStub(channel)
        .rank(rank("u-000001", "home_hero").build()));
  }
}
