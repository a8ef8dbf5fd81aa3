package dev.bannerranker.serving.grpc;

import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.config.ServerSettings;
import io.grpc.Metadata;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.health.v1.HealthGrpc;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the threads of each gRPC call ({@code ranker.server}). {@code IO}, the default, leaves every call on
 * Micronaut's cached I/O pool. {@code FIXED} runs Rank, RecordEvents and health checks on a fixed pool (one thread
 * per processor unless configured) with a queue: the calls are short and CPU-bound, so on a machine of its own the
 * service gains nothing from more threads than cores, and after a pause the backlog drains in arrival order.
 * ReloadModel, GetModelStatus and reflection, which may block for seconds while a bundle loads, stay on the I/O
 * pool so they never hold a ranking thread. With the load generator on the same two cores, runs under other load
 * gave FIXED 10-20% less closed-loop Rank throughput than IO; on the quiet machine it gave more (13,072 against
 * 11,212/s) and the better tail, but a Rank/no-op ratio of 0.48, under the 0.5 goal, because the no-op gains more
 * (benchmarks/README.md). IO stays the default.
 */
@Singleton
public class CallExecutors implements BeanCreatedEventListener<ServerBuilder<?>> {
  private final ServerSettings settings;
  private final ExecutorService pool;

  public CallExecutors(ServerSettings settings) {
    this.settings = settings;
    this.pool = settings.executor() == ServerSettings.Executor.FIXED ? newPool(settings.poolSize()) : null;
  }

  private static ExecutorService newPool(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "rank-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    return new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
  }

  @Override
  public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
    ServerBuilder<?> builder = event.getBean();
    if (pool != null) {
      // Calls the supplier does not claim (null) run on the builder's executor, Micronaut's I/O pool.
      builder.callExecutor(new ServerCallExecutorSupplier() {
        @Override
        public <ReqT, RespT> java.util.concurrent.Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
          return executorFor(call.getMethodDescriptor().getServiceName());
        }
      });
    }
    return builder;
  }

  /** The executor of a call to {@code service}: the fixed pool, or null for the server's default. */
  java.util.concurrent.Executor executorFor(String service) {
    boolean ranking = RankingServiceGrpc.SERVICE_NAME.equals(service) || HealthGrpc.SERVICE_NAME.equals(service);
    return ranking ? pool : null;
  }

  /** The executor kind in use, for the startup line. */
  public String describe() {
    return pool == null ? "Micronaut I/O pool" : "fixed pool of " + settings.poolSize() + " threads";
  }

  @PreDestroy
  void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
