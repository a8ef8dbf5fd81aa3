package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The FIXED executor's bounded queue: with every thread busy and the queue full, a burst of Ranks is shed
 * RESOURCE_EXHAUSTED at once and counted, no thread is started for it, health checks still answer, and the admitted
 * calls are answered once the threads are free.
 */
class FixedExecutorSheddingGrpcTest {
  private static final int THREADS = 2;
  private static final int QUEUE = 4;
  private static final int BURST = 300;

  @Test
  void aBurstBeyondThreadsAndQueueIsShedAndTheThreadCountStaysBounded() throws Exception {
    // Every Rank is held at the server, so the admitted ones stay admitted; no concurrency limit gets in the way.
    try (ApplicationContext ctx = ApplicationContext.run(Map.of("ranker.server.executor", "FIXED",
        "ranker.server.threads", THREADS, "ranker.server.queue-size", QUEUE, "test.hold-first-rank", "true",
        "test.hold-count", 1_000_000, "ranker.limits.max-concurrent-calls.rank", 0), "test")) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost",
          ctx.getBean(GrpcEmbeddedServer.class).getPort()).usePlaintext().build();
      try {
        HoldingInterceptor hold = ctx.getBean(HoldingInterceptor.class);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // A call first, so the pool and the transport have their threads before the count is taken.
        assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus());
        int before = threads.getThreadCount();
        long ioBefore = ioPoolThreads();
        CallExecutors executors = ctx.getBean(CallExecutors.class);
        long freed = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (executors.freePermits() < THREADS + QUEUE && System.nanoTime() < freed) {
          Thread.sleep(10); // the health check's permit comes back after its answer is sent
        }
        // A permit still held here would leave room for only THREADS + QUEUE - 1 Ranks, and one more would be shed.
        assertEquals(THREADS + QUEUE, executors.freePermits(), "the health check's permit came back");
        Counter shedCounter = ctx.getBean(MeterRegistry.class).get("ranker.calls.shed").tag("rpc", "rank")
            .tag("reason", "queue_full").counter();

        var ranking = RankingServiceGrpc.newFutureStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        List<ListenableFuture<RankResponse>> calls = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
          calls.add(ranking.rank(rank(KNOWN_USER, "home_hero").build()));
        }
        assertTrue(hold.entered.await(20, TimeUnit.SECONDS), "a Rank reached the server");
        // The snapshot waits on the server, not on timing: every call of the burst has been admitted (holding a
        // permit) or shed (counted), and the client has every refusal. The server dispatches the calls on several
        // threads, in no set order, so a count of finished calls alone may be taken while some are undecided.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until && !(shedCounter.count() + THREADS + QUEUE - executors.freePermits() >= BURST
            && calls.stream().filter(f -> f.isDone()).count() >= shedCounter.count())) {
          Thread.sleep(20);
        }
        assertEquals(0, executors.freePermits(), "the running and queued calls hold every permit");
        int peak = threads.getThreadCount();
        long ioPeak = ioPoolThreads();
        List<ListenableFuture<RankResponse>> admitted = ConcurrencyLimitGrpcTest.pendingAfterShedding(calls);
        int shed = calls.size() - admitted.size();
        assertEquals(BURST - THREADS - QUEUE, shed, "all but the running and queued calls are shed");
        assertEquals(shed, shedCounter.count());
        // Without the bound every held call would hold a thread of its own (IO) or a place in an endless queue.
        assertTrue(peak - before < BURST / 3, "threads grew from " + before + " to " + peak);
        // Admission runs on the transport's threads: the burst starts no thread of Micronaut's cached I/O pool.
        assertTrue(ioPeak - ioBefore <= 1, "I/O pool threads grew from " + ioBefore + " to " + ioPeak);
        assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "health answers while the pool is full");

        ConcurrencyLimitGrpcTest.releaseAndExpectAnswers(hold, admitted);
        // A pool's permit comes back after the call's last callback, which may run just after the client has the answer.
        long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (executors.freePermits() < THREADS + QUEUE && System.nanoTime() < drained) {
          Thread.sleep(10);
        }
        assertEquals(THREADS + QUEUE, executors.freePermits(), "the permits came back");
        assertTrue(RankingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .rank(rank(KNOWN_USER, "home_hero").build()).getBannersCount() > 0, "a Rank is admitted again");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static long ioPoolThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("io-executor-thread"))
        .count();
  }
}
