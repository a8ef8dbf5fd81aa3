package dev.bannerranker.serving.grpc;

import dev.bannerranker.serving.model.ModelRefusedException;
import dev.bannerranker.serving.model.NoPreviousModelException;
import dev.bannerranker.serving.ranking.DeadlineExpiredException;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import dev.bannerranker.serving.ranking.NoModelException;
import dev.bannerranker.serving.security.ClientText;
import dev.bannerranker.serving.store.StoreUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place domain failures become status codes: a client's mistake is INVALID_ARGUMENT, a missing model
 * UNAVAILABLE, a passed deadline DEADLINE_EXCEEDED, a refused bundle FAILED_PRECONDITION; only a bug is INTERNAL,
 * and it is logged.
 */
final class GrpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);
  /** The last guard on a message that may hold client text; each value in it is already cut (ClientText). */
  private static final int MAX_DESCRIPTION = 2048;

  private GrpcErrors() {}

  /** The body of a unary call; only ReloadModel can refuse a bundle. */
  @FunctionalInterface
  interface Call<T> {
    T answer() throws ModelRefusedException;
  }

  /** Runs a unary call: the answer goes to the observer, or the mapped status. */
  static <T> void unary(String rpc, StreamObserver<T> observer, Call<T> call) {
    T response;
    try {
      response = call.answer();
    } catch (ModelRefusedException e) {
      observer.onError(Status.FAILED_PRECONDITION.withDescription(ClientText.cap(e.getMessage(), MAX_DESCRIPTION))
          .asRuntimeException());
      return;
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
      String message = ClientText.cap(invalid.getMessage(), MAX_DESCRIPTION);
      LOG.atDebug().addKeyValue("rpc", rpc).addKeyValue("field", invalid.field()).log(message);
      return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
    if (e instanceof StoreUnavailableException) {
      LOG.atWarn().addKeyValue("rpc", rpc).log(e.getMessage());
      return Status.UNAVAILABLE.withDescription("the user store is unavailable; retry").asRuntimeException();
    }
    if (e instanceof NoPreviousModelException) {
      return Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
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
