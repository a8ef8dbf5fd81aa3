package dev.bannerranker.serving.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds the first Rank call (or the first {@code test.hold-count} calls of {@code test.hold-method}) at the server
 * until the test releases it, so a call is in flight while the server shuts down, and tells the test when the server
 * answered the first. Registered as a bean, the way any interceptor joins Micronaut's gRPC server, only in contexts
 * with {@code test.hold-first-rank=true}.
 */
@Singleton
@Requires(property = "test.hold-first-rank", value = "true")
final class HoldingInterceptor implements ServerInterceptor {
  final CountDownLatch entered = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  /** The status the server closed the held call with. */
  final CompletableFuture<Status> answered = new CompletableFuture<>();
  /** Calls of the method seen so far. */
  final AtomicInteger seen = new AtomicInteger();
  private final String method;
  private final int count;

  HoldingInterceptor(@Value("${test.hold-method:Rank}") String method, @Value("${test.hold-count:1}") int count) {
    this.method = method;
    this.count = count;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    if (!call.getMethodDescriptor().getBareMethodName().equals(method) || seen.incrementAndGet() > count) {
      return next.startCall(call, headers);
    }
    entered.countDown();
    try {
      // Bounded, so a failing test cannot hang the build.
      release.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        answered.complete(status);
        super.close(status, trailers);
      }
    }, headers);
  }
}
