package dev.bannerranker.serving.log;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.convert.format.ReadableBytes;
import java.time.Duration;

/**
 * {@code ranker.log}: the serving log (docs/serving-log.md).
 *
 * @param dir log directory; empty turns the log off
 * @param maxFileSize a file is closed and a new one opened once it holds this many bytes (e.g. 64MB)
 * @param maxFileAge ... or once it is this old
 * @param syncInterval written lines are flushed and fsynced at least this often
 * @param queueSize records waiting for the writer thread; when full a record is dropped and counted
 */
@ConfigurationProperties("ranker.log")
public record LogSettings(
    String dir,
    @ReadableBytes Long maxFileSize,
    Duration maxFileAge,
    Duration syncInterval,
    Integer queueSize) {

  public LogSettings {
    dir = dir == null ? "" : dir.trim();
    maxFileSize = maxFileSize == null ? 64L << 20 : maxFileSize;
    maxFileAge = maxFileAge == null ? Duration.ofHours(1) : maxFileAge;
    syncInterval = syncInterval == null ? Duration.ofSeconds(1) : syncInterval;
    queueSize = queueSize == null ? 65_536 : queueSize;
    if (maxFileSize <= 0) {
      throw new IllegalArgumentException("ranker.log.max-file-size must be positive, got " + maxFileSize);
    }
    if (maxFileAge.isNegative() || maxFileAge.isZero()) {
      throw new IllegalArgumentException("ranker.log.max-file-age must be positive, got " + maxFileAge);
    }
    if (syncInterval.isNegative() || syncInterval.isZero()) {
      throw new IllegalArgumentException("ranker.log.sync-interval must be positive, got " + syncInterval);
    }
    if (queueSize <= 0) {
      throw new IllegalArgumentException("ranker.log.queue-size must be positive, got " + queueSize);
    }
  }

  /** Logging off. */
  public static LogSettings off() {
    return new LogSettings("", null, null, null, null);
  }

  public boolean enabled() {
    return !dir.isEmpty();
  }
}
