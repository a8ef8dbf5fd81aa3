package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import dev.bannerranker.proto.v1.RollbackModelRequest;
import dev.bannerranker.serving.TestBundles;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback under load, over a real channel: concurrent Rank callers while RollbackModel and ReloadModel of a
 * models-root version alternate. No request may fail, and each admin answer names the model it switched to.
 */
class RollbackUnderLoadGrpcTest {
  @TempDir Path root;

  @Test
  void rollbackAndReloadUnderConcurrentRankCallsFailNoRequest() throws Exception {
    TestBundles.withVersion(root.resolve("1"), "wd-1");
    TestBundles.withVersion(root.resolve("2"), "wd-2");
    EmbeddedServer http = ApplicationContext.run(EmbeddedServer.class, Map.of("ranker.model.bundle", "",
        "ranker.model.models-root", root.toString(), "ranker.model.watch-interval", "1h"), "test");
    ManagedChannel channel = null;
    ManagedChannel adminChannel = null;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      int port = http.getApplicationContext().getBean(GrpcEmbeddedServer.class).getPort();
      channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
      RankingServiceGrpc.RankingServiceBlockingStub ranking = RankingServiceGrpc.newBlockingStub(channel);
      adminChannel = ManagedChannelBuilder.forAddress("localhost",
          http.getApplicationContext().getBean(AdminListener.class).port()).usePlaintext().build();
      ModelAdminServiceGrpc.ModelAdminServiceBlockingStub admin = ModelAdminServiceGrpc.newBlockingStub(adminChannel);
      assertEquals("wd-2", ranking.rank(rank("u-000001", "home_hero").build()).getModelVersion(), "the newest");

      Set<String> versions = ConcurrentHashMap.newKeySet();
      AtomicInteger failures = new AtomicInteger();
      AtomicInteger calls = new AtomicInteger();
      AtomicReference<Throwable> firstFailure = new AtomicReference<>();
      AtomicBoolean switching = new AtomicBoolean(true);
      List<Future<?>> callers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        callers.add(pool.submit(() -> {
          for (int i = 0; switching.get() || i < 50; i++) {
            try {
              RankResponse r = ranking.withDeadlineAfter(30, TimeUnit.SECONDS).rank(
                  rank(String.format("u-%06d", 1 + (thread * 53 + i) % 400), "home_carousel").setNumResults(5).build());
              if (r.getBannersCount() == 0) {
                throw new AssertionError("no banners");
              }
              versions.add(r.getModelVersion());
            } catch (RuntimeException | AssertionError e) {
              failures.incrementAndGet();
              firstFailure.compareAndSet(null, e);
            }
            calls.incrementAndGet();
          }
        }));
      }
      // reload version 1 (2 becomes the previous), roll back to 2, roll forward to 1, ... under the callers
      assertEquals("wd-1", admin.reloadModel(ReloadModelRequest.newBuilder().setVersion(1).build())
          .getStatus().getModelVersion());
      String serving = "wd-1";
      for (int s = 0; s < 12; s++) {
        String expected = serving.equals("wd-1") ? "wd-2" : "wd-1";
        if (s % 4 == 3) { // a reload of the version the rollback would reach does the same switch
          long version = expected.equals("wd-1") ? 1 : 2;
          assertEquals(expected, admin.reloadModel(ReloadModelRequest.newBuilder().setVersion(version).build())
              .getStatus().getModelVersion());
        } else {
          var back = admin.rollbackModel(RollbackModelRequest.getDefaultInstance());
          assertEquals(expected, back.getStatus().getModelVersion());
          assertEquals(serving, back.getPreviousModelVersion());
        }
        serving = expected;
        Thread.sleep(20); // let some calls land on each model
      }
      switching.set(false);
      for (Future<?> f : callers) {
        f.get(2, TimeUnit.MINUTES);
      }
      assertEquals(0, failures.get(), () -> "failed calls among " + calls.get() + ": " + firstFailure.get());
      assertTrue(calls.get() >= 200, "calls: " + calls.get());
      assertEquals(Set.of("wd-1", "wd-2"), versions, "both models served calls");
      assertEquals(serving, ranking.rank(rank("u-000001", "home_hero").build()).getModelVersion());
    } finally {
      pool.shutdownNow();
      if (adminChannel != null) {
        adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      http.getApplicationContext().close();
    }
  }
}
