package dev.bannerranker.serving.store;

/** The catalog in this process's heap: not durable, as the memory user store. */
final class MemoryCatalogStore implements CatalogStore {
  private StoredCatalog stored;

  @Override
  public synchronized StoredCatalog read() {
    return stored;
  }

  @Override
  public synchronized long version() {
    return stored == null ? 0 : stored.version();
  }

  @Override
  public synchronized boolean write(long expected, long version, byte[] encoded) {
    if (version() != expected) {
      return false;
    }
    stored = new StoredCatalog(version, encoded.clone());
    return true;
  }
}
