package dev.bannerranker.bench;

import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.Impression;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.serving.config.EligibilitySettings;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRefusedException;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.Budget;
import dev.bannerranker.serving.ranking.Eligibility;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.EventRecorder;
import dev.bannerranker.serving.ranking.Ordering;
import dev.bannerranker.serving.ranking.RankQuery;
import dev.bannerranker.serving.ranking.RankResult;
import dev.bannerranker.serving.ranking.RankedItem;
import dev.bannerranker.serving.ranking.RankingService;
import dev.bannerranker.serving.ranking.Reason;
import dev.bannerranker.serving.users.ProfileStore;
import dev.bannerranker.serving.users.UserSnapshot;
import dev.bannerranker.serving.users.UserStateStore;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The service's ranking pipeline without gRPC, for {@link PipelineBenchmark}: a {@link RankingService} built by hand
 * as {@code ServingBeans} wires it, with application.yml's defaults, over the benchmark model's bundle and its
 * world's {@code users.csv}; metrics go to a Prometheus registry inside a composite one, as in the service.
 *
 * <p>The benchmark user (the one with the most behaviour events) gets their whole history of the world sent
 * through {@link EventRecorder#record}, the RecordEvents path, so the store keeps what the service would keep (the
 * latest {@code activity-capacity} events and impressions). The request ranks {@link #PLACEMENT} at the end of
 * the data for N candidate ids: the placement's banners eligible for this user at that time first (so with N up to
 * their number every candidate is scored), then, when there are fewer, other catalog banners, which eligibility
 * drops. {@link #scored()} says how many were scored.
 */
public final class ServingPipeline {
  /** The placement with the most banners in the demo world; the load test ranks it too. */
  public static final String PLACEMENT = "home_carousel";
  /** As the load test asks: four slots, four results. */
  static final int SLOTS = 4;

  private final RankingService ranking;
  private final EventRecorder events;
  private final ModelGeneration generation;
  private final RankQuery query;
  private final BannerFeatures[] scored;
  private final UserFeatures user;
  private final ScoringContext context;

  private ServingPipeline(BenchModel m, int candidates) {
    // application.yml's defaults, but max-candidates raised to N (the default limit is 500).
    RequestSettings request = new RequestSettings(128, Math.max(500, candidates), 50, 10, 1000, "", Duration.ofMillis(3));
    UserSettings userSettings = new UserSettings(m.dir().resolve("data").toString(), false, 64, 200_000,
        Duration.ofHours(6));
    EligibilitySettings eligibilitySettings = new EligibilitySettings(3, List.of(), List.of());
    OrderingSettings ordering = new OrderingSettings(OrderingSettings.Value.BID,
        OrderingSettings.Diversity.MAX_PER_BRAND, 1, 0.7, 0.05, 50, null);

    CompositeMeterRegistry meters = new CompositeMeterRegistry();
    meters.add(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    RankerMetrics metrics = new RankerMetrics(meters);
    ModelRegistry registry = new ModelRegistry(0, "banner-ranker-ab-1");
    registry.addListener(metrics);
    try {
      registry.load(Arm.CONTROL, m.bundleDir());
    } catch (ModelRefusedException e) {
      throw new IllegalStateException("the benchmark bundle was refused: " + e.getMessage(), e);
    }
    ProfileStore profiles = ProfileStore.load(Path.of(userSettings.dataDir()), userSettings.bootstrapHistory(),
        userSettings.activityCapacity());
    UserStateStore users = new UserStateStore(userSettings, profiles);
    metrics.bindUserCache(users.cache());
    Eligibility eligibility = new Eligibility(eligibilitySettings);
    this.ranking = new RankingService(registry, users, eligibility, new Ordering(ordering), metrics, request, ordering);
    this.events = new EventRecorder(registry, users, metrics, request);
    this.generation = registry.current().control();

    long now = m.context().time();
    String userId = m.userId();
    recordHistory(userId, m.userLog(), request.maxEventsPerCall());

    // The candidates: eligible banners of the placement first, then any others, until N.
    UserSnapshot snapshot = users.get(userId).snapshot(generation);
    List<BannerFeatures> eligible = eligibility.select(generation, PLACEMENT, List.of(), snapshot.profile(),
        snapshot.history(), now).ranked();
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < eligible.size() && ids.size() < candidates; i++) {
      ids.add(eligible.get(i).banner().id());
    }
    BannerFeatures[] catalog = m.candidates(m.bannerCount());
    for (int i = 0; i < catalog.length && ids.size() < candidates; i++) {
      ids.add(catalog[i].banner().id());
    }
    if (ids.size() < candidates) {
      throw new IllegalArgumentException("the catalog has only " + ids.size() + " banners, fewer than " + candidates);
    }
    this.scored = eligible.subList(0, Math.min(candidates, eligible.size())).toArray(new BannerFeatures[0]);
    this.query = new RankQuery(userId, PLACEMENT, m.context().platform(), SLOTS, "", now, List.copyOf(ids), SLOTS,
        false, Budget.unbounded());
    this.context = new ScoringContext(now, m.context().platform(), generation.spec().neutralSlot());
    this.user = generation.model().userFeatures(snapshot.profile(), snapshot.history(), now);
  }

  /** The pipeline for {@code candidates} candidate ids, with the user's history recorded; checked before use. */
  public static ServingPipeline build(BenchModel m, int candidates) {
    ServingPipeline p = new ServingPipeline(m, candidates);
    p.check();
    return p;
  }

  /** Sends the user's events, impressions and clicks, in time order, through RecordEvents in batches. */
  private void recordHistory(String userId, BenchModel.UserLog log, int batchSize) {
    List<EventInput> all = new ArrayList<>();
    List<BehaviourEvent> ev = log.events();
    int e = 0;
    for (Impression imp : log.impressions()) {
      while (e < ev.size() && ev.get(e).timestamp() <= imp.timestamp()) {
        all.add(product(userId, ev.get(e++)));
      }
      all.add(EventInput.impression(userId, imp.timestamp(), imp.bannerId()));
      if (imp.clicked()) {
        all.add(EventInput.click(userId, imp.timestamp(), imp.bannerId()));
      }
    }
    while (e < ev.size()) {
      all.add(product(userId, ev.get(e++)));
    }
    for (int from = 0; from < all.size(); from += batchSize) {
      events.record(all.subList(from, Math.min(all.size(), from + batchSize)));
    }
  }

  private static EventInput product(String userId, BehaviourEvent e) {
    return EventInput.product(userId, e.timestamp(), e.type(), e.brand(), e.category(), e.priceTier(),
        e.dwellSeconds());
  }

  /**
   * The pipeline must take the personalized path and give each returned banner the probability that
   * {@link #predict} gives it: otherwise the two benchmarks would not time the same work.
   */
  private void check() {
    RankResult r = rank();
    if (r.banners().isEmpty()) {
      throw new IllegalStateException("the benchmark request ranks nothing");
    }
    float[] p = new float[scored.length];
    predict(p);
    for (RankedItem item : r.banners()) {
      if (item.reason() != Reason.PERSONALIZED && item.reason() != Reason.EXPLORATION) {
        throw new IllegalStateException("the benchmark request was not personalized: " + item.reason());
      }
      int k = indexOf(item.bannerId());
      if (k < 0 || Math.abs(p[k] - item.predictedCtr()) > 1e-6) {
        throw new IllegalStateException("the pipeline and ScoringModel.predict disagree on " + item.bannerId());
      }
    }
  }

  private int indexOf(String bannerId) {
    for (int k = 0; k < scored.length; k++) {
      if (scored[k].banner().id().equals(bannerId)) {
        return k;
      }
    }
    return -1;
  }

  /** One Rank, the whole pipeline: validation, user state, eligibility, scoring, ordering, metrics. */
  public RankResult rank() {
    return ranking.rank(query);
  }

  /** The peer: {@code ScoringModel.predict} alone on the banners the pipeline scores, with the user's features ready. */
  public void predict(float[] out) {
    generation.model().predict(user, context, scored, scored.length, out);
  }

  /** Candidate ids the request carries. */
  public int candidates() {
    return query.candidateIds().size();
  }

  /** Of those, how many are eligible and scored. */
  public int scored() {
    return scored.length;
  }
}
