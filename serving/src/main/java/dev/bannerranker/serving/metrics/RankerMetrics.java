package dev.bannerranker.serving.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelListener;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The service's own meters. gRPC request rate, status codes and per-RPC latency come from the interceptor
 * Micronaut registers ({@code grpc.server.processing.duration}); these add the pipeline's view. Names and tags
 * are listed in serving/README.md and drawn by docs/grafana/banner-ranker.json.
 */
public final class RankerMetrics implements ModelListener {
  /** The ranking pipeline's stages, each timed. */
  public enum Stage {
    USER_STATE, ELIGIBILITY, SCORING, ORDERING;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final String FALLBACK_COLD_START = "cold_start";
  public static final String FALLBACK_DEADLINE = "deadline";

  private final MeterRegistry registry;
  private final Map<Stage, Timer> stages = new EnumMap<>(Stage.class);
  private final DistributionSummary candidates;
  private final Counter explorations;
  private final Map<Arm, Gauge> modelInfo = new EnumMap<>(Arm.class);
  private final Map<Arm, AtomicLong> loadedAt = new EnumMap<>(Arm.class);

  public RankerMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Stage s : Stage.values()) {
      stages.put(s, Timer.builder("ranker.stage.duration").description("Time spent in one stage of Rank")
          .tag("stage", s.tag()).publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(1))
          .register(registry));
    }
    candidates = DistributionSummary.builder("ranker.rank.candidates")
        .description("Eligible banners per Rank request").publishPercentileHistogram()
        .minimumExpectedValue(1.0).maximumExpectedValue(2000.0).register(registry);
    explorations = Counter.builder("ranker.explorations").description("Rank responses that show an exploration banner")
        .register(registry);
    for (String reason : List.of(FALLBACK_COLD_START, FALLBACK_DEADLINE)) {
      fallbackCounter(reason); // present at zero, so dashboards and alerts see the series from the start
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Runs one stage and records its duration. */
  public <T> T time(Stage stage, Supplier<T> work) {
    long start = System.nanoTime();
    try {
      return work.get();
    } finally {
      stages.get(stage).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  public void candidates(int n) {
    candidates.record(n);
  }

  /** A ranking answered by popularity; {@code reason} is {@value #FALLBACK_COLD_START} or {@value #FALLBACK_DEADLINE}. */
  public void fallback(String reason) {
    fallbackCounter(reason).increment();
  }

  private Counter fallbackCounter(String reason) {
    return Counter.builder("ranker.fallbacks").description("Rank responses ordered by popularity, by reason")
        .tag("reason", reason).register(registry);
  }

  public void exploration() {
    explorations.increment();
  }

  /** One Rank answered, by arm, model version and path (personalized, cold_start, deadline). */
  public void ranked(String arm, String modelVersion, String path) {
    registry.counter("ranker.rank.responses", "arm", arm, "model_version", modelVersion, "path", path).increment();
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
}
