package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingReason;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC server the service ships, Micronaut's, each test on its own application context (free ports, the test
 * configuration): deadlines as the server sees them, and the drain on shutdown.
 */
class GrpcServerTest {
  private EmbeddedServer http;
  private ManagedChannel channel;

  private GrpcEmbeddedServer start(Map<String, Object> properties) {
    http = ApplicationContext.run(EmbeddedServer.class, properties, "test");
    GrpcEmbeddedServer grpc = http.getApplicationContext().getBean(GrpcEmbeddedServer.class);
    channel = ManagedChannelBuilder.forAddress("localhost", grpc.getPort()).usePlaintext().build();
    return grpc;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (http != null && http.getApplicationContext().isRunning()) {
      http.getApplicationContext().close();
    }
  }

  @Test
  void aDeadlineTooCloseForScoringGetsThePopularityOrderAndIsCounted() throws Exception {
    start(Map.of("ranker.request.min-scoring-time", "1h"));
    RankResponse r = RankingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .rank(rank(KNOWN_USER, "home_hero").build());
    assertTrue(r.getBannersCount() > 0);
    assertTrue(r.getBannersList().stream().allMatch(b -> b.getReason() == RankingReason.RANKING_REASON_POPULAR_FALLBACK));
    assertEquals(1, http.getApplicationContext().getBean(MeterRegistry.class).get("ranker.fallbacks")
        .tag("reason", "deadline").counter().count());
    // No deadline, no budget problem.
    assertEquals(RankingReason.RANKING_REASON_PERSONALIZED, RankingServiceGrpc.newBlockingStub(channel)
        .rank(rank(KNOWN_USER, "home_hero").build()).getBanners(0).getReason());
  }

  /** A client does not send a deadline that has passed, so the server meets one only when it passes in transit. */
  @Test
  void aDeadlinePassedOnArrivalIsDeadlineExceeded() throws Exception {
    start(Map.of());
    RankingEndpoint endpoint = http.getApplicationContext().getBean(RankingEndpoint.class);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      CompletableFuture<RankResponse> answer = new CompletableFuture<>();
      Context.current().withDeadline(Deadline.after(-1, TimeUnit.MILLISECONDS), timer)
          .run(() -> endpoint.rank(rank(KNOWN_USER, "home_hero").build(), GrpcCalls.into(answer)));
      ExecutionException failed = assertThrows(ExecutionException.class, () -> answer.get(5, TimeUnit.SECONDS));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, ((StatusRuntimeException) failed.getCause()).getStatus().getCode());
    } finally {
      timer.shutdownNow();
    }
  }

  /** Health checks until one fails (its error), or null when all are answered for 20 s. */
  private static StatusRuntimeException firstRefusedHealthCheck(ManagedChannel channel) throws InterruptedException {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < until) {
      try {
        health.withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
        Thread.sleep(10);
      } catch (StatusRuntimeException e) {
        return e;
      }
    }
    return null;
  }

  /**
   * Closing the context, as the JVM's shutdown hook does on SIGTERM, stops the gRPC server gracefully: new calls get
   * UNAVAILABLE at once, and the close waits up to {@code grpc.server.await-termination} for a call in flight, which
   * runs to its answer.
   */
  @Test
  void shutdownDrainsTheCallInFlightAndRefusesNewCalls() throws Exception {
    // The shipped wait (application.yml) rather than the test profile's 5 s, which a busy machine could use up
    // before the test releases the call.
    start(Map.of("test.hold-first-rank", "true", "grpc.server.await-termination", "20s"));
    HoldingInterceptor hold = http.getApplicationContext().getBean(HoldingInterceptor.class);
    var inFlight = RankingServiceGrpc.newFutureStub(channel).rank(rank(KNOWN_USER, "home_hero").build());
    assertTrue(hold.entered.await(20, TimeUnit.SECONDS), "the Rank call reached the server");

    CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> http.getApplicationContext().close());
    // Whether the server had answered the held call when the close returned.
    CompletableFuture<Boolean> answeredBeforeClosed = closing.thenApply(done -> hold.answered.isDone());
    StatusRuntimeException refused = firstRefusedHealthCheck(channel);
    assertNotNull(refused, "a new call was still answered 20 s after shutdown began");
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
    // A close that does not wait would be over by now (it takes about a second); this one waits for the call.
    assertThrows(TimeoutException.class, () -> closing.get(3, TimeUnit.SECONDS));
    assertFalse(inFlight.isDone(), "the call in flight is still held");

    hold.release.countDown();
    assertEquals(Status.Code.OK, hold.answered.get(20, TimeUnit.SECONDS).getCode());
    assertTrue(inFlight.get(20, TimeUnit.SECONDS).getBannersCount() > 0, "the call in flight gets its ranking");
    assertTrue(answeredBeforeClosed.get(20, TimeUnit.SECONDS), "the close returned before the call was answered");
    assertThrows(StatusRuntimeException.class, () -> RankingServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS).rank(rank(KNOWN_USER, "home_hero").build()));
  }

  /** The admin listener drains like the main one: new calls refused at once, the call in flight answered. */
  @Test
  void shutdownDrainsTheAdminListenerToo() throws Exception {
    start(Map.of("test.hold-first-rank", "true", "test.hold-method", "GetModelStatus",
        "grpc.server.await-termination", "20s"));
    HoldingInterceptor hold = http.getApplicationContext().getBean(HoldingInterceptor.class);
    int adminPort = http.getApplicationContext().getBean(AdminListener.class).port();
    ManagedChannel admin = ManagedChannelBuilder.forAddress("localhost", adminPort).usePlaintext().build();
    try {
      var inFlight = ModelAdminServiceGrpc.newFutureStub(admin).getModelStatus(GetModelStatusRequest.getDefaultInstance());
      assertTrue(hold.entered.await(20, TimeUnit.SECONDS), "the admin call reached the server");

      CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> http.getApplicationContext().close());
      StatusRuntimeException refused = firstRefusedHealthCheck(admin);
      assertNotNull(refused, "a new admin call was still answered 20 s after shutdown began");
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
      assertThrows(TimeoutException.class, () -> closing.get(3, TimeUnit.SECONDS));
      assertFalse(inFlight.isDone(), "the admin call in flight is still held");

      hold.release.countDown();
      assertEquals(2, inFlight.get(20, TimeUnit.SECONDS).getArmsCount(), "the admin call in flight is answered");
      closing.get(20, TimeUnit.SECONDS);
    } finally {
      admin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
