package dev.bannerranker.serving.limits;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The one way a call is shed: RESOURCE_EXHAUSTED at once, with a message that says to retry with backoff, counted
 * in {@code ranker_calls_shed_total{rpc, reason}}.
 */
@Singleton
public final class ShedCalls {
  /** Why a call was shed: its RPC's concurrency limit, or the FIXED executor's queue. */
  public enum Reason {
    CONCURRENCY_LIMIT("concurrency_limit"), QUEUE_FULL("queue_full");

    private final String tag;

    Reason(String tag) {
      this.tag = tag;
    }
  }

  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

  public ShedCalls(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The counter of {@code rpc} (a method name, any case) shed for {@code reason}; registered on first use. */
  public Counter counter(String rpc, Reason reason) {
    String name = rpc.toLowerCase(Locale.ROOT);
    return counters.computeIfAbsent(name + '/' + reason.tag, k -> Counter.builder("ranker.calls.shed")
        .description("Calls answered RESOURCE_EXHAUSTED at once: over an RPC's concurrency limit, or the call "
            + "executor's queue full").tag("rpc", name).tag("reason", reason.tag).register(registry));
  }

  /** Closes {@code call} RESOURCE_EXHAUSTED and counts it. */
  public void shed(ServerCall<?, ?> call, Reason reason, String why) {
    String rpc = call.getMethodDescriptor().getBareMethodName();
    counter(rpc == null ? "unknown" : rpc, reason).increment();
    call.close(Status.RESOURCE_EXHAUSTED.withDescription(why + "; retry with backoff"), new Metadata());
  }
}
