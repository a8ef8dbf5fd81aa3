package dev.bannerranker.serving.store;

import dev.bannerranker.data.UserProfile;
import java.util.List;

/**
 * The store of record for user state: each user's profile and packed activity log ({@link StoredLog}), and the
 * dictionary of brand, category and banner names the logs refer to. The Caffeine cache in {@code UserStateStore}
 * only reads through it; nothing is held only in the cache.
 *
 * <p>Implementations: {@link MemoryUserStore} (one process, not durable: the baseline and tests),
 * {@code RocksDbUserStore} (embedded, durable on one machine) and a Redis store (shared by replicas). Every method
 * may throw {@link StoreUnavailableException} when the store cannot answer; callers turn that into a fallback (Rank)
 * or UNAVAILABLE (writes). No method reads, changes and writes a value across processes: {@link #append} is one
 * atomic operation on the store's side (Redis: APPEND or a Lua script; RocksDB: the owning process's per-user lock),
 * so appends for one user from two replicas at the same moment both land.
 */
public interface UserStore extends AutoCloseable {

  /** Short description for logs and the start-up banner, e.g. {@code rocksdb work/state (sync always)}. */
  String describe();

  /** The metric tag of this kind of store: {@code memory}, {@code rocksdb} or {@code redis}. */
  String kind();

  /**
   * True when other processes write the same state (Redis): a cache in front must then read through on every
   * Rank, or be invalidated, since another replica may have appended since.
   */
  boolean shared();

  /** True when the state survives a crash of this process. */
  boolean durable();

  /** True while the store is reachable (Redis: the connection is up); drawn as {@code ranker.store.connected}. */
  default boolean connected() {
    return true;
  }

  /** The user's profile and log; null when nothing is stored about them. */
  StoredUser read(String userId);

  /**
   * Appends {@code records} ({@link StoredLog#records} bytes: self-contained, so concatenation is the append) to the
   * user's log as one atomic operation, and compacts the log ({@link StoredLog#compact}) when it has grown past its
   * limits. Returns once the records are as durable as the store's sync setting promises.
   */
  void append(String userId, byte[] records);

  /** Appends to several users' logs; durable together (one sync), each user's append atomic. */
  default void appendAll(List<UserRecords> batch) {
    for (UserRecords r : batch) {
      append(r.userId(), r.records());
    }
  }

  /** Sets the profiles, replacing earlier ones: all of them, or none when the call fails. */
  void upsertProfiles(List<UserProfile> profiles);

  /**
   * Replaces the whole state of each given user (profile, log or both; a null part is deleted): the bulk import.
   * Running the same import twice leaves the same state.
   */
  void replaceUsers(List<StoredUser> users);

  /** Deletes everything held about the user; true when something was held. */
  boolean delete(String userId);

  /** True when no user is stored (a fresh store, which the service may fill from {@code --data}). */
  boolean isEmpty();

  /**
   * The store's id (1 or more) of a name of this kind, assigned atomically when new: the same in every process that
   * shares the store, and after restarts. Logs hold these ids, never a process's own numbering.
   */
  int nameId(NameKind kind, String name);

  /** The name with this store id, or null when the store has none. */
  String name(NameKind kind, int id);

  /** The live catalog's place in this store. */
  CatalogStore catalog();

  /** Flushes and releases the store (the RocksDB lock, the Redis connection). */
  @Override
  void close();

  /** Records to append to one user's log. */
  record UserRecords(String userId, byte[] records) {}
}
