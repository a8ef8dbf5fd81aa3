package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code ranker.admin}: the admin listener, a gRPC server of its own for the admin services (model, catalog and user
 * administration), so the port clients reach never serves them.
 *
 * @param port its port; 0 picks a free one (tests)
 * @param bind the address it listens on: loopback unless an operator opens it
 */
@ConfigurationProperties("ranker.admin")
public record AdminSettings(@Nullable Integer port, @Nullable String bind) {
  public static final int DEFAULT_PORT = 50052;
  public static final String DEFAULT_BIND = "127.0.0.1";

  public AdminSettings {
    port = port == null ? DEFAULT_PORT : port;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("ranker.admin.port must be in [0, 65535], got " + port);
    }
    bind = bind == null || bind.isBlank() ? DEFAULT_BIND : bind.strip();
  }
}
