package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.CatalogAdminServiceGrpc;
import dev.bannerranker.proto.v1.GetBannerRequest;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.UpsertBannersRequest;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.store.RedisServer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two replicas on one real Redis: a catalog change made through replica A is served by replica B without a call to
 * B. B polls never ({@code ranker.catalog.poll-interval: 0s}), so what it sees came by the pub/sub announcement. The
 * delay is printed (measured, not asserted).
 */
@Timeout(120)
class CatalogRedisGrpcTest {
  static RedisServer redis;
  static ApplicationContext a;
  static ApplicationContext b;
  static ManagedChannel channelA;
  static ManagedChannel channelB;
  static ManagedChannel adminChannelA;
  static ManagedChannel adminChannelB;

  static ApplicationContext start(String uri, String pollInterval) {
    ApplicationContext ctx = ApplicationContext.run(Map.of("ranker.state.store", "redis", "ranker.state.redis-uri",
        uri, "ranker.catalog.poll-interval", pollInterval), "test");
    GrpcEmbeddedServer server = ctx.getBean(GrpcEmbeddedServer.class);
    if (!server.isRunning()) {
      server.start();
    }
    return ctx;
  }

  static ManagedChannel channel(ApplicationContext ctx) {
    return ManagedChannelBuilder.forAddress("localhost", ctx.getBean(GrpcEmbeddedServer.class).getPort())
        .usePlaintext().build();
  }

  static ManagedChannel adminChannel(ApplicationContext ctx) {
    return ManagedChannelBuilder.forAddress("localhost", ctx.getBean(AdminListener.class).port())
        .usePlaintext().build();
  }

  @BeforeAll
  static void startAll() {
    redis = RedisServer.start(false);
    a = start(redis.uri(), "500ms");
    b = start(redis.uri(), "0s");
    channelA = channel(a);
    channelB = channel(b);
    adminChannelA = adminChannel(a);
    adminChannelB = adminChannel(b);
  }

  @AfterAll
  static void stopAll() throws InterruptedException {
    for (ManagedChannel c : new ManagedChannel[] {channelA, channelB, adminChannelA, adminChannelB}) {
      if (c != null) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    for (ApplicationContext c : new ApplicationContext[] {a, b}) {
      if (c != null) {
        c.close();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static String millis(List<Long> nanos) {
    return nanos.stream().map(n -> String.format("%.1f", n / 1e6)).toList().toString();
  }

  @Test
  void aChangeThroughOneReplicaIsServedByTheOther() throws InterruptedException {
    var adminA = CatalogAdminServiceGrpc.newBlockingStub(adminChannelA);
    var rankB = RankingServiceGrpc.newBlockingStub(channelB);
    ModelRegistry registryB = b.getBean(ModelRegistry.class);
    assertEquals(registryB.current().control().catalogVersion(),
        a.getBean(ModelRegistry.class).current().control().catalogVersion(), "B took A's seed, not its own");
    List<Long> delays = new ArrayList<>();
    List<Long> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String id = "bn-shared-" + i;
      long start = System.nanoTime();
      long version = adminA.upsertBanners(UpsertBannersRequest.newBuilder()
          .addBanners(CatalogAdminGrpcTest.banner(id, "Vimi")).build()).getCatalogVersion();
      long answered = System.nanoTime();
      calls.add(answered - start);
      long deadline = start + TimeUnit.SECONDS.toNanos(10);
      while (registryB.current().control().catalogVersion() < version && System.nanoTime() < deadline) {
        Thread.sleep(0, 200_000);
      }
      delays.add(System.nanoTime() - answered);
      assertEquals(version, registryB.current().control().catalogVersion(), "B serves A's change");
      assertEquals(id, rankB.rank(rank(KNOWN_USER, "home_hero").addCandidateBannerIds(id).build()).getBanners(0)
          .getBannerId());
    }
    assertTrue(CatalogAdminServiceGrpc.newBlockingStub(adminChannelB)
        .getBanner(GetBannerRequest.newBuilder().setBannerId("bn-shared-19").build()).hasBanner());
    System.out.println("catalog change: UpsertBanners on A took (ms) " + millis(calls)
        + "; then B served it after (ms) " + millis(delays));
    Collections.sort(delays);
    System.out.printf("catalog change visible on the other replica after A answered: median %.1f ms, max %.1f ms "
        + "over %d changes%n", delays.get(delays.size() / 2) / 1e6, delays.get(delays.size() - 1) / 1e6,
        delays.size());
  }
}
