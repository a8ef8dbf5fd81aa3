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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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

  /** The path of a Rank answered by the model. */
  public static final String PERSONALIZED = "personalized";
  public static final String FALLBACK_COLD_START = "cold_start";
  public static final String FALLBACK_DEADLINE = "deadline";
  /** The user store could not be read: ranked without the user's state. */
  public static final String FALLBACK_STORE_UNAVAILABLE = "store_unavailable";

  private final MeterRegistry registry;
  /** By {@link Stage#ordinal()}. */
  private final Timer[] stages = new Timer[Stage.values().length];
  private final DistributionSummary candidates;
  private final Counter explorations;
  private final Counter coldStartFallbacks;
  private final Counter deadlineFallbacks;
  /** The response counters of each arm's latest model version, so a Rank does not look its counter up. */
  private final Map<Arm, ResponseCounters> responses = new ConcurrentHashMap<>();

  /** {@code ranker.rank.responses} of one arm and model version, one counter per path. */
  private record ResponseCounters(String modelVersion, Counter personalized, Counter coldStart, Counter deadline) {}
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
    coldStartFallbacks = fallbackCounter(FALLBACK_COLD_START);
    deadlineFallbacks = fallbackCounter(FALLBACK_DEADLINE);
    fallbackCounter(FALLBACK_STORE_UNAVAILABLE);
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

  /** A ranking answered by popularity; {@code reason} is {@value #FALLBACK_COLD_START} or {@value #FALLBACK_DEADLINE}. */
  public void fallback(String reason) {
    switch (reason) {
      case FALLBACK_COLD_START -> coldStartFallbacks.increment();
      case FALLBACK_DEADLINE -> deadlineFallbacks.increment();
      default -> fallbackCounter(reason).increment();
    }
  }

  private Counter fallbackCounter(String reason) {
    return Counter.builder("ranker.fallbacks").description("Rank responses ordered by popularity, by reason")
        .tag("reason", reason).register(registry);
  }

  public void exploration() {
    explorations.increment();
  }

  /** One Rank answered, by arm, model version and path (personalized, cold_start, deadline). */
  public void ranked(Arm arm, String modelVersion, String path) {
    ResponseCounters c = responses.get(arm);
    if (c == null || !c.modelVersion().equals(modelVersion)) {
      // First Rank of this model version (or a call still on the previous one): look the counters up once.
      c = new ResponseCounters(modelVersion, responseCounter(arm, modelVersion, PERSONALIZED),
          responseCounter(arm, modelVersion, FALLBACK_COLD_START), responseCounter(arm, modelVersion, FALLBACK_DEADLINE));
      responses.put(arm, c);
    }
    switch (path) {
      case PERSONALIZED -> c.personalized().increment();
      case FALLBACK_COLD_START -> c.coldStart().increment();
      case FALLBACK_DEADLINE -> c.deadline().increment();
      default -> responseCounter(arm, modelVersion, path).increment();
    }
  }

  private Counter responseCounter(Arm arm, String modelVersion, String path) {
    return registry.counter("ranker.rank.responses", "arm", arm.label(), "model_version", modelVersion, "path", path);
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
