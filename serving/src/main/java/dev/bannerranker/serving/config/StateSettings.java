package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code ranker.state}: the store of record for user state (serving/README.md lists the keys).
 *
 * @param store {@code rocksdb} (embedded, durable; the default of {@code bin/ranker serve}), {@code redis} (shared by
 *     replicas) or {@code memory} (this process only, NOT durable: the baseline and tests)
 * @param dir the RocksDB state directory; relative paths resolve against the working directory
 * @param sync {@code always}: RecordEvents returns after the write-ahead log is synced (concurrent calls share a
 *     sync); {@code interval}: the log is synced every {@code syncInterval}, so a crash of the machine (not of the
 *     process) can lose that much
 * @param syncInterval how often {@code interval} syncs
 * @param retention a user with no write for this long is deleted (0: kept forever)
 * @param redisUri {@code redis://HOST:PORT} for {@code store: redis}
 * @param timeout longest wait for one store operation before it counts as unavailable (Redis)
 */
@ConfigurationProperties("ranker.state")
public record StateSettings(
    String store,
    String dir,
    String sync,
    Duration syncInterval,
    Duration retention,
    String redisUri,
    Duration timeout) {

  public static final String MEMORY = "memory";
  public static final String ROCKSDB = "rocksdb";
  public static final String REDIS = "redis";
  public static final String ALWAYS = "always";
  public static final String INTERVAL = "interval";

  public StateSettings {
    store = store == null || store.isBlank() ? ROCKSDB : store.trim().toLowerCase(Locale.ROOT);
    if (!store.equals(MEMORY) && !store.equals(ROCKSDB) && !store.equals(REDIS)) {
      throw new IllegalArgumentException("ranker.state.store must be memory, rocksdb or redis, got '" + store + "'");
    }
    dir = dir == null || dir.isBlank() ? "work/state" : dir.trim();
    sync = sync == null || sync.isBlank() ? ALWAYS : sync.trim().toLowerCase(Locale.ROOT);
    if (!sync.equals(ALWAYS) && !sync.equals(INTERVAL)) {
      throw new IllegalArgumentException("ranker.state.sync must be always or interval, got '" + sync + "'");
    }
    syncInterval = syncInterval == null ? Duration.ofMillis(100) : syncInterval;
    if (syncInterval.isNegative() || syncInterval.isZero()) {
      throw new IllegalArgumentException("ranker.state.sync-interval must be a positive duration");
    }
    retention = retention == null ? Duration.ZERO : retention;
    if (retention.isNegative()) {
      throw new IllegalArgumentException("ranker.state.retention must not be negative");
    }
    redisUri = redisUri == null ? "" : redisUri.trim();
    timeout = timeout == null ? Duration.ofMillis(50) : timeout;
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("ranker.state.timeout must be a positive duration");
    }
  }

  /** The in-memory store, for tests and benchmarks. */
  public static StateSettings memory() {
    return new StateSettings(MEMORY, null, null, null, null, null, null);
  }
}
