package dev.bannerranker.serving.users;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.store.MemoryUserStore;
import dev.bannerranker.serving.store.StoreNames;
import dev.bannerranker.serving.store.StoredLog;
import dev.bannerranker.serving.store.StoreUnavailableException;
import dev.bannerranker.serving.store.StoredUser;
import dev.bannerranker.serving.store.UserStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Per-user state: the {@link UserStore} is the record, a Caffeine cache bounded by size and idle time only reads
 * through it. Writes go to the store first and reach a cached state only once the store acknowledged them, so an
 * eviction loses nothing. A store other processes write too ({@link UserStore#shared()}) is read on every request.
 */
public final class UserStateStore {
  /** Stripes of the users' write order (see {@link #record}); a power of two. */
  private static final int WRITE_STRIPES = 1024;

  private final LoadingCache<String, UserState> cache;
  private final Object[] writeStripes = new Object[WRITE_STRIPES];
  private final UserStore store;
  private final StoreNames names;
  private final int capacity;

  /**
   * State in a {@link MemoryUserStore} (not durable), seeded with {@code profiles} and their bootstrap activity: the
   * state of the service before the store of record, for tests and benchmarks.
   */
  public UserStateStore(UserSettings settings, ProfileStore profiles) {
    this(settings, new MemoryUserStore(limits(settings)));
    StoreImport.copy(profiles, store, names, 10_000, n -> {});
  }

  public UserStateStore(UserSettings settings, UserStore store) {
    this.capacity = settings.activityCapacity();
    for (int i = 0; i < WRITE_STRIPES; i++) {
      writeStripes[i] = new Object();
    }
    this.store = store;
    this.names = new StoreNames(store);
    this.cache = Caffeine.newBuilder()
        .maximumSize(settings.cacheMaxSize())
        .expireAfterAccess(settings.cacheExpireAfterAccess())
        .recordStats()
        .build(this::load);
  }

  /** What compaction keeps for these settings: the capacity, and the frequency-cap window's impressions. */
  public static StoredLog.Limits limits(UserSettings settings) {
    return new StoredLog.Limits(settings.activityCapacity(), UserState.CAP_WINDOW_SECONDS,
        Math.max(settings.activityCapacity(), UserState.MAX_IMPRESSIONS));
  }

  private UserState load(String userId) {
    StoredUser u = store.read(userId);
    if (u == null) {
      return UserState.fromStored(userId, null, capacity, null, names);
    }
    UserProfile p = u.profile();
    return UserState.fromStored(userId, p == null ? null : new UserProfile("", p.gender(), p.ageBand(), p.cityTier()),
        capacity, u.log(), names);
  }

  /**
   * The user's state, for a snapshot. Throws {@code StoreUnavailableException} when it must be read and the store
   * cannot answer.
   */
  public UserState get(String userId) {
    return store.shared() ? load(userId) : cache.get(userId);
  }

  /**
   * Appends each user's activities to the store (one durable write for the batch), then to the cached states. The
   * writer holds the users' write stripes, in a fixed order, across the write and the apply, so the cache applies
   * concurrent batches for one user in the order the store did. A snapshot takes only the state's own lock, which the
   * apply holds briefly: a Rank never waits for the store's durable write (a sync of the disk, a round trip to Redis).
   */
  public void record(Map<String, List<Activity>> byUser, Map<String, ModelGeneration> generations) {
    List<UserStore.UserRecords> batch = new ArrayList<>(byUser.size());
    byUser.forEach((user, activities) ->
        batch.add(new UserStore.UserRecords(user, UserState.stored(activities, generations.get(user), names))));
    if (store.shared()) {
      store.appendAll(batch);
      return;
    }
    List<String> users = new ArrayList<>(byUser.keySet());
    users.sort(Comparator.naturalOrder());
    List<UserState> states = new ArrayList<>(users.size());
    for (String u : users) {
      states.add(cache.get(u));
    }
    int[] stripes = users.stream().mapToInt(UserStateStore::writeStripe).distinct().sorted().toArray();
    locked(stripes, 0, () -> {
      store.appendAll(batch);
      for (int i = 0; i < users.size(); i++) {
        states.get(i).apply(byUser.get(users.get(i)), generations.get(users.get(i)));
      }
    });
    // A state evicted while this ran may have been loaded again from before the write: drop that copy.
    for (int i = 0; i < users.size(); i++) {
      UserState s = states.get(i);
      cache.asMap().computeIfPresent(users.get(i), (k, v) -> v == s ? v : null);
    }
  }

  private static int writeStripe(String userId) {
    int h = userId.hashCode();
    return (h ^ h >>> 16) & (WRITE_STRIPES - 1);
  }

  /** Runs {@code body} holding the write stripes {@code stripes} (ascending, so two writers cannot deadlock). */
  private void locked(int[] stripes, int i, Runnable body) {
    if (i == stripes.length) {
      body.run();
      return;
    }
    synchronized (writeStripes[stripes[i]]) {
      locked(stripes, i + 1, body);
    }
  }

  /** The user's gender, age band and city tier as on file, or null when none is (or the store cannot answer). */
  public UserProfile profileOnFile(String userId) {
    try {
      return get(userId).profileOnFile();
    } catch (StoreUnavailableException e) {
      return null;
    }
  }

  /** Stores the profiles (all or none); the users' next requests see them. */
  public void upsertProfiles(List<UserProfile> profiles) {
    store.upsertProfiles(profiles);
    profiles.forEach(p -> cache.asMap().remove(p.id()));
  }

  /** Deletes everything held about the user, in the store and the cache; true when the store held something. */
  public boolean delete(String userId) {
    boolean held = store.delete(userId);
    cache.asMap().remove(userId);
    return held;
  }

  public UserStore store() {
    return store;
  }

  /** The cache, for binding its statistics to the metrics. */
  public Cache<String, UserState> cache() {
    return cache;
  }
}
