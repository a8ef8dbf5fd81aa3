package dev.bannerranker.serving;

import dev.bannerranker.serving.config.EligibilitySettings;
import dev.bannerranker.serving.config.ModelSettings;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.log.LogSettings;
import dev.bannerranker.serving.log.ServingLog;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ServingModels;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.model.ModelVersions;
import dev.bannerranker.serving.ranking.Eligibility;
import dev.bannerranker.serving.ranking.EventRecorder;
import dev.bannerranker.serving.ranking.Ordering;
import dev.bannerranker.serving.ranking.RankingService;
import dev.bannerranker.serving.users.ProfileStore;
import dev.bannerranker.serving.users.UserStateStore;
import io.grpc.BindableService;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Wires the plain-Java pipeline into Micronaut. The domain classes know nothing of the container, so tests
 * build them by hand.
 */
@Factory
public class ServingBeans {
  /** Latency buckets for the gRPC interceptor's per-RPC timer, so dashboards get p50/p95/p99 per RPC. */
  static final String GRPC_SERVER_TIMER = "grpc.server.processing.duration";

  @Singleton
  RankerMetrics metrics(MeterRegistry registry) {
    return new RankerMetrics(registry);
  }

  @Singleton
  ProfileStore profiles(UserSettings settings) {
    return settings.dataDir().isEmpty() ? ProfileStore.empty()
        : ProfileStore.load(Path.of(settings.dataDir()), settings.bootstrapHistory(), settings.activityCapacity());
  }

  @Singleton
  UserStateStore users(UserSettings settings, ProfileStore profiles, RankerMetrics metrics) {
    UserStateStore store = new UserStateStore(settings, profiles);
    metrics.bindUserCache(store.cache());
    return store;
  }

  @Singleton
  ModelRegistry registry(ModelSettings settings, RankerMetrics metrics) {
    ModelRegistry registry = new ModelRegistry(settings.treatmentPercent(), settings.abSalt());
    registry.addListener(metrics);
    return registry;
  }

  /** The models root of {@code ranker.model.models-root}; disabled when that is empty. */
  @Singleton
  ModelVersions modelVersions(ModelSettings settings, ModelRegistry registry) {
    return new ModelVersions(registry, settings.modelsRoot().isEmpty() ? null : Path.of(settings.modelsRoot()));
  }

  @Singleton
  RankingService ranking(ModelRegistry registry, UserStateStore users, EligibilitySettings eligibility,
      OrderingSettings ordering, RankerMetrics metrics, RequestSettings limits, ServingLog log) {
    return new RankingService(registry, users, new Eligibility(eligibility), new Ordering(ordering), metrics, limits,
        ordering, log);
  }

  @Singleton
  EventRecorder events(ModelRegistry registry, UserStateStore users, RankerMetrics metrics, RequestSettings limits,
      ServingLog log) {
    return new EventRecorder(registry, users, metrics, limits, log);
  }

  /** The serving log when {@code ranker.log.dir} is set; it snapshots the catalogs of the models already serving. */
  @Singleton
  @Bean(preDestroy = "close")
  ServingLog servingLog(LogSettings settings, RequestSettings limits, ModelRegistry registry, MeterRegistry meters)
      throws IOException {
    if (!settings.enabled()) {
      return ServingLog.OFF;
    }
    String version = ServingLog.class.getPackage().getImplementationVersion();
    ServingLog log = new ServingLog(settings, limits, meters, Clock.systemUTC(), version == null ? "dev" : version);
    registry.addListener(log);
    ServingModels current = registry.current();
    for (Arm arm : Arm.values()) {
      if (current.generation(arm) != null) {
        log.loaded(arm, current.generation(arm), null);
      }
    }
    return log;
  }

  @Singleton
  @Named("reflection-v1")
  BindableService reflection() {
    return ProtoReflectionServiceV1.newInstance();
  }

  /** Older grpcurl and IDE clients speak only v1alpha reflection. */
  @Singleton
  @Named("reflection-v1alpha")
  @SuppressWarnings("deprecation")
  BindableService reflectionV1Alpha() {
    return ProtoReflectionService.newInstance();
  }

  @Singleton
  @Named("grpc-latency-histogram")
  MeterFilter grpcLatencyHistogram() {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals(GRPC_SERVER_TIMER)) {
          return config;
        }
        return DistributionStatisticConfig.builder().percentilesHistogram(true)
            .minimumExpectedValue((double) Duration.ofNanos(50_000).toNanos())
            .maximumExpectedValue((double) Duration.ofSeconds(10).toNanos()).build().merge(config);
      }
    };
  }
}
