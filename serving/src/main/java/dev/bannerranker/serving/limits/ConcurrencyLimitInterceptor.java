package dev.bannerranker.serving.limits;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Sheds calls over an RPC's concurrency limit ({@link LimitSettings}) at once with RESOURCE_EXHAUSTED, so overload
 * turns into fast refusals rather than a growing queue and growing latency for everyone. A permit is held from the
 * call's start until it is closed or cancelled. Runs after authentication.
 */
@Singleton
public final class ConcurrencyLimitInterceptor implements ServerInterceptor, Ordered {
  private final Map<String, Semaphore> permits = new HashMap<>();
  private final Map<String, Integer> limits;
  private final ShedCalls shed;

  public ConcurrencyLimitInterceptor(LimitSettings settings, ShedCalls shed) {
    this.limits = settings.limits();
    this.shed = shed;
    limits.forEach((rpc, n) -> {
      permits.put(rpc, new Semaphore(n));
      shed.counter(rpc, ShedCalls.Reason.CONCURRENCY_LIMIT); // exported from the start, so alerts see a zero
    });
  }

  /** The limits in force, by lower-case RPC name, for the startup line. */
  public Map<String, Integer> limits() {
    return Map.copyOf(limits);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String rpc = call.getMethodDescriptor().getBareMethodName();
    Semaphore semaphore = rpc == null ? null : permits.get(LimitSettings.key(rpc));
    if (semaphore == null) {
      return next.startCall(call, headers);
    }
    if (!semaphore.tryAcquire()) {
      shed.shed(call, ShedCalls.Reason.CONCURRENCY_LIMIT, rpc + " is over its limit of "
          + limits.get(LimitSettings.key(rpc)) + " calls at once");
      return new ServerCall.Listener<>() {};
    }
    return HeldPermit.start(semaphore, HeldPermit.Until.CLOSE, call, headers, next);
  }

  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE + 3;
  }
}
