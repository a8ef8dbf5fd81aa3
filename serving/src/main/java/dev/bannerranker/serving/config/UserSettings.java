package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * {@code ranker.users}: profiles and the per-user state cache.
 *
 * @param dataDir directory with {@code users.csv} (and optionally the event tables); empty means every user is
 *     unknown until events arrive
 * @param bootstrapHistory replay {@code events.csv} and {@code impressions.csv} of {@code dataDir} into the users'
 *     recent activity at start (reads the whole tables once)
 * @param activityCapacity how many recent behaviour events and, separately, impressions are kept per user; must
 *     cover the model's rings so a model swap can rebuild them; at most 65,535
 * @param cacheMaxSize most users held in memory
 * @param cacheExpireAfterAccess a user not seen for this long is dropped (back to the bootstrap history)
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
