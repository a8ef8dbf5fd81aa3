package dev.bannerranker.serving;

import dev.bannerranker.serving.config.EligibilitySettings;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.Budget;
import dev.bannerranker.serving.ranking.Eligibility;
import dev.bannerranker.serving.ranking.EventRecorder;
import dev.bannerranker.serving.ranking.Ordering;
import dev.bannerranker.serving.ranking.RankQuery;
import dev.bannerranker.serving.ranking.RankingService;
import dev.bannerranker.serving.ranking.UserUpdates;
import dev.bannerranker.serving.users.ProfileStore;
import dev.bannerranker.serving.users.UserStateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;

/** The whole pipeline built by hand, as ServingBeans wires it, over a simple meter registry. */
public record TestPipeline(ModelRegistry registry, UserStateStore users, RankingService ranking, EventRecorder events,
    SimpleMeterRegistry meters) {

  public static TestPipeline of(ModelRegistry registry, ProfileStore profiles, RequestSettings request,
      EligibilitySettings eligibility, OrderingSettings ordering) {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RankerMetrics metrics = new RankerMetrics(meters);
    registry.addListener(metrics);
    UserStateStore users = new UserStateStore(TestSettings.users(), profiles);
    metrics.bindUserCache(users.cache());
    return new TestPipeline(registry, users,
        new RankingService(registry, users, new Eligibility(eligibility), new Ordering(ordering), metrics, request, ordering),
        new EventRecorder(registry, users, metrics, request), meters);
  }

  /** The pipeline over a given user state (a store-backed one). */
  public static TestPipeline over(ModelRegistry registry, UserStateStore users) {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RankerMetrics metrics = new RankerMetrics(meters);
    registry.addListener(metrics);
    OrderingSettings ordering = TestSettings.ordering(OrderingSettings.Diversity.MAX_PER_BRAND, 0);
    return new TestPipeline(registry, users, new RankingService(registry, users,
        new Eligibility(TestSettings.eligibility(3, List.of(), List.of())), new Ordering(ordering), metrics,
        TestSettings.request(), ordering), new EventRecorder(registry, users, metrics, TestSettings.request()), meters);
  }

  /** The tiny model, the tiny world's profiles, a cap of 3, no pins, one banner per brand, no exploration. */
  public static TestPipeline standard() {
    return of(TestBundles.registry(), ProfileStore.load(TestBundles.USERS, false, 64), TestSettings.request(),
        TestSettings.eligibility(3, List.of(), List.of()),
        TestSettings.ordering(OrderingSettings.Diversity.MAX_PER_BRAND, 0));
  }

  /** A query at the test time for the placement, with default options. */
  public static RankQuery query(String user, String placement) {
    return new RankQuery(user, placement, dev.bannerranker.data.Platform.WEB, 0, "en-GB", TestBundles.T, List.of(),
        0, false, Budget.unbounded());
  }

  /** Profile upserts and deletions over this pipeline's users. */
  public UserUpdates updates() {
    return new UserUpdates(users, registry, TestSettings.request());
  }

  public double counter(String name, String... tags) {
    var c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }
}
