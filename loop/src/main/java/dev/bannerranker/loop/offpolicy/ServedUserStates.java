package dev.bannerranker.loop.offpolicy;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.users.Activity;
import dev.bannerranker.serving.users.ProfileStore;
import dev.bannerranker.serving.users.UserSnapshot;
import dev.bannerranker.serving.users.UserStateStore;
import dev.bannerranker.servinglog.ClickRecord;
import dev.bannerranker.servinglog.ImpressionRecord;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ProductEventRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The users' state as the service kept it while it wrote a serving log, built by the service's own user-state code:
 * a {@link UserStateStore} over an in-memory store, started as {@code serve --data} starts it (each user's profile,
 * latest activities and whole-history choice counts imported from the data directory), then fed the log's events
 * in the order the service applied them (the log's order, which for one user is the order of their calls). A
 * snapshot is then what the service's {@code Rank} read: the model's history, the impressions the frequency cap
 * counts, the profile, and whether the user is cold.
 */
final class ServedUserStates {
  /** {@code ranker.users.activity-capacity}'s default. */
  static final int ACTIVITY_CAPACITY = 64;

  private final UserStateStore users;
  private final ModelGeneration generation;
  private final Map<String, Banner> banners;

  /**
   * @param history the data directory the service was started with ({@code serve --data}), or null
   * @param profiles the profiles the log names (the service's on file): stored over the data directory's
   * @param banners the log's banners by id, for the brand and category of a click
   */
  ServedUserStates(ModelGeneration generation, Path history, List<UserProfile> profiles, Map<String, Banner> banners,
      int capacity) {
    this.generation = generation;
    this.banners = banners;
    // a cache that keeps every user: an evicted state is read back from the store as the same state
    UserSettings settings = new UserSettings("", history != null, capacity, Long.MAX_VALUE, Duration.ofDays(365));
    users = new UserStateStore(settings, history == null ? ProfileStore.empty() : ProfileStore.load(history, true,
        capacity));
    if (!profiles.isEmpty()) {
      users.upsertProfiles(profiles);
    }
  }

  /** Applies a product event, impression or click record as the service's RecordEvents did; ignores the rest. */
  void apply(LogRecord record) {
    Activity a;
    String user;
    if (record instanceof ProductEventRecord e) {
      EventType type;
      try {
        type = EventType.parseCsv(e.eventType());
      } catch (IllegalArgumentException ex) {
        return; // the join reports it
      }
      a = new Activity.Behaviour(type, e.brand(), e.category(), e.priceTier() == null ? 0 : e.priceTier(),
          e.dwellSeconds() == null ? 0f : e.dwellSeconds().floatValue(), e.time().getEpochSecond());
      user = e.userId();
    } else if (record instanceof ImpressionRecord i) {
      a = new Activity.Shown(i.bannerId(), i.time().getEpochSecond());
      user = i.userId();
    } else if (record instanceof ClickRecord c) {
      Banner b = banners.get(c.bannerId());
      if (b == null) {
        return;
      }
      a = Activity.click(b, c.time().getEpochSecond());
      user = c.userId();
    } else {
      return;
    }
    users.record(Map.of(user, List.of(a)), Map.of(user, generation));
  }

  /** The user as the service's Rank saw them now, indexed by the generation's model. */
  UserSnapshot snapshot(String userId) {
    return users.get(userId).snapshot(generation);
  }
}
