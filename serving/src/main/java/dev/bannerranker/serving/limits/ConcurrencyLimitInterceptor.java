package dev.bannerranker.serving.limits;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sheds calls over an RPC's concurrency limit ({@code ranker.limits.max-concurrent-calls.<Rpc>}) at once with
 * RESOURCE_EXHAUSTED, so overload turns into fast refusals rather than a growing queue and growing latency for
 * everyone. A permit is held from the call's start until it is closed or cancelled. Runs after authentication.
 */
@Singleton
public final class ConcurrencyLimitInterceptor implements ServerInterceptor, Ordered {
  private final Map<String, Semaphore> permits = new HashMap<>();
  private final Map<String, Counter> shed = new HashMap<>();
  private final Map<String, Integer> limits;

  public ConcurrencyLimitInterceptor(LimitSettings settings, MeterRegistry registry) {
    this.limits = new HashMap<>();
    settings.maxConcurrentCalls().forEach((rpc, n) -> {
      if (n > 0) {
        limits.put(key(rpc), n);
        permits.put(key(rpc), new Semaphore(n));
        shed.put(key(rpc), Counter.builder("ranker.calls.shed").description("Calls refused over the concurrency limit")
            .tag("rpc", key(rpc)).register(registry));
      }
    });
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String rpc = call.getMethodDescriptor().getBareMethodName();
    Semaphore semaphore = rpc == null ? null : permits.get(key(rpc));
    if (semaphore == null) {
      return next.startCall(call, headers);
    }
    if (!semaphore.tryAcquire()) {
      shed.get(key(rpc)).increment();
      call.close(Status.RESOURCE_EXHAUSTED.withDescription(rpc + " is over its limit of " + limits.get(key(rpc))
          + " calls at once; retry with backoff"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        semaphore.release();
      }
    };
    ServerCall<Q, A> releasing = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        release.run();
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(releasing, headers);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        release.run();
        super.onCancel();
      }

      @Override
      public void onComplete() {
        release.run();
        super.onComplete();
      }
    };
  }

  /** Configuration keys may be written Rank, rank or record-events; RPC names are RecordEvents. */
  private static String key(String rpc) {
    return rpc.toLowerCase(Locale.ROOT).replace("-", "");
  }

  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE + 2;
  }
}
