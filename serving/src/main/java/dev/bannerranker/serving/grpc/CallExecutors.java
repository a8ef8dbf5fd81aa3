package dev.bannerranker.serving.grpc;

import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.config.ServerSettings;
import dev.bannerranker.serving.limits.HeldPermit;
import dev.bannerranker.serving.limits.ShedCalls;
import io.grpc.Metadata;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthGrpc;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.order.Ordered;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the threads of each gRPC call ({@code ranker.server}). {@code IO}, the default, leaves every call on
 * Micronaut's cached I/O pool. {@code FIXED} runs Rank, RecordEvents and health checks on a fixed pool (one thread
 * per processor unless configured) with a bounded queue: the calls are short and CPU-bound, so on a machine of its own
 * the service gains nothing from more threads than cores, and after a pause the backlog drains in arrival order.
 * Reflection stays on the I/O pool, and the admin listener has its own executor. With the load generator on the same
 * two cores, runs under other load gave FIXED 10-20% less closed-loop Rank throughput than IO; on the quiet machine it
 * gave more (13,072 against 11,212/s) and the better tail, but a Rank/no-op ratio of 0.48, under the 0.5 goal,
 * because the no-op gains more (benchmarks/README.md). IO stays the default.
 *
 * <p>FIXED admits at most {@code threads + queue-size} calls to the pool at once, when the call is dispatched (before
 * any interceptor); a call beyond that is shed RESOURCE_EXHAUSTED on the dispatching thread, never queued, and a
 * health check beyond it runs on the I/O pool so probes still answer. An admitted call keeps its permit until its
 * last callback has run: gRPC runs one task of a call at a time, so the queue never holds more tasks than permits.
 */
@Singleton
public class CallExecutors implements BeanCreatedEventListener<ServerBuilder<?>>, ServerInterceptor, Ordered {
  /** Set by the executor supplier for the interceptor, with a value no client can guess; removed before handlers. */
  private static final Metadata.Key<String> ADMISSION = Metadata.Key.of("x-banner-ranker-admission",
      Metadata.ASCII_STRING_MARSHALLER);
  private static final Executor DIRECT = Runnable::run;

  private final ServerSettings settings;
  private final ShedCalls shed;
  private final ThreadPoolExecutor pool;
  private final Semaphore admission;
  private final String admitted;
  private final String refused;

  public CallExecutors(ServerSettings settings, ShedCalls shed) {
    this.settings = settings;
    this.shed = shed;
    String nonce = UUID.randomUUID().toString();
    this.admitted = nonce + ":admitted";
    this.refused = nonce + ":shed";
    if (settings.executor() == ServerSettings.Executor.FIXED) {
      int capacity = settings.poolSize() + settings.queueSize();
      this.pool = newPool(settings.poolSize(), capacity);
      this.admission = new Semaphore(capacity);
      shed.counter(RankingServiceGrpc.getRankMethod().getBareMethodName(), ShedCalls.Reason.QUEUE_FULL);
    } else {
      this.pool = null;
      this.admission = null;
    }
  }

  private static ThreadPoolExecutor newPool(int threads, int queue) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "rank-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    // Admission keeps the queue within its bound; were it ever full, the task runs on the caller's thread rather
    // than being lost.
    return new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue),
        factory, new ThreadPoolExecutor.CallerRunsPolicy());
  }

  @Override
  public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
    ServerBuilder<?> builder = event.getBean();
    if (pool != null) {
      // Calls the supplier does not claim (null) run on the builder's executor, Micronaut's I/O pool.
      builder.callExecutor(new ServerCallExecutorSupplier() {
        @Override
        public <Q, A> Executor getExecutor(ServerCall<Q, A> call, Metadata headers) {
          return admit(call.getMethodDescriptor().getServiceName(), headers);
        }
      });
    }
    return builder;
  }

  /** The executor of a call to {@code service}, marking the headers admitted or shed: the pool, direct or null. */
  Executor admit(String service, Metadata headers) {
    headers.discardAll(ADMISSION);
    if (executorFor(service) == null) {
      return null;
    }
    if (admission.tryAcquire()) {
      headers.put(ADMISSION, admitted);
      return pool;
    }
    if (HealthGrpc.SERVICE_NAME.equals(service)) {
      return null;
    }
    // The interceptor closes the call at once, on the thread that dispatched it.
    headers.put(ADMISSION, refused);
    return DIRECT;
  }

  /** The executor of a call to {@code service}: the fixed pool, or null for the server's default. */
  Executor executorFor(String service) {
    boolean ranking = RankingServiceGrpc.SERVICE_NAME.equals(service) || HealthGrpc.SERVICE_NAME.equals(service);
    return ranking ? pool : null;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String mark = pool == null ? null : headers.get(ADMISSION);
    if (mark == null) {
      return next.startCall(call, headers);
    }
    headers.discardAll(ADMISSION);
    if (mark.equals(refused)) {
      shed.shed(call, ShedCalls.Reason.QUEUE_FULL, "the server's " + settings.poolSize() + " threads and queue of "
          + settings.queueSize() + " calls are full");
      return new ServerCall.Listener<>() {};
    }
    if (!mark.equals(admitted)) {
      return next.startCall(call, headers);
    }
    return HeldPermit.start(admission, HeldPermit.Until.LAST_CALLBACK, call, headers, next);
  }

  /** Outermost: it must see every admitted call, whatever the interceptors after it decide. */
  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE;
  }

  /** The executor kind in use, for the startup line. */
  public String describe() {
    return pool == null ? "Micronaut I/O pool" : "fixed pool of " + settings.poolSize() + " threads, queue of "
        + settings.queueSize() + " calls";
  }

  /** Calls the FIXED pool would admit now (0 for IO). */
  int freePermits() {
    return admission == null ? 0 : admission.availablePermits();
  }

  @PreDestroy
  void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
