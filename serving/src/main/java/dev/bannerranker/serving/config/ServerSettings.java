package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * {@code ranker.server}: which threads run the gRPC calls.
 *
 * @param executor {@code IO} (the default): every call on Micronaut's I/O pool, a cached pool with a thread per
 *     concurrent call; {@code FIXED}: RankingService and health calls on a pool of {@code threads} threads with a
 *     queue, the admin and reflection calls on the I/O pool
 * @param threads size of the FIXED pool; 0 means one per available processor
 */
@ConfigurationProperties("ranker.server")
public record ServerSettings(Executor executor, int threads) {

  /** The call executor choice. */
  public enum Executor { FIXED, IO }

  public ServerSettings {
    executor = executor == null ? Executor.IO : executor;
    if (threads < 0) {
      throw new IllegalArgumentException("ranker.server.threads must be >= 0, got " + threads);
    }
  }

  /** The FIXED pool's size. */
  public int poolSize() {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }
}
