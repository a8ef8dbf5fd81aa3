package dev.bannerranker.serving;

import dev.bannerranker.bundle.BundleException;
import dev.bannerranker.serving.config.ModelSettings;
import dev.bannerranker.serving.grpc.ServingHealth;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.BundleWatcher;
import dev.bannerranker.serving.model.ModelRefusedException;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.model.ModelVersions;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Loads the configured bundles when the application starts (before the servers accept calls), starts the
 * bundle watch, and turns health NOT_SERVING as soon as shutdown begins; the gRPC server then drains calls in
 * flight for up to {@code grpc.server.await-termination}. A configured bundle that is refused at start stops the
 * start with a {@link BundleException}, before the servers open their ports; only an empty
 * {@code ranker.model.bundle} starts without a model.
 */
@Context
public class ModelLifecycle {
  private final ModelRegistry registry;
  private final ModelSettings settings;
  private final ServingHealth health;
  private final ModelVersions versions;
  private BundleWatcher watcher;

  public ModelLifecycle(ModelRegistry registry, ModelSettings settings, @Nullable HealthStatusManager healthManager) {
    this(registry, settings, healthManager, new ModelVersions(registry, null));
  }

  @Inject
  public ModelLifecycle(ModelRegistry registry, ModelSettings settings, @Nullable HealthStatusManager healthManager,
      ModelVersions versions) {
    this.registry = registry;
    this.settings = settings;
    this.versions = versions;
    this.health = healthManager == null ? null : new ServingHealth(healthManager, registry);
    if (health != null) {
      registry.addListener(health);
    }
  }

  @PostConstruct
  void start() {
    if (versions.enabled()) {
      if (!settings.bundle().isEmpty()) {
        throw new BundleException("ranker.model.bundle and ranker.model.models-root are exclusive; set one");
      }
      try {
        versions.start(settings.modelVersion());
      } catch (ModelRefusedException e) {
        throw new BundleException("the models root " + versions.root() + ": " + e.getMessage(), e);
      }
      if (settings.watch() && settings.modelVersion() == 0) {
        versions.watch(settings.watchInterval());
      }
    } else if (settings.modelVersion() > 0) {
      throw new BundleException("ranker.model.model-version needs ranker.model.models-root");
    }
    Map<Arm, Path> dirs = new EnumMap<>(Arm.class);
    if (!settings.bundle().isEmpty()) {
      dirs.put(Arm.CONTROL, Path.of(settings.bundle()));
    }
    if (!settings.treatmentBundle().isEmpty()) {
      dirs.put(Arm.TREATMENT, Path.of(settings.treatmentBundle()));
    }
    dirs.forEach((arm, dir) -> {
      try {
        registry.load(arm, dir);
      } catch (ModelRefusedException e) {
        // Serving without the model the operator named (or an A/B test without its treatment) would only hide the
        // mistake; hot swaps later keep the old model instead, since then there is one.
        throw new BundleException("the " + arm.label() + " bundle " + dir + " was refused: " + e.getMessage(), e);
      }
    });
    if (settings.watch() && !dirs.isEmpty()) {
      watcher = new BundleWatcher(registry, dirs);
      watcher.start(settings.watchInterval());
    }
  }

  /** The watcher, when watching; tests poke it instead of waiting. */
  public BundleWatcher watcher() {
    return watcher;
  }

  @EventListener
  void onShutdown(ServerShutdownEvent event) {
    if (health != null) {
      health.shutdown();
    }
  }

  @PreDestroy
  void stop() {
    if (watcher != null) {
      watcher.close();
    }
    versions.close();
  }
}
