package dev.bannerranker.serving.security;

import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/**
 * Checks ReloadModel's bundle_dir with {@link ModelPaths} before the endpoint sees it, and hands the endpoint the
 * resolved directory below the models root ({@code ranker.model.models-root}); a refused name answers at once.
 */
@Singleton
public final class ModelPathGuard implements ServerInterceptor, Ordered {
  private static final String RELOAD = ModelAdminServiceGrpc.getReloadModelMethod().getFullMethodName();

  private final ModelPaths paths;

  public ModelPathGuard(@Value("${ranker.model.models-root:}") String modelsRoot) {
    this.paths = new ModelPaths(modelsRoot == null || modelsRoot.isBlank() ? null : Path.of(modelsRoot.strip()));
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (!call.getMethodDescriptor().getFullMethodName().equals(RELOAD)) {
      return listener;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      private boolean refused;

      @Override
      @SuppressWarnings("unchecked")
      public void onMessage(Q message) {
        ReloadModelRequest request = (ReloadModelRequest) message;
        if (request.getBundleDir().isEmpty()) {
          super.onMessage(message);
          return;
        }
        Path dir;
        try {
          dir = paths.resolve(request.getBundleDir());
        } catch (StatusRuntimeException e) {
          refused = true;
          call.close(e.getStatus(), new Metadata());
          return;
        }
        super.onMessage((Q) request.toBuilder().setBundleDir(dir.toString()).build());
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE + 2;
  }
}
