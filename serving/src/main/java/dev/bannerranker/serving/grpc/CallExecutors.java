package dev.bannerranker.serving.grpc;

import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.config.ServerSettings;
import dev.bannerranker.serving.limits.HeldPermit;
import dev.bannerranker.serving.limits.LimitSettings;
import dev.bannerranker.serving.limits.ShedCalls;
import dev.bannerranker.serving.limits.StandingQueueLimit;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthGrpc;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
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
 * Chooses the threads of each gRPC call ({@code ranker.server}). {@code FIXED}, the default, runs Rank and health
 * checks on a fixed pool (one thread per processor unless configured) and the writes (RecordEvents, UpsertProfiles) on
 * a second fixed pool, each with a bounded queue. Rank is short and CPU-bound, so the service gains nothing from more
 * threads than cores, and after a pause the backlog drains in arrival order; a write mostly waits for its synced
 * write-ahead log or for Redis, and concurrent writes share one sync, so that pool is larger. Two pools also keep a
 * slow disk from taking Rank's threads. Admission and reflection run on the transport's threads, and the admin listener
 * has its own executor.
 * {@code IO} leaves every call on Micronaut's cached I/O pool, whose thread count follows the number of calls in
 * flight.
 *
 * <p>Each pool admits at most its {@code threads + queue-size} calls at once, when the call is dispatched (before any
 * interceptor); a call beyond that is shed RESOURCE_EXHAUSTED on the transport thread, never queued, and a health check
 * beyond it runs on the transport thread so probes still answer. An admitted call keeps its permit until its last
 * callback has run: gRPC runs one task of a call at a time, so a queue never holds more tasks than permits.
 */
@Singleton
public class CallExecutors implements BeanCreatedEventListener<ServerBuilder<?>>, ServerInterceptor, Ordered {
  /** Set by the executor supplier for the interceptor, with a value no client can guess; removed before handlers. */
  private static final Metadata.Key<String> ADMISSION = Metadata.Key.of("x-banner-ranker-admission",
      Metadata.ASCII_STRING_MARSHALLER);
  private static final Executor DIRECT = Runnable::run;

  /** A fixed pool and the permits that bound the calls it holds, running and queued. */
  private record Lane(String name, int threads, ThreadPoolExecutor pool, Semaphore admission, String admitted) {}

  private final ServerSettings settings;
  private final ShedCalls shed;
  private final Lane rank;
  private final Lane write;
  private final String refused;
  private final String overLimit;
  /**
   * Rank's concurrency limit, counted here over the Rank pool's calls running and queued, so that what waits in the
   * queue counts; null without the pool or without a Rank limit (the interceptor then keeps Rank's limit).
   */
  private final StandingQueueLimit rankLimit;
  /** Ranks admitted to the pool and not yet answered: queued and running (the lane's permits last a little longer). */
  private final AtomicInteger ranksInFlight = new AtomicInteger();

  /** Without a Rank limit of its own. */
  public CallExecutors(ServerSettings settings, ShedCalls shed) {
    this(settings, shed, null);
  }

  @Inject
  public CallExecutors(ServerSettings settings, ShedCalls shed, @Nullable LimitSettings limits) {
    this.settings = settings;
    this.shed = shed;
    String nonce = UUID.randomUUID().toString();
    this.refused = nonce + ":shed";
    this.overLimit = nonce + ":over-limit";
    if (settings.executor() == ServerSettings.Executor.FIXED) {
      this.rank = lane("rank", settings.poolSize(), nonce);
      this.write = lane("write", settings.writePoolSize(), nonce);
      shed.counter(RankingServiceGrpc.getRankMethod().getBareMethodName(), ShedCalls.Reason.QUEUE_FULL);
      shed.counter(RankingServiceGrpc.getRecordEventsMethod().getBareMethodName(), ShedCalls.Reason.QUEUE_FULL);
      Integer ceiling = limits == null ? null : limits.limits().get("rank");
      this.rankLimit = ceiling == null || limits.rankStandingQueue() == 0 ? null
          : new StandingQueueLimit(rank.threads(),
              Math.min(ceiling, limits.rankStandingQueue() * rank.threads()), ceiling);
    } else {
      this.rank = null;
      this.write = null;
      this.rankLimit = null;
    }
  }

  /** Rank's limit when the Rank pool keeps it (see the field), else null. */
  public StandingQueueLimit rankLimit() {
    return rankLimit;
  }

  private Lane lane(String name, int threads, String nonce) {
    int capacity = threads + settings.queueSize();
    // A busy Rank thread would keep its core for a whole scheduler slice while the transport thread, which reads the
    // next requests and writes the finished answers, waits behind it; a yield after each task lets it run between
    // Ranks (with no thread waiting for the core the yield returns at once). Writes mostly wait on I/O anyway.
    Runnable afterTask = "rank".equals(name) ? Thread::yield : null;
    return new Lane(name, threads, newPool(name, threads, capacity, afterTask), new Semaphore(capacity),
        nonce + ":admitted:" + name);
  }

  /** A fixed pool of {@code threads} named {@code name-N}; {@code afterTask}, when not null, runs after each task. */
  static ThreadPoolExecutor newPool(String name, int threads, int queue, Runnable afterTask) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    // Admission keeps the queue within its bound; were it ever full, the task runs on the caller's thread rather
    // than being lost.
    return new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue),
        factory, new ThreadPoolExecutor.CallerRunsPolicy()) {
      @Override
      protected void afterExecute(Runnable task, Throwable failure) {
        if (afterTask != null) {
          afterTask.run();
        }
      }
    };
  }

  @Override
  public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
    ServerBuilder<?> builder = event.getBean();
    if (rank != null) {
      // gRPC runs each call's first step (finding the method, then asking the supplier) on the builder's executor.
      // On Micronaut's cached I/O pool that step alone grew a thread per call in flight under overload; run it on
      // the transport thread instead, so admission costs no thread. Calls the supplier does not claim (null:
      // reflection, a health check beyond the bound) then run there too; both are short.
      builder.directExecutor();
      builder.callExecutor(new ServerCallExecutorSupplier() {
        @Override
        public <Q, A> Executor getExecutor(ServerCall<Q, A> call, Metadata headers) {
          return admit(call.getMethodDescriptor(), headers);
        }
      });
    }
    return builder;
  }

  /** The executor of a call to {@code method}, marking the headers admitted or shed: a pool, direct or null. */
  Executor admit(MethodDescriptor<?, ?> method, Metadata headers) {
    headers.discardAll(ADMISSION);
    Lane lane = laneFor(method);
    if (lane == null) {
      return null;
    }
    boolean isRank = lane == rank && rankLimit != null && !HealthGrpc.SERVICE_NAME.equals(method.getServiceName());
    // Ranks queued and running, this one included: the standing queue the limit watches.
    int inFlight = isRank ? ranksInFlight.incrementAndGet() : 0;
    if (isRank && inFlight > rankLimit.limit()) {
      ranksInFlight.decrementAndGet();
      headers.put(ADMISSION, overLimit);
      return DIRECT;
    }
    if (lane.admission().tryAcquire()) {
      headers.put(ADMISSION, isRank ? lane.admitted() + ":" + inFlight : lane.admitted());
      return lane.pool();
    }
    if (isRank) {
      ranksInFlight.decrementAndGet();
    }
    if (HealthGrpc.SERVICE_NAME.equals(method.getServiceName())) {
      return null;
    }
    // The interceptor closes the call at once, on the thread that dispatched it.
    headers.put(ADMISSION, refused);
    return DIRECT;
  }

  /** The pool of a call to {@code method}, or null for the server's default. */
  private Lane laneFor(MethodDescriptor<?, ?> method) {
    if (rank == null) {
      return null;
    }
    if (HealthGrpc.SERVICE_NAME.equals(method.getServiceName())
        || RankingServiceGrpc.getRankMethod().getFullMethodName().equals(method.getFullMethodName())) {
      return rank;
    }
    return RankingServiceGrpc.SERVICE_NAME.equals(method.getServiceName()) ? write : null;
  }

  /** The executor of a call to {@code method}: a fixed pool, or null for the server's default. */
  Executor executorFor(MethodDescriptor<?, ?> method) {
    Lane lane = laneFor(method);
    return lane == null ? null : lane.pool();
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String mark = rank == null ? null : headers.get(ADMISSION);
    if (mark == null) {
      return next.startCall(call, headers);
    }
    headers.discardAll(ADMISSION);
    if (mark.equals(refused)) {
      Lane lane = laneFor(call.getMethodDescriptor());
      shed.shed(call, ShedCalls.Reason.QUEUE_FULL, "the server's " + lane.threads() + " " + lane.name()
          + " threads and queue of " + settings.queueSize() + " calls are full");
      return new ServerCall.Listener<>() {};
    }
    if (mark.equals(overLimit)) {
      shed.shed(call, ShedCalls.Reason.CONCURRENCY_LIMIT, call.getMethodDescriptor().getBareMethodName()
          + " is over its limit of " + rankLimit.limit() + " calls at once");
      return new ServerCall.Listener<>() {};
    }
    if (rank != null && mark.startsWith(rank.admitted() + ":")) {
      int inFlight = Integer.parseInt(mark.substring(rank.admitted().length() + 1));
      // The pool's permit until no task of the call is left; the limit's count until the answer is sent.
      return HeldPermit.start(rank.admission(), HeldPermit.Until.LAST_CALLBACK, call, headers,
          (started, h) -> HeldPermit.start(() -> {
            ranksInFlight.decrementAndGet();
            rankLimit.onSample(System.nanoTime(), inFlight);
          }, HeldPermit.Until.CLOSE, started, h, next));
    }
    for (Lane lane : new Lane[] {rank, write}) {
      if (mark.equals(lane.admitted())) {
        return HeldPermit.start(lane.admission(), HeldPermit.Until.LAST_CALLBACK, call, headers, next);
      }
    }
    return next.startCall(call, headers);
  }

  /** Outermost: it must see every admitted call, whatever the interceptors after it decide. */
  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE;
  }

  /** The executor kind in use, for the startup line. */
  public String describe() {
    return rank == null ? "Micronaut I/O pool" : "fixed pools: Rank " + rank.threads() + " threads, writes "
        + write.threads() + " threads, a queue of " + settings.queueSize() + " calls each";
  }

  /** Calls the Rank pool would admit now (0 for IO). */
  int freePermits() {
    return rank == null ? 0 : rank.admission().availablePermits();
  }

  @PreDestroy
  void close() {
    if (rank != null) {
      rank.pool().shutdown();
      write.pool().shutdown();
    }
  }
}
