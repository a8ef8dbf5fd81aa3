package dev.bannerranker.serving.users;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.bannerranker.serving.config.UserSettings;

/**
 * Per-user state in a Caffeine cache bounded by size and idle time, with statistics for the metrics. A user
 * not in the cache starts from the {@link ProfileStore}. A user on file is cached under the profile's own id
 * string, so the key costs nothing extra.
 */
public final class UserStateStore {
  private final LoadingCache<String, UserState> cache;
  private final ProfileStore profiles;

  public UserStateStore(UserSettings settings, ProfileStore profiles) {
    int capacity = settings.activityCapacity();
    this.profiles = profiles;
    this.cache = Caffeine.newBuilder()
        .maximumSize(settings.cacheMaxSize())
        .expireAfterAccess(settings.cacheExpireAfterAccess())
        .recordStats()
        .build(id -> profiles.newState(id, capacity));
  }

  public UserState get(String userId) {
    return cache.get(profiles.canonicalId(userId));
  }

  /** The cache, for binding its statistics to the metrics. */
  public com.github.benmanes.caffeine.cache.Cache<String, UserState> cache() {
    return cache;
  }
}
