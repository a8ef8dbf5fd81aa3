package dev.bannerranker.serving.ranking;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.scoring.WideDeepScorer.WideContribution;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.log.ServingLog;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.metrics.RankerMetrics.Stage;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.model.ServingModels;
import dev.bannerranker.serving.ranking.Eligibility.Eligible;
import dev.bannerranker.serving.ranking.Ordering.Outcome;
import dev.bannerranker.serving.ranking.Ordering.Scored;
import dev.bannerranker.serving.ranking.RankedItem.Explanation;
import dev.bannerranker.serving.ranking.RankedItem.NearBrand;
import dev.bannerranker.serving.store.StoreUnavailableException;
import dev.bannerranker.serving.users.UserSnapshot;
import dev.bannerranker.serving.users.UserStateStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ranking pipeline, free of gRPC: validate, pick the user's arm and model, load the user's state, filter
 * eligible banners, score them (or fall back to popularity), order them, explain them on request.
 */
public final class RankingService {
  private static final Logger LOG = LoggerFactory.getLogger(RankingService.class);
  /** Every exploration with its propensity, for off-policy evaluation; route this logger as needed. */
  private static final Logger EXPLORATION_LOG = LoggerFactory.getLogger("dev.bannerranker.serving.exploration");
  static final int EXPLAINED_WIDE_FEATURES = 5;
  static final int EXPLAINED_BRANDS = 3;

  private final ModelRegistry registry;
  private final UserStateStore users;
  private final Eligibility eligibility;
  private final Ordering ordering;
  private final RankerMetrics metrics;
  private final RequestSettings limits;
  private final Long seed;
  private final ServingLog log;
  /** Recent scoring cost per candidate, for the deadline check; updated without locks, approximately. */
  private volatile double nanosPerCandidate;

  public RankingService(ModelRegistry registry, UserStateStore users, Eligibility eligibility, Ordering ordering,
      RankerMetrics metrics, RequestSettings limits, OrderingSettings orderingSettings) {
    this(registry, users, eligibility, ordering, metrics, limits, orderingSettings, ServingLog.OFF);
  }

  /** As above, appending a decision record per Rank to {@code log}. */
  public RankingService(ModelRegistry registry, UserStateStore users, Eligibility eligibility, Ordering ordering,
      RankerMetrics metrics, RequestSettings limits, OrderingSettings orderingSettings, ServingLog log) {
    this.log = log;
    this.registry = registry;
    this.users = users;
    this.eligibility = eligibility;
    this.ordering = ordering;
    this.metrics = metrics;
    this.limits = limits;
    this.seed = orderingSettings.seed();
  }

  /**
   * Ranks the query's placement for its user.
   *
   * @throws InvalidRequestException for a bad query, naming the field
   * @throws NoModelException while the user's arm has no model
   * @throws DeadlineExpiredException when the deadline passed before ranking started
   */
  public RankResult rank(RankQuery q) {
    if (q.budget().expired()) {
      throw new DeadlineExpiredException("the deadline passed before ranking started");
    }
    RequestChecks.userId("user_id", q.userId(), limits);
    ServingModels models = registry.current();
    Arm arm = models.armFor(q.userId());
    ModelGeneration g = models.generation(arm);
    if (g == null) {
      throw new NoModelException("no model is loaded for the " + arm.label() + " arm yet; retry later");
    }
    List<BannerFeatures> candidates = RequestChecks.rank(q, g, limits);
    long now = q.timeSeconds() != null ? q.timeSeconds() : limits.nowSeconds();
    int results = Math.min(q.numResults() > 0 ? q.numResults()
        : q.slotCount() > 0 ? q.slotCount() : limits.defaultResults(), limits.maxResults());
    int window = q.slotCount() > 0 ? q.slotCount() : results;
    ScoringContext ctx = new ScoringContext(now, q.platform(), g.spec().neutralSlot());

    // Stages are timed inline rather than through lambdas: this is the hot path, once per Rank.
    long t = System.nanoTime();
    UserSnapshot user;
    boolean storeDown = false;
    try {
      user = users.get(q.userId()).snapshot(g);
    } catch (StoreUnavailableException e) {
      // Answer without the user's state rather than fail the page: the popularity order, counted as such.
      storeDown = true;
      user = UserSnapshot.unknown(q.userId(), g);
      LOG.atDebug().addKeyValue("user_id", q.userId()).log("user store unavailable: {}", e.getMessage());
    }
    t = metrics.record(Stage.USER_STATE, t);
    Eligible eligible = eligibility.selectResolved(g, q.placement(), candidates, user.profile(), user.shown(), now);
    t = metrics.record(Stage.ELIGIBILITY, t);
    metrics.candidates(eligible.size());

    RankPath path = storeDown ? RankPath.STORE_UNAVAILABLE : user.cold() ? RankPath.COLD_START
        : budgetAllows(q.budget(), eligible.size()) ? RankPath.PERSONALIZED : RankPath.DEADLINE;
    UserFeatures features = null;
    List<Scored> scored;
    if (path == RankPath.PERSONALIZED) {
      features = g.model().userFeatures(user.profile(), user.history(), now);
      scored = score(g, features, ctx, eligible);
      t = metrics.record(Stage.SCORING, t);
    } else {
      metrics.fallback(path);
      scored = new ArrayList<>(eligible.size());
      popularity(g, eligible.pinned(), scored);
      popularity(g, eligible.ranked(), scored);
      t = System.nanoTime();
    }
    List<Scored> pinned = scored.subList(0, eligible.pinned().size());
    List<Scored> ranked = scored.subList(eligible.pinned().size(), eligible.size());
    Reason reason = path == RankPath.PERSONALIZED ? Reason.PERSONALIZED : Reason.POPULAR_FALLBACK;
    boolean deadline = path == RankPath.DEADLINE;
    Outcome outcome = ordering.order(pinned, ranked, reason, results, deadline ? 0 : window, !deadline,
        rng(q.userId(), now));
    metrics.record(Stage.ORDERING, t);

    String requestId = requestId();
    if (outcome.explored() != null) {
      metrics.exploration();
      EXPLORATION_LOG.atInfo().addKeyValue("request_id", requestId).addKeyValue("user_id", q.userId())
          .addKeyValue("banner_id", outcome.explored().bannerId())
          .addKeyValue("propensity", outcome.explored().propensity()).addKeyValue("model_version", g.version())
          .log("exploration");
    }
    List<RankedItem> items = outcome.items();
    if (q.debug() && !deadline) {
      UserFeatures u = features != null ? features : g.model().userFeatures(user.profile(), user.history(), now);
      items = explain(g, u, ctx, items);
    }
    metrics.ranked(arm, g.version(), path);
    if (log.enabled()) {
      log.decision(log.time(q.timeSeconds(), now), requestId, q.userId(), q.placement(),
          q.platform() == null ? null : q.platform().code(), arm, g, path.label(), outcome.policy(), q.slotCount(), items,
          user.profile());
    }
    if (LOG.isDebugEnabled()) { // the arguments would be built even when the line is not written
      LOG.atDebug().addKeyValue("request_id", requestId).addKeyValue("user_id", q.userId())
          .addKeyValue("placement", q.placement()).addKeyValue("arm", arm.label())
          .addKeyValue("model_version", g.version()).addKeyValue("path", path.label())
          .addKeyValue("eligible", eligible.size()).addKeyValue("returned", items.size()).log("ranked");
    }
    return new RankResult(requestId, g.version(), arm.label(), items);
  }

  /**
   * The model's scores: the user and context part once, then only the cross terms and upper layers per
   * candidate (the banner parts were computed when the bundle loaded).
   */
  private List<Scored> score(ModelGeneration g, UserFeatures u, ScoringContext ctx, Eligible eligible) {
    int n = eligible.size();
    RankScratch scratch = RankScratch.get();
    BannerFeatures[] candidates = scratch.banners(n);
    try {
      int i = 0;
      for (BannerFeatures b : eligible.pinned()) {
        candidates[i++] = b;
      }
      for (BannerFeatures b : eligible.ranked()) {
        candidates[i++] = b;
      }
      float[][] parts = scratch.parts(n);
      float[] p = scratch.ctr(n);
      long start = System.nanoTime();
      g.predict(u, ctx, candidates, parts, n, p);
      if (n > 0) {
        double cost = (double) (System.nanoTime() - start) / n;
        double old = nanosPerCandidate;
        nanosPerCandidate = old == 0 ? cost : 0.9 * old + 0.1 * cost;
      }
      float[] cvr = null;
      if (g.model().hasConversion()) {
        cvr = scratch.cvr(n);
        g.predictConversion(u, ctx, candidates, parts, n, cvr);
      }
      List<Scored> out = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        double c = cvr == null ? Double.NaN : cvr[k];
        out.add(new Scored(candidates[k], p[k], ordering.value(candidates[k].banner(), c) * p[k], c));
      }
      return out;
    } finally {
      scratch.release(n);
    }
  }

  private static void popularity(ModelGeneration g, List<BannerFeatures> banners, List<Scored> out) {
    for (BannerFeatures b : banners) {
      double p = g.popularity(b);
      out.add(new Scored(b, p, p));
    }
  }

  /** Whether the deadline leaves room to score {@code n} candidates, with twice the recent cost as margin. */
  boolean budgetAllows(Budget budget, int n) {
    if (!budget.bounded()) {
      return true;
    }
    double needed = limits.minScoringTime().toNanos() + 2.0 * n * nanosPerCandidate;
    return budget.remainingNanos() >= needed;
  }

  private RandomGenerator rng(String userId, long now) {
    if (seed == null) {
      return ThreadLocalRandom.current();
    }
    return new SplittableRandom(seed ^ (31L * userId.hashCode() + now) * 0x9E3779B97F4A7C15L);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** 16 random lower-case hex digits (what {@code String.format("%016x", random)} gave, without the Formatter). */
  static String requestId() {
    long v = ThreadLocalRandom.current().nextLong();
    char[] c = new char[16];
    for (int i = 15; i >= 0; i--) {
      c[i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
    return new String(c);
  }

  /** Adds the top wide contributions and the user's recent brands nearest to each banner's brand. */
  private static List<RankedItem> explain(ModelGeneration g, UserFeatures u, ScoringContext ctx, List<RankedItem> items) {
    ItemVectors vectors = g.model().vectors();
    Vocabulary brands = g.model().bundle().vocab().brands();
    int[] userBrands = u.brandIds();
    float[] shares = u.brandShares();
    List<RankedItem> out = new ArrayList<>(items.size());
    for (RankedItem item : items) {
      BannerFeatures b = g.banner(item.bannerId());
      List<WideContribution> wide = g.model().scorer().wideContributions(u, b, ctx);
      List<NearBrand> near = new ArrayList<>();
      float[] target = vectors.brand(b.brandIdx());
      for (int k = 0; k < userBrands.length; k++) {
        near.add(new NearBrand(brands.valueAt(userBrands[k]),
            ItemVectors.cosine(vectors.brand(userBrands[k]), target), shares[k]));
      }
      near.sort(Comparator.comparingDouble(NearBrand::similarity).reversed().thenComparing(NearBrand::brand));
      out.add(item.withExplanation(new Explanation(
          List.copyOf(wide.subList(0, Math.min(EXPLAINED_WIDE_FEATURES, wide.size()))),
          List.copyOf(near.subList(0, Math.min(EXPLAINED_BRANDS, near.size()))))));
    }
    return out;
  }
}
