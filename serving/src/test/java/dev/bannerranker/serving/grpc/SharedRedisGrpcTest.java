package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static dev.bannerranker.serving.grpc.GrpcCalls.at;
import static dev.bannerranker.serving.grpc.GrpcCalls.impression;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.ProductEvent;
import dev.bannerranker.proto.v1.ProductEventType;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankedBanner;
import dev.bannerranker.proto.v1.RankingReason;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.UserEvent;
import dev.bannerranker.serving.store.MeteredUserStore;
import dev.bannerranker.serving.store.RedisServer;
import dev.bannerranker.serving.store.RedisUserStore;
import dev.bannerranker.serving.store.StoredLog;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two service instances (replicas A and B, each its own context and gRPC port) on one real Redis: what one records,
 * the other's next Rank sees; concurrent RecordEvents on both all land; with Redis stalled or stopped, Rank still
 * answers (the popularity order, counted) and RecordEvents says UNAVAILABLE; with Redis back, both recover.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedRedisGrpcTest {
  static RedisServer redis;
  static Replica a;
  static Replica b;

  record Replica(ApplicationContext ctx, ManagedChannel channel, RankingServiceGrpc.RankingServiceBlockingStub stub) {
    static Replica start(String uri) {
      ApplicationContext ctx = ApplicationContext.run(Map.of("ranker.state.store", "redis",
          "ranker.state.redis-uri", uri, "ranker.state.timeout", "250ms"), "test");
      GrpcEmbeddedServer server = ctx.getBean(GrpcEmbeddedServer.class);
      if (!server.isRunning()) {
        server.start();
      }
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext().build();
      return new Replica(ctx, channel, RankingServiceGrpc.newBlockingStub(channel));
    }

    RankingServiceGrpc.RankingServiceBlockingStub call() {
      return stub.withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    List<String> ranking(String user) {
      return call().rank(rank(user, "home_hero").build()).getBannersList().stream().map(RankedBanner::getBannerId)
          .toList();
    }

    double meter(String name, String... tags) {
      MeterRegistry m = ctx.getBean(MeterRegistry.class);
      return name.equals(MeteredUserStore.CONNECTED) ? m.find(name).tags(tags).gauge().value()
          : m.find(name).tags(tags).counter().count();
    }

    void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      ctx.close();
    }
  }

  @BeforeAll
  static void start() {
    redis = RedisServer.start(true); // append-only, so a restart keeps the state as a production server would
    a = Replica.start(redis.uri());
    b = Replica.start(redis.uri());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (Replica r : new Replica[] {a, b}) {
      if (r != null) {
        r.close();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  static RecordEventsRequest views(String user, int n, long from) {
    RecordEventsRequest.Builder r = RecordEventsRequest.newBuilder();
    for (int i = 0; i < n; i++) {
      r.addEvents(UserEvent.newBuilder().setUserId(user).setTimestamp(at(from + i)).setProductEvent(ProductEvent
          .newBuilder().setBrand("Nornor").setCategory("jeans").setPriceTier(2).setDwellSeconds(12)
          .setType(ProductEventType.PRODUCT_EVENT_TYPE_VIEW)));
    }
    return r.build();
  }

  static RedisUserStore reader() {
    return new RedisUserStore(redis.uri(), new StoredLog.Limits(64, 86_400, 256), Duration.ofSeconds(2),
        Duration.ZERO);
  }

  @Test
  @Order(1)
  void anImpressionRecordedOnACapsTheBannerOnB() {
    String top = b.ranking(KNOWN_USER).get(0);
    RecordEventsRequest.Builder shown = RecordEventsRequest.newBuilder();
    for (int i = 0; i < 3; i++) {
      shown.addEvents(impression(KNOWN_USER, top, T - 300 + i));
    }
    a.call().recordEvents(shown.build());
    assertFalse(b.ranking(KNOWN_USER).contains(top), "B's next Rank counts A's impressions");
    assertFalse(a.ranking(KNOWN_USER).contains(top));
  }

  @Test
  @Order(2)
  void concurrentRecordEventsOnBothInstancesAllLand() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        Replica on = w % 2 == 0 ? a : b;
        long from = T - 86_000 + w * 1_000L;
        calls.add(pool.submit(() -> {
          for (int i = 0; i < 25; i++) {
            on.call().recordEvents(views("busy-shopper", 2, from + 2L * i));
          }
        }));
      }
      for (Future<?> f : calls) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    try (RedisUserStore store = reader()) {
      byte[] log = store.read("busy-shopper").log();
      // 400 events for a capacity of 64: compacted while both wrote, each event kept or counted as dropped.
      assertEquals(400, StoredLog.counts(log)[0] + StoredLog.header(log).droppedEvents());
    }
  }

  @Test
  @Order(3)
  void aStalledRedisLeavesRankAnsweringAndRecordEventsUnavailable() {
    double before = a.meter("ranker.fallbacks", "reason", "store_unavailable");
    redis.pause();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> a.call().recordEvents(views("stalled", 1, T - 10)));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      RankResponse r = a.call().rank(rank(KNOWN_USER, "home_hero").build());
      assertFalse(r.getBannersList().isEmpty());
      assertTrue(r.getBannersList().stream()
          .allMatch(x -> x.getReason() == RankingReason.RANKING_REASON_POPULAR_FALLBACK));
      assertEquals(before + 1, a.meter("ranker.fallbacks", "reason", "store_unavailable"));
    } finally {
      redis.resume();
    }
    a.call().recordEvents(views("stalled", 1, T - 10)); // the same connection answers again
  }

  @Test
  @Order(4)
  void aStoppedRedisLeavesRankAnsweringAndBothRecoverWhenItIsBack() throws Exception {
    redis.stop();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> b.call().recordEvents(views("returning", 1, T - 20)));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    RankResponse r = a.call().rank(rank(KNOWN_USER, "home_hero").build());
    assertTrue(r.getBannersList().stream()
        .allMatch(x -> x.getReason() == RankingReason.RANKING_REASON_POPULAR_FALLBACK));
    assertEquals(0.0, a.meter(MeteredUserStore.CONNECTED, "store", "redis"));

    redis.restart();
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (a.meter(MeteredUserStore.CONNECTED, "store", "redis") == 0 || b.meter(MeteredUserStore.CONNECTED,
        "store", "redis") == 0) {
      assertTrue(System.nanoTime() < until, "the replicas did not reconnect");
      Thread.sleep(50);
    }
    b.call().recordEvents(views("returning", 1, T - 20));
    RankResponse back = a.call().rank(rank(KNOWN_USER, "home_hero").build());
    assertTrue(back.getBannersList().stream()
        .anyMatch(x -> x.getReason() == RankingReason.RANKING_REASON_PERSONALIZED));
    try (RedisUserStore store = reader()) {
      assertEquals(1, StoredLog.counts(store.read("returning").log())[0]);
    }
  }
}
