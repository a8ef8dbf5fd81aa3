package dev.bannerranker.serving.grpc;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The ranking gRPC server on any {@link ServerBuilder}, in the style of grpc-java's RouteGuideServer: Netty for
 * a standalone process, in-process for tests. It serves RankingService, ModelAdminService, grpc.health.v1 and
 * server reflection. The Micronaut application serves the same endpoint beans through its own gRPC server.
 */
public final class RankerServer {
  private final Server server;
  private final ServingHealth health;

  public RankerServer(ServerBuilder<?> builder, RankingEndpoint ranking, ModelAdminEndpoint admin,
      HealthStatusManager healthManager, ServingHealth health) {
    this.health = health;
    this.server = builder.addService(ranking).addService(admin).addService(healthManager.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance()).build();
  }

  public RankerServer start() throws IOException {
    server.start();
    return this;
  }

  /** The bound port (-1 for in-process transports). */
  public int port() {
    return server.getPort();
  }

  /**
   * Graceful stop: health turns NOT_SERVING, new calls are refused, calls in flight get up to {@code grace} to
   * finish, and whatever is left after that is cancelled.
   */
  public void stop(Duration grace) throws InterruptedException {
    health.shutdown();
    server.shutdown();
    if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Waits for the server to terminate; the main thread of a standalone process parks here. */
  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }
}
