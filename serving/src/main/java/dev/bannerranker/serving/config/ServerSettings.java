package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code ranker.server}: which threads run the gRPC calls.
 *
 * @param executor {@code IO} (the default): every call on Micronaut's I/O pool, a cached pool with a thread per
 *     concurrent call; {@code FIXED}: RankingService and health calls on a pool of {@code threads} threads with a
 *     bounded queue, reflection on the I/O pool
 * @param threads size of the FIXED pool; 0 means one per available processor
 * @param queueSize FIXED: calls that may wait for a thread; with {@code threads} running and this many waiting, a
 *     new RankingService call is RESOURCE_EXHAUSTED at once (a health check runs on the I/O pool instead)
 */
@ConfigurationProperties("ranker.server")
public record ServerSettings(@Nullable Executor executor, int threads, @Nullable Integer queueSize) {
  public static final int DEFAULT_QUEUE_SIZE = 64;

  /** The call executor choice. */
  public enum Executor { FIXED, IO }

  public ServerSettings {
    executor = executor == null ? Executor.IO : executor;
    if (threads < 0) {
      throw new IllegalArgumentException("ranker.server.threads must be >= 0, got " + threads);
    }
    queueSize = queueSize == null ? DEFAULT_QUEUE_SIZE : queueSize;
    if (queueSize < 0) {
      throw new IllegalArgumentException("ranker.server.queue-size must be >= 0, got " + queueSize);
    }
  }

  /** The FIXED pool's size. */
  public int poolSize() {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }
}
