package dev.bannerranker.serving.limits;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/** A permit an admitted call holds while it runs, given back exactly once. */
public final class HeldPermit {
  private HeldPermit() {}

  /** When the permit is given back. */
  public enum Until {
    /** When the call is closed (its answer sent) or cancelled: the next call may start at once. */
    CLOSE,
    /** After the call's last callback (complete or cancel) has run: no task of the call is left anywhere. */
    LAST_CALLBACK
  }

  /**
   * Starts the call with {@code next}, holding one permit of {@code permits} (already acquired) until {@code until};
   * a start that throws gives it back at once.
   */
  public static <Q, A> ServerCall.Listener<Q> start(Semaphore permits, Until until, ServerCall<Q, A> call,
      Metadata headers, ServerCallHandler<Q, A> next) {
    return start(permits::release, until, call, headers, next);
  }

  /** As {@link #start(Semaphore, Until, ServerCall, Metadata, ServerCallHandler)}, with {@code giveBack} run once. */
  public static <Q, A> ServerCall.Listener<Q> start(Runnable giveBack, Until until, ServerCall<Q, A> call,
      Metadata headers, ServerCallHandler<Q, A> next) {
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        giveBack.run();
      }
    };
    ServerCall<Q, A> started = until == Until.LAST_CALLBACK ? call : new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        release.run();
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(started, headers);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          release.run();
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          release.run();
        }
      }
    };
  }
}
