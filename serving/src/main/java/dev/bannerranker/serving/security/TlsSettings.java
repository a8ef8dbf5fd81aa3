package dev.bannerranker.serving.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code ranker.tls}: client certificates (mTLS) on top of the server's TLS, which Micronaut's
 * {@code grpc.server.ssl.cert-chain} and {@code grpc.server.ssl.private-key} turn on.
 *
 * @param clientCa PEM file of the certificates (a CA, or the clients' own) that client certificates must chain to;
 *     empty: clients need no certificate. A resource path like Micronaut's keys: {@code file:/etc/tls/ca.pem}.
 * @param clientAuth REQUIRE refuses a connection without a trusted client certificate; OPTIONAL asks for one but
 *     lets a connection without a certificate through (an untrusted one is still refused)
 */
@ConfigurationProperties("ranker.tls")
public record TlsSettings(@Nullable String clientCa, @Nullable ClientAuth clientAuth) {
  /** Whether a client certificate is required. */
  public enum ClientAuth { REQUIRE, OPTIONAL }

  public TlsSettings {
    clientCa = clientCa == null ? "" : clientCa.strip();
    clientAuth = clientAuth == null ? ClientAuth.REQUIRE : clientAuth;
  }
}
