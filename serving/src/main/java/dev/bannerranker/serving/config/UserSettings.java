package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * {@code ranker.users}: what is kept per user, and the cache in front of the user store ({@code ranker.state}).
 *
 * @param dataDir directory with {@code users.csv} (and optionally the event tables), imported into the user store
 *     at start when the store is empty; empty means nothing is imported
 * @param bootstrapHistory with {@code dataDir}, import {@code events.csv} and {@code impressions.csv} too (the
 *     users' recent activity and their whole history's choice counts)
 * @param activityCapacity how many recent behaviour events and, separately, impressions are kept per user; must
 *     cover the model's rings so a model swap can rebuild them; at most 65,535
 * @param cacheMaxSize most users held in the cache (the store keeps them all)
 * @param cacheExpireAfterAccess a user not seen for this long leaves the cache (and is read from the store again)
 */
@ConfigurationProperties("ranker.users")
public record UserSettings(
    String dataDir,
    boolean bootstrapHistory,
    int activityCapacity,
    long cacheMaxSize,
    Duration cacheExpireAfterAccess) {

  public UserSettings {
    dataDir = dataDir == null ? "" : dataDir.trim();
    if (activityCapacity <= 0 || cacheMaxSize <= 0) {
      throw new IllegalArgumentException("ranker.users.activity-capacity and cache-max-size must be positive");
    }
    if (activityCapacity > 65_535) {
      throw new IllegalArgumentException("ranker.users.activity-capacity must be at most 65535, got " + activityCapacity);
    }
    if (cacheExpireAfterAccess == null || cacheExpireAfterAccess.isNegative() || cacheExpireAfterAccess.isZero()) {
      throw new IllegalArgumentException("ranker.users.cache-expire-after-access must be a positive duration");
    }
  }
}
