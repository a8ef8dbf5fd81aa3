package dev.bannerranker.serving.limits;

import dev.bannerranker.serving.config.ServerSettings;
import dev.bannerranker.serving.grpc.CallExecutors;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Sheds calls over an RPC's concurrency limit ({@link LimitSettings}) at once with RESOURCE_EXHAUSTED, so overload
 * turns into fast refusals rather than a growing queue and growing latency for everyone. A permit is held from the
 * call's start until it is closed or cancelled. Under sustained overload Rank's limit falls ({@link
 * StandingQueueLimit}) unless {@code ranker.limits.rank-standing-queue} is 0; it never goes below that many calls per
 * Rank thread, so the pool stays busy.
 * Runs after authentication.
 */
@Singleton
public final class ConcurrencyLimitInterceptor implements ServerInterceptor, Ordered {
  private static final String RANK = "rank";

  private final Map<String, Semaphore> permits = new HashMap<>();
  private final Map<String, Integer> limits;
  private final ShedCalls shed;
  /** Rank's limit when it falls under overload and is kept here, else null. */
  private final StandingQueueLimit rankLimit;
  /** Rank's limit when the Rank pool keeps it, else null: Rank then passes here unlimited. */
  private final StandingQueueLimit poolLimit;
  private final AtomicInteger rankInFlight = new AtomicInteger();

  public ConcurrencyLimitInterceptor(LimitSettings settings, ServerSettings server, ShedCalls shed,
      MeterRegistry registry, CallExecutors executors) {
    this.limits = settings.limits();
    this.shed = shed;
    Integer rank = limits.get(RANK);
    // With the fixed pools the Rank pool keeps Rank's limit over its running and queued calls (CallExecutors); here
    // only the calls already started would be seen, after their wait in the queue.
    this.poolLimit = executors.rankLimit();
    // With the IO executor each call has a thread of its own, so the processors bound the calls running at once.
    int threads = server.executor() == ServerSettings.Executor.FIXED ? server.poolSize()
        : Runtime.getRuntime().availableProcessors();
    this.rankLimit = rank == null || settings.rankStandingQueue() == 0 || poolLimit != null ? null
        : new StandingQueueLimit(threads, Math.min(rank, settings.rankStandingQueue() * threads), rank);
    limits.forEach((rpc, n) -> {
      StandingQueueLimit dynamic = RANK.equals(rpc) ? (poolLimit != null ? poolLimit : rankLimit) : null;
      if (dynamic != null) {
        Gauge.builder("ranker.concurrency.limit", dynamic, StandingQueueLimit::limit).tag("rpc", rpc)
            .description("Calls of an RPC that may be in flight at once now").register(registry);
        FunctionCounter.builder("ranker.concurrency.limit.drops", dynamic, StandingQueueLimit::drops).tag("rpc", rpc)
            .description("Times a standing queue dropped the RPC's concurrency limit to its floor").register(registry);
      } else {
        permits.put(rpc, new Semaphore(n));
        Gauge.builder("ranker.concurrency.limit", () -> n).tag("rpc", rpc)
            .description("Calls of an RPC that may be in flight at once now").register(registry);
      }
      shed.counter(rpc, ShedCalls.Reason.CONCURRENCY_LIMIT); // exported from the start, so alerts see a zero
    });
  }

  /** The limits in force, by lower-case RPC name, for the startup line: for one that falls under overload, its ceiling. */
  public Map<String, Integer> limits() {
    return Map.copyOf(limits);
  }

  /** The limits in force, e.g. {@code rank up to 32 (lower under overload), recordevents 32 calls at once}. */
  public String describe() {
    if (limits.isEmpty()) {
      return "none (ranker.limits.max-concurrent-calls)";
    }
    return new TreeMap<>(limits).entrySet().stream().map(e -> RANK.equals(e.getKey())
        && (rankLimit != null || poolLimit != null)
        ? e.getKey() + " up to " + e.getValue() + " (lower under overload)" : e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", ")) + " calls at once";
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String rpc = call.getMethodDescriptor().getBareMethodName();
    String key = rpc == null ? null : LimitSettings.key(rpc);
    if (rankLimit != null && RANK.equals(key)) {
      return startRank(rpc, call, headers, next);
    }
    Semaphore semaphore = key == null || RANK.equals(key) && poolLimit != null ? null : permits.get(key);
    if (semaphore == null) {
      return next.startCall(call, headers);
    }
    if (!semaphore.tryAcquire()) {
      shed.shed(call, ShedCalls.Reason.CONCURRENCY_LIMIT, rpc + " is over its limit of " + limits.get(key)
          + " calls at once");
      return new ServerCall.Listener<>() {};
    }
    return HeldPermit.start(semaphore, HeldPermit.Until.CLOSE, call, headers, next);
  }

  private <Q, A> ServerCall.Listener<Q> startRank(String rpc, ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    int inFlight = rankInFlight.incrementAndGet();
    int limit = rankLimit.limit();
    if (inFlight > limit) {
      rankInFlight.decrementAndGet();
      shed.shed(call, ShedCalls.Reason.CONCURRENCY_LIMIT, rpc + " is over its limit of " + limit + " calls at once");
      return new ServerCall.Listener<>() {};
    }
    ServerCall<Q, A> timed = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (status.isOk()) { // a refused request is quick and says nothing about the load
          rankLimit.onSample(System.nanoTime(), inFlight);
        }
        super.close(status, trailers);
      }
    };
    return HeldPermit.start(rankInFlight::decrementAndGet, HeldPermit.Until.CLOSE, timed, headers, next);
  }

  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE + 3;
  }
}
