package dev.bannerranker.serving.grpc;

import dev.bannerranker.serving.ranking.DeadlineExpiredException;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import dev.bannerranker.serving.ranking.NoModelException;
import dev.bannerranker.serving.store.StoreUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place domain failures become status codes: a client's mistake is INVALID_ARGUMENT, a missing model
 * UNAVAILABLE, a passed deadline DEADLINE_EXCEEDED; only a bug is INTERNAL, and it is logged.
 */
final class GrpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  /** Runs a unary call: the answer goes to the observer, or the mapped status. */
  static <T> void unary(String rpc, StreamObserver<T> observer, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (RuntimeException e) {
      observer.onError(toStatus(rpc, e));
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  static StatusRuntimeException toStatus(String rpc, RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof InvalidRequestException invalid) {
      LOG.atDebug().addKeyValue("rpc", rpc).addKeyValue("field", invalid.field()).log(invalid.getMessage());
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof StoreUnavailableException) {
      LOG.atWarn().addKeyValue("rpc", rpc).log(e.getMessage());
      return Status.UNAVAILABLE.withDescription("the user store is unavailable; retry").asRuntimeException();
    }
    if (e instanceof NoModelException) {
      return Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof DeadlineExpiredException) {
      return Status.DEADLINE_EXCEEDED.withDescription(e.getMessage()).asRuntimeException();
    }
    LOG.atError().setCause(e).addKeyValue("rpc", rpc).log("{} failed", rpc);
    return Status.INTERNAL.withDescription("internal error; see the server log").asRuntimeException();
  }
}
