package dev.bannerranker.serving.config;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * {@code ranker.server}: which threads run the gRPC calls.
 *
 * @param executor {@code FIXED} (the default): Rank and health checks on a pool of {@code threads} threads, the
 *     writes (RecordEvents, UpsertProfiles) on a pool of {@code writeThreads}, each with a bounded queue; admission and
 *     reflection on the transport's threads. {@code IO}: every call on Micronaut's I/O pool, a cached pool with a
 *     thread per concurrent call
 * @param threads size of the Rank pool; 0 means one per available processor
 * @param writeThreads size of the write pool; 0 means {@value #WRITES_PER_PROCESSOR} per available processor
 * @param queueSize calls that may wait for a thread, per pool; with a pool's threads running and this many waiting, a
 *     new call for it is RESOURCE_EXHAUSTED at once (a health check runs on the transport thread instead)
 */
@ConfigurationProperties("ranker.server")
public record ServerSettings(@Nullable Executor executor, int threads, int writeThreads, @Nullable Integer queueSize) {
  public static final int DEFAULT_QUEUE_SIZE = 64;
  /** Writes wait on the disk (a synced write-ahead log) or Redis, not the CPU, and concurrent ones share a sync. */
  public static final int WRITES_PER_PROCESSOR = 8;

  /** The call executor choice. */
  public enum Executor { FIXED, IO }

  public ServerSettings {
    executor = executor == null ? Executor.FIXED : executor;
    if (threads < 0) {
      throw new IllegalArgumentException("ranker.server.threads must be >= 0, got " + threads);
    }
    if (writeThreads < 0) {
      throw new IllegalArgumentException("ranker.server.write-threads must be >= 0, got " + writeThreads);
    }
    queueSize = queueSize == null ? DEFAULT_QUEUE_SIZE : queueSize;
    if (queueSize < 0) {
      throw new IllegalArgumentException("ranker.server.queue-size must be >= 0, got " + queueSize);
    }
  }

  /** The Rank pool's size. */
  public int poolSize() {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }

  /** The write pool's size. */
  public int writePoolSize() {
    return writeThreads > 0 ? writeThreads : WRITES_PER_PROCESSOR * Runtime.getRuntime().availableProcessors();
  }
}
