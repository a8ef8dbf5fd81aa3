package dev.bannerranker.serving.grpc;

import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelListener;
import dev.bannerranker.serving.model.ModelRegistry;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps grpc.health.v1 in step with the models: the server ("") and RankingService are SERVING while the
 * control arm has a model, NOT_SERVING otherwise and from the start of shutdown, so load balancers drain the
 * instance before it stops.
 */
public final class ServingHealth implements ModelListener {
  private final HealthStatusManager health;
  private final ModelRegistry registry;
  private final AtomicBoolean terminal = new AtomicBoolean();

  public ServingHealth(HealthStatusManager health, ModelRegistry registry) {
    this.health = health;
    this.registry = registry;
    health.setStatus(ModelAdminServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    update();
  }

  private void update() {
    ServingStatus s = registry.current().control() != null ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, s);
    health.setStatus(RankingServiceGrpc.SERVICE_NAME, s);
  }

  @Override
  public void loaded(Arm arm, ModelGeneration generation, ModelGeneration previous) {
    update();
  }

  @Override
  public void refused(Arm arm, Path dir, String reason) {
    // a refusal changes nothing that serves
  }

  /** Every service NOT_SERVING from now on; later calls do nothing. */
  public void shutdown() {
    if (terminal.compareAndSet(false, true)) {
      health.enterTerminalState();
    }
  }
}
