package dev.bannerranker.serving.security;

import io.grpc.netty.GrpcSslContexts;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.io.ResourceResolver;
import io.micronaut.grpc.server.GrpcServerConfiguration;
import io.micronaut.grpc.server.GrpcSslConfiguration;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The TLS of both gRPC listeners: the certificate and key of Micronaut's {@code grpc.server.ssl.cert-chain} and
 * {@code grpc.server.ssl.private-key}, and with {@code ranker.tls.client-ca} the check of client certificates (mTLS).
 */
@Singleton
public final class ServerTls {
  private final TlsSettings tls;
  private final GrpcSslConfiguration ssl;
  private final ResourceResolver resources;

  public ServerTls(TlsSettings tls, GrpcServerConfiguration server, ResourceResolver resources) {
    this.tls = tls;
    this.ssl = server.getServerConfiguration();
    this.resources = resources;
  }

  /** Whether client certificates are asked for. */
  public boolean clientCertificates() {
    return !tls.clientCa().isEmpty();
  }

  /**
   * The server's TLS context, or empty when TLS is off.
   *
   * @throws ConfigurationException when a file cannot be read, or client certificates are asked for without TLS
   */
  public Optional<SslContext> context() {
    if (ssl.getCertChain().isEmpty() || ssl.getPrivateKey().isEmpty()) {
      if (clientCertificates()) {
        throw new ConfigurationException("ranker.tls.client-ca needs TLS: set grpc.server.ssl.cert-chain and "
            + "grpc.server.ssl.private-key");
      }
      return Optional.empty();
    }
    try (InputStream chain = open("grpc.server.ssl.cert-chain", ssl.getCertChain().get());
        InputStream key = open("grpc.server.ssl.private-key", ssl.getPrivateKey().get())) {
      SslContextBuilder builder = GrpcSslContexts.forServer(chain, key);
      if (clientCertificates()) {
        try (InputStream ca = open("ranker.tls.client-ca", tls.clientCa())) {
          builder.trustManager(ca).clientAuth(tls.clientAuth() == TlsSettings.ClientAuth.REQUIRE
              ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
          return Optional.of(builder.build());
        }
      }
      return Optional.of(builder.build());
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigurationException("cannot set up TLS" + (clientCertificates() ? " with client certificates" : "")
          + ": " + e.getMessage(), e);
    }
  }

  private InputStream open(String key, String path) {
    return resources.getResourceAsStream(path).orElseThrow(() -> new ConfigurationException(key + " " + path
        + " cannot be read (a resource path such as file:/etc/tls/file.pem)"));
  }
}
