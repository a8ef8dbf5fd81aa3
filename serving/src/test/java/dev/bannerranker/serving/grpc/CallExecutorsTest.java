package dev.bannerranker.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.config.ServerSettings;
import dev.bannerranker.serving.limits.ShedCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallExecutorsTest {
  private static final ShedCalls SHED = new ShedCalls(new SimpleMeterRegistry());

  @Test
  void fixedRunsRankAndHealthOnOnePoolWritesOnAnotherAndLeavesAdminToTheServerDefault() throws Exception {
    CallExecutors e = new CallExecutors(new ServerSettings(ServerSettings.Executor.FIXED, 2, 3, 8), SHED);
    try {
      Executor rank = e.executorFor(RankingServiceGrpc.getRankMethod());
      assertNotNull(rank);
      assertSame(rank, e.executorFor(HealthGrpc.getCheckMethod()));
      Executor write = e.executorFor(RankingServiceGrpc.getRecordEventsMethod());
      assertNotNull(write);
      assertNotSame(rank, write, "a slow disk must not take Rank's threads");
      assertSame(write, e.executorFor(RankingServiceGrpc.getUpsertProfilesMethod()));
      assertNull(e.executorFor(ModelAdminServiceGrpc.getReloadModelMethod()), "admin calls may block while a bundle loads");
      assertNull(e.executorFor(ServerReflectionGrpc.getServerReflectionInfoMethod()));
      assertTrue(threadOf(rank).startsWith("rank-"));
      assertTrue(threadOf(write).startsWith("write-"));
      assertEquals("fixed pools: Rank 2 threads, writes 3 threads, a queue of 8 calls each", e.describe());
    } finally {
      e.close();
    }
  }

  @Test
  void aPoolRunsItsAfterTaskHookOnItsThreadAfterEachTask() throws Exception {
    java.util.List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    var pool = CallExecutors.newPool("hooked", 1, 4, () -> order.add("after on " + Thread.currentThread().getName()));
    try {
      for (int i = 0; i < 3; i++) {
        int task = i;
        pool.execute(() -> order.add("task " + task));
      }
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      assertEquals(java.util.List.of("task 0", "after on hooked-1", "task 1", "after on hooked-1", "task 2",
          "after on hooked-1"), order);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void eachPoolAdmitsItsThreadsAndQueueThenShedsButHealthFallsBackToTheServerDefault() throws Exception {
    CallExecutors e = new CallExecutors(new ServerSettings(ServerSettings.Executor.FIXED, 1, 2, 1), SHED);
    try {
      for (int i = 0; i < 2; i++) {
        assertNotNull(e.admit(RankingServiceGrpc.getRankMethod(), new Metadata()));
      }
      Executor shedRank = e.admit(RankingServiceGrpc.getRankMethod(), new Metadata());
      assertNotSame(e.executorFor(RankingServiceGrpc.getRankMethod()), shedRank, "the third Rank is shed");
      assertNull(e.admit(HealthGrpc.getCheckMethod(), new Metadata()), "a probe beyond the bound runs on the I/O pool");
      // the write pool has its own permits: three writes still go in, the fourth is shed
      Executor write = e.executorFor(RankingServiceGrpc.getRecordEventsMethod());
      for (int i = 0; i < 3; i++) {
        assertSame(write, e.admit(RankingServiceGrpc.getRecordEventsMethod(), new Metadata()));
      }
      assertNotSame(write, e.admit(RankingServiceGrpc.getUpsertProfilesMethod(), new Metadata()));
    } finally {
      e.close();
    }
  }

  private static String threadOf(Executor executor) throws Exception {
    return CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), executor).get(5, TimeUnit.SECONDS);
  }

  @Test
  void ioLeavesEveryCallToTheServerDefault() {
    CallExecutors e = new CallExecutors(new ServerSettings(ServerSettings.Executor.IO, 0, 0, null), SHED);
    assertNull(e.executorFor(RankingServiceGrpc.getRankMethod()));
    assertNull(e.executorFor(RankingServiceGrpc.getRecordEventsMethod()));
    assertNull(e.executorFor(HealthGrpc.getCheckMethod()));
    assertEquals("Micronaut I/O pool", e.describe());
  }

  @Test
  void zeroThreadsMeansOnePerProcessorForRankAndMoreForWritesAndFixedIsTheDefault() {
    int processors = Runtime.getRuntime().availableProcessors();
    ServerSettings defaults = new ServerSettings(null, 0, 0, null);
    assertEquals(processors, defaults.poolSize());
    assertEquals(ServerSettings.WRITES_PER_PROCESSOR * processors, defaults.writePoolSize());
    assertEquals(ServerSettings.Executor.FIXED, defaults.executor());
  }
}
