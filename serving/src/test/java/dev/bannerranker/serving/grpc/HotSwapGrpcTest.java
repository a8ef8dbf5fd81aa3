package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.grpc.GrpcCalls.assertStatus;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.GetModelStatusResponse;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.ModelArm;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import dev.bannerranker.serving.ModelLifecycle;
import dev.bannerranker.serving.TestBundles;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Model lifecycle over a real channel: hot swaps under load, refusals, the directory watch and A/B. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HotSwapGrpcTest implements TestPropertyProvider {
  /** Set before the context starts (JUnit fills static temporary directories before the class's callbacks). */
  @TempDir
  static Path dir;
  Path current;
  Path other;

  @Inject
  GrpcEmbeddedServer grpcServer;

  @Inject
  EmbeddedServer httpServer;

  @Inject
  AdminListener adminServer;

  @Inject
  ModelLifecycle lifecycle;

  ManagedChannel channel;
  ManagedChannel adminChannel;
  RankingServiceGrpc.RankingServiceBlockingStub ranking;
  ModelAdminServiceGrpc.ModelAdminServiceBlockingStub admin;

  @Override
  public Map<String, String> getProperties() {
    current = TestBundles.withVersion(dir.resolve("current"), "wd-a");
    other = TestBundles.withVersion(dir.resolve("other"), "wd-b");
    return Map.of("ranker.model.bundle", current.toString(), "ranker.model.watch", "true",
        "ranker.model.watch-interval", "1h", "ranker.model.treatment-percent", "50");
  }

  @BeforeAll
  void connect() {
    channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.getPort()).usePlaintext().build();
    ranking = RankingServiceGrpc.newBlockingStub(channel);
    adminChannel = ManagedChannelBuilder.forAddress("localhost", adminServer.port()).usePlaintext().build();
    admin = ModelAdminServiceGrpc.newBlockingStub(adminChannel);
  }

  @AfterAll
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private String reload(ModelArm arm, Path dir) {
    return admin.reloadModel(ReloadModelRequest.newBuilder().setArm(arm).setBundleDir(dir.toString()).build())
        .getStatus().getModelVersion();
  }

  private String servingVersion() {
    return ranking.rank(rank("u-000001", "home_hero").setNumResults(1).build()).getModelVersion();
  }

  @Test
  @Order(1)
  void hotSwapsUnderConcurrentRequestsFailNothing() throws Exception {
    int threads = 4;
    int swaps = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Set<String> versions = ConcurrentHashMap.newKeySet();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    AtomicBoolean swapping = new AtomicBoolean(true);
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      running.add(pool.submit(() -> {
        // Until the swaps are over, and at least 50 calls each.
        for (int i = 0; swapping.get() || i < 50; i++) {
          try {
            RankResponse r = ranking.rank(rank(String.format("u-%06d", 1 + (thread * 37 + i) % 400), "home_carousel")
                .setNumResults(5).build());
            if (r.getBannersCount() == 0) {
              failures.incrementAndGet();
            }
            versions.add(r.getModelVersion());
          } catch (RuntimeException e) {
            failures.incrementAndGet();
          }
          calls.incrementAndGet();
        }
      }));
    }
    for (int s = 0; s < swaps; s++) {
      reload(ModelArm.MODEL_ARM_CONTROL, s % 2 == 0 ? other : current);
    }
    swapping.set(false);
    for (Future<?> f : running) {
      f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();
    assertEquals(0, failures.get(), "failed calls among " + calls.get() + " during " + swaps + " swaps");
    assertEquals(Set.of("wd-a", "wd-b"), versions);
  }

  @Test
  @Order(2)
  void aBadBundleIsRefusedWhileTheOldOneKeepsServing() throws Exception {
    assertEquals("wd-a", reload(ModelArm.MODEL_ARM_CONTROL, current));
    for (Path bad : List.of(TestBundles.corruptChecksum(dir.resolve("corrupt")),
        TestBundles.futureFormat(dir.resolve("future")), TestBundles.nanScores(dir.resolve("nan")))) {
      assertStatus(Status.Code.FAILED_PRECONDITION, "bundle " + bad + " refused: ",
          () -> reload(ModelArm.MODEL_ARM_CONTROL, bad));
      assertEquals("wd-a", servingVersion());
    }
    GetModelStatusResponse status = admin.getModelStatus(GetModelStatusRequest.getDefaultInstance());
    assertEquals("wd-a", status.getArms(0).getModelVersion());
    assertTrue(status.getArms(0).getLastRefusal().contains("golden requests failed"), status.toString());
    String metrics = GrpcCalls.get(httpServer.getPort(), "/prometheus");
    assertTrue(metrics.contains("ranker_model_reloads_total{arm=\"control\",result=\"refused\"} 3.0"), metrics);
    assertTrue(metrics.contains("ranker_model_info{arm=\"control\",model_version=\"wd-a\"} 1"));
  }

  @Test
  @Order(3)
  void aNewVersionInTheWatchedDirectoryIsSwappedIn() {
    assertEquals("wd-a", servingVersion());
    TestBundles.withVersion(current, "wd-watched");
    lifecycle.watcher().checkAll(); // the timer is set to an hour; look now
    assertEquals("wd-watched", servingVersion());
    assertEquals("wd-watched", admin.getModelStatus(GetModelStatusRequest.getDefaultInstance()).getArms(0)
        .getModelVersion());
  }

  @Test
  @Order(4)
  void twoModelsServeTheirShareOfUsersStably() {
    assertEquals("wd-b", reload(ModelArm.MODEL_ARM_TREATMENT, other));
    Set<String> arms = ConcurrentHashMap.newKeySet();
    for (int u = 1; u <= 60; u++) {
      String user = String.format("u-%06d", u);
      RankResponse first = ranking.rank(rank(user, "home_hero").setNumResults(2).build());
      RankResponse again = ranking.rank(rank(user, "home_hero").setNumResults(2).build());
      assertEquals(first.getModelVersion(), again.getModelVersion());
      assertEquals(first.getArm().equals("treatment") ? "wd-b" : "wd-watched", first.getModelVersion());
      arms.add(first.getArm());
    }
    assertEquals(Set.of("control", "treatment"), arms);
    GetModelStatusResponse status = admin.getModelStatus(GetModelStatusRequest.getDefaultInstance());
    assertEquals(50, status.getTreatmentPercent());
    assertEquals("wd-b", status.getArms(1).getModelVersion());
    assertFalse(status.getArms(1).getBundleDir().isEmpty());
  }
}
