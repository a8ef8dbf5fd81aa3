package dev.bannerranker.serving;

import dev.bannerranker.serving.catalog.CatalogService;
import dev.bannerranker.serving.catalog.PlacementRules;
import dev.bannerranker.serving.config.CatalogSettings;
import dev.bannerranker.serving.config.EligibilitySettings;
import dev.bannerranker.serving.config.ModelSettings;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.jit.CompilerThreadPriority;
import dev.bannerranker.serving.jit.JitSettings;
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
import dev.bannerranker.serving.ranking.UserUpdates;
import dev.bannerranker.serving.config.StateSettings;
import dev.bannerranker.serving.store.MeteredUserStore;
import dev.bannerranker.serving.store.UserStore;
import dev.bannerranker.serving.store.UserStores;
import dev.bannerranker.serving.users.StoreImport;
import dev.bannerranker.serving.users.UserStateStore;
import io.micronaut.context.annotation.Bean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.grpc.BindableService;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
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
  private static final Logger LOG = LoggerFactory.getLogger(ServingBeans.class);
  /** Latency buckets for the gRPC interceptor's per-RPC timer, so dashboards get p50/p95/p99 per RPC. */
  static final String GRPC_SERVER_TIMER = "grpc.server.processing.duration";

  /** Lowers the JIT compiler threads' priority once the service is warm ({@code ranker.jit}). */
  @Context
  @Bean(preDestroy = "close")
  CompilerThreadPriority compilerThreadPriority(JitSettings settings) {
    return CompilerThreadPriority.start(settings);
  }

  @Singleton
  RankerMetrics metrics(MeterRegistry registry) {
    return new RankerMetrics(registry);
  }

  /** The store of record for user state, as {@code ranker.state.store} chooses; closed when the context stops. */
  @Singleton
  @Bean(preDestroy = "close")
  UserStore userStore(StateSettings state, UserSettings users, RankerMetrics metrics) {
    return new MeteredUserStore(UserStores.open(state, UserStateStore.limits(users)), metrics.registry());
  }

  /**
   * The users' state over the store. With {@code ranker.users.data-dir}, an empty store is first filled from it (as
   * {@code bin/ranker import} does); a store that holds users already is left as it is.
   */
  @Singleton
  UserStateStore users(UserSettings settings, UserStore store, RankerMetrics metrics) {
    if (!settings.dataDir().isEmpty()) {
      if (store.isEmpty()) {
        long start = System.nanoTime();
        StoreImport.Result r = StoreImport.load(Path.of(settings.dataDir()), settings.bootstrapHistory(),
            settings.activityCapacity(), store, 10_000, n -> {});
        LOG.atInfo().addKeyValue("data_dir", settings.dataDir()).addKeyValue("users", r.users())
            .addKeyValue("with_activity", r.withActivity()).addKeyValue("store", store.describe())
            .addKeyValue("ms", (System.nanoTime() - start) / 1_000_000)
            .log("imported {} users into the empty store", r.users());
      } else {
        LOG.atInfo().addKeyValue("data_dir", settings.dataDir()).addKeyValue("store", store.describe())
            .log("the store already holds users, so the data directory is not imported again (bin/ranker import "
                + "replaces its users' state)");
      }
    }
    UserStateStore users = new UserStateStore(settings, store);
    metrics.bindUserCache(users.cache());
    return users;
  }

  @Singleton
  ModelRegistry registry(ModelSettings settings, RankerMetrics metrics, OrderingSettings ordering) {
    ModelRegistry registry = new ModelRegistry(settings.treatmentPercent(), settings.abSalt());
    registry.addListener(metrics);
    registry.addListener(new dev.bannerranker.serving.ranking.CpaModelCheck(ordering.value()));
    return registry;
  }

  /**
   * The live catalog, kept in the user state's store; created with the context, so that it serves from the first
   * request (a catalog stored before, or the first bundle's, which seeds it).
   */
  @io.micronaut.context.annotation.Context
  @Bean(preDestroy = "close")
  CatalogService catalog(ModelRegistry registry, UserStore store, EligibilitySettings eligibility,
      CatalogSettings settings, RankerMetrics metrics, RequestSettings limits) {
    return new CatalogService(registry, store.catalog(),
        new PlacementRules(eligibility.pinned(), eligibility.blocked()), metrics, limits::nowSeconds, store.shared(),
        settings.pollInterval());
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
  UserUpdates userUpdates(UserStateStore users, ModelRegistry registry, RequestSettings limits) {
    return new UserUpdates(users, registry, limits);
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
