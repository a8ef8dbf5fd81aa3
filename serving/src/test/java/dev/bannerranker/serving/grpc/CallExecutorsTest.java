package dev.bannerranker.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.config.ServerSettings;
import dev.bannerranker.serving.limits.ShedCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallExecutorsTest {
  private static final ShedCalls SHED = new ShedCalls(new SimpleMeterRegistry());

  @Test
  void fixedRunsRankingAndHealthOnItsOwnThreadsAndLeavesAdminToTheServerDefault() throws Exception {
    CallExecutors e = new CallExecutors(new ServerSettings(ServerSettings.Executor.FIXED, 2, 8), SHED);
    try {
      Executor rank = e.executorFor(RankingServiceGrpc.SERVICE_NAME);
      assertNotNull(rank);
      assertNotNull(e.executorFor(HealthGrpc.SERVICE_NAME));
      assertNull(e.executorFor(ModelAdminServiceGrpc.SERVICE_NAME), "admin calls may block while a bundle loads");
      assertNull(e.executorFor("grpc.reflection.v1.ServerReflection"));
      String thread = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), rank).get(5, TimeUnit.SECONDS);
      assertTrue(thread.startsWith("rank-"), thread);
      assertEquals("fixed pool of 2 threads, queue of 8 calls", e.describe());
    } finally {
      e.close();
    }
  }

  @Test
  void ioLeavesEveryCallToTheServerDefault() {
    CallExecutors e = new CallExecutors(new ServerSettings(ServerSettings.Executor.IO, 0, null), SHED);
    assertNull(e.executorFor(RankingServiceGrpc.SERVICE_NAME));
    assertNull(e.executorFor(HealthGrpc.SERVICE_NAME));
    assertEquals("Micronaut I/O pool", e.describe());
  }

  @Test
  void zeroThreadsMeansOnePerProcessorAndIoIsTheDefault() {
    assertEquals(Runtime.getRuntime().availableProcessors(), new ServerSettings(null, 0, null).poolSize());
    assertEquals(ServerSettings.Executor.IO, new ServerSettings(null, 0, null).executor());
  }
}
