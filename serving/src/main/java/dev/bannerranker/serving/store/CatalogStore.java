package dev.bannerranker.serving.store;

/**
 * Where the live catalog of record is kept: in the same store as the user state (RocksDB: key {@code catalog} of the
 * default column family; Redis: keys {@code ranker:catalog} and {@code ranker:catalog:version}, channel {@code
 * ranker:catalog:changes}; memory: this process's heap). One encoded value per version, replaced whole, so a change
 * is all or nothing.
 */
public interface CatalogStore {
  /** An encoded catalog and its version. */
  record StoredCatalog(long version, byte[] encoded) {}

  /** The stored catalog, or null when none was ever stored. */
  StoredCatalog read();

  /** The stored version, 0 when none: a cheap check before {@link #read}. */
  long version();

  /**
   * Stores {@code encoded} as {@code version} if the stored version is still {@code expected} (0: none); false when
   * another writer (a replica sharing the store) got there first, and nothing changed.
   */
  boolean write(long expected, long version, byte[] encoded);

  /** Runs {@code listener} when another process may have changed the catalog (Redis pub/sub); a no-op elsewhere. */
  default void subscribe(Runnable listener) {}
}
