package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * {@code ranker.catalog}: the live catalog.
 *
 * @param pollInterval how often a replica sharing the store (Redis) checks the catalog version besides the pub/sub
 *     announcement of each change; zero: only the announcement
 */
@ConfigurationProperties("ranker.catalog")
public record CatalogSettings(Duration pollInterval) {
  public CatalogSettings {
    if (pollInterval == null || pollInterval.isNegative()) {
      throw new IllegalArgumentException("ranker.catalog.poll-interval must be a duration of 0s or more");
    }
  }
}
