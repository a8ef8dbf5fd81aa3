package dev.bannerranker.serving.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelListener;
import dev.bannerranker.serving.ranking.RankPath;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's own meters. gRPC request rate, status codes and per-RPC latency come from the interceptor
 * Micronaut registers ({@code grpc.server.processing.duration}); these add the pipeline's view. Names and tags
 * are listed in docs/operations.md and drawn by docs/grafana/banner-ranker.json.
 */
public final class RankerMetrics implements ModelListener {
  /** The ranking pipeline's stages, each timed. */
  public enum Stage {
    USER_STATE, ELIGIBILITY, SCORING, ORDERING;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  /** By {@link Stage#ordinal()}. */
  private final Timer[] stages = new Timer[Stage.values().length];
  private final DistributionSummary candidates;
  private final Counter explorations;
  /** {@code ranker.fallbacks} by path; PERSONALIZED has none. */
  private final Map<RankPath, Counter> fallbacks = new EnumMap<>(RankPath.class);
  /** The response counters of each arm's latest model version, so a Rank does not look its counter up. */
  private final Map<Arm, ResponseCounters> responses = new ConcurrentHashMap<>();

  /** {@code ranker.rank.responses} of one arm and model version, one counter per path (by ordinal). */
  private record ResponseCounters(String modelVersion, Counter[] byPath) {}
  private final Map<Arm, Gauge> modelInfo = new EnumMap<>(Arm.class);
  private final Map<Arm, AtomicLong> loadedAt = new EnumMap<>(Arm.class);

  public RankerMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Stage s : Stage.values()) {
      stages[s.ordinal()] = Timer.builder("ranker.stage.duration").description("Time spent in one stage of Rank")
          .tag("stage", s.tag()).publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(1))
          .register(registry);
    }
    candidates = DistributionSummary.builder("ranker.rank.candidates")
        .description("Eligible banners per Rank request").publishPercentileHistogram()
        .minimumExpectedValue(1.0).maximumExpectedValue(2000.0).register(registry);
    explorations = Counter.builder("ranker.explorations").description("Rank responses that show an exploration banner")
        .register(registry);
    // Both present at zero, so dashboards and alerts see the series from the start.
    for (RankPath path : List.of(RankPath.COLD_START, RankPath.DEADLINE, RankPath.STORE_UNAVAILABLE)) {
      fallbacks.put(path, Counter.builder("ranker.fallbacks")
          .description("Rank responses ordered by popularity, by reason").tag("reason", path.label())
          .register(registry));
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Records a stage that began at {@code startNanos} ({@link System#nanoTime()}) and ends now; returns now, the
   * start of the next stage.
   */
  public long record(Stage stage, long startNanos) {
    long now = System.nanoTime();
    stages[stage.ordinal()].record(now - startNanos, TimeUnit.NANOSECONDS);
    return now;
  }

  public void candidates(int n) {
    candidates.record(n);
  }

  /** A ranking answered by popularity, COLD_START or DEADLINE. */
  public void fallback(RankPath path) {
    Counter c = fallbacks.get(path);
    if (c == null) {
      throw new IllegalArgumentException(path + " is not a fallback");
    }
    c.increment();
  }

  public void exploration() {
    explorations.increment();
  }

  /** One Rank answered, by arm, model version and path. */
  public void ranked(Arm arm, String modelVersion, RankPath path) {
    ResponseCounters c = responses.get(arm);
    if (c == null || !c.modelVersion().equals(modelVersion)) {
      // First Rank of this model version (or a call still on the previous one): look the counters up once.
      Counter[] byPath = new Counter[RankPath.values().length];
      for (RankPath p : RankPath.values()) {
        byPath[p.ordinal()] = registry.counter("ranker.rank.responses", "arm", arm.label(), "model_version",
            modelVersion, "path", p.label());
      }
      c = new ResponseCounters(modelVersion, byPath);
      responses.put(arm, c);
    }
    c.byPath()[path.ordinal()].increment();
  }

  public void eventsRecorded(String type, int n) {
    registry.counter("ranker.events.recorded", "type", type).increment(n);
  }

  /** Hit rate, size and evictions of the user cache. */
  public void bindUserCache(Cache<String, ?> cache) {
    CaffeineCacheMetrics.monitor(registry, cache, "ranker.users");
  }

  @Override
  public synchronized void loaded(Arm arm, ModelGeneration generation, ModelGeneration previous) {
    registry.counter("ranker.model.reloads", "arm", arm.label(), "result", "loaded").increment();
    Gauge old = modelInfo.remove(arm);
    if (old != null) {
      registry.remove(old);
    }
    // An info metric: the value is always 1, the version is in the tag.
    modelInfo.put(arm, Gauge.builder("ranker.model.info", () -> 1).description("The serving model of each arm")
        .tag("arm", arm.label()).tag("model_version", generation.version()).register(registry));
    loadedAt.computeIfAbsent(arm, a -> registry.gauge("ranker.model.loaded.timestamp",
        List.of(Tag.of("arm", a.label())), new AtomicLong())).set(generation.loadedAt().getEpochSecond());
  }

  @Override
  public void refused(Arm arm, Path dir, String reason) {
    registry.counter("ranker.model.reloads", "arm", arm.label(), "result", "refused").increment();
  }

  /** Counts {@code n} catalog changes of {@code type}: seed, create, replace or placement_rules. */
  public void catalogChanges(String type, int n) {
    registry.counter("ranker.catalog.changes", "type", type).increment(n);
  }

  /** Draws the catalog version serving and its banners by status (active, paused, expired) at {@code now}. */
  public void bindCatalog(java.util.function.Supplier<dev.bannerranker.serving.catalog.LiveCatalog> catalog,
      java.util.function.LongSupplier now) {
    Gauge.builder("ranker.catalog.version", () -> {
      var c = catalog.get();
      return c == null ? 0 : c.version();
    }).description("The live catalog version this replica serves").register(registry);
    for (String status : java.util.List.of("active", "paused", "expired")) {
      Gauge.builder("ranker.catalog.banners", () -> {
        var c = catalog.get();
        return c == null ? 0 : c.statusCounts(now.getAsLong()).get(status);
      }).description("Banners of the live catalog by status").tag("status", status).register(registry);
    }
  }
}
