package dev.bannerranker.serving.security;

import io.grpc.ServerBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.io.ResourceResolver;
import io.micronaut.grpc.server.GrpcServerConfiguration;
import io.micronaut.grpc.server.GrpcSslConfiguration;
import io.netty.handler.ssl.ClientAuth;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;

/**
 * mTLS for the gRPC server: Micronaut's own TLS keys have no client certificates, so when {@code ranker.tls.client-ca}
 * is set this replaces the server's TLS context with one that has the same certificate and key and also checks the
 * client's certificate against that file.
 */
@Singleton
@Requires(property = "ranker.tls.client-ca")
final class ClientCertificates implements BeanCreatedEventListener<ServerBuilder<?>> {
  private final TlsSettings tls;
  private final GrpcServerConfiguration server;
  private final ResourceResolver resources;

  ClientCertificates(TlsSettings tls, GrpcServerConfiguration server, ResourceResolver resources) {
    this.tls = tls;
    this.server = server;
    this.resources = resources;
  }

  @Override
  public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
    ServerBuilder<?> builder = event.getBean();
    if (tls.clientCa().isEmpty()) {
      return builder;
    }
    GrpcSslConfiguration ssl = server.getServerConfiguration();
    if (ssl.getCertChain().isEmpty() || ssl.getPrivateKey().isEmpty()) {
      throw new ConfigurationException("ranker.tls.client-ca needs TLS: set grpc.server.ssl.cert-chain and "
          + "grpc.server.ssl.private-key");
    }
    if (!(builder instanceof NettyServerBuilder netty)) {
      throw new ConfigurationException("ranker.tls.client-ca needs the Netty gRPC server, not "
          + builder.getClass().getName());
    }
    try (InputStream chain = open("grpc.server.ssl.cert-chain", ssl.getCertChain().get());
        InputStream key = open("grpc.server.ssl.private-key", ssl.getPrivateKey().get());
        InputStream ca = open("ranker.tls.client-ca", tls.clientCa())) {
      netty.sslContext(GrpcSslContexts.forServer(chain, key).trustManager(ca)
          .clientAuth(tls.clientAuth() == TlsSettings.ClientAuth.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL)
          .build());
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigurationException("cannot set up TLS with client certificates: " + e.getMessage(), e);
    }
    return builder;
  }

  private InputStream open(String key, String path) {
    return resources.getResourceAsStream(path).orElseThrow(() -> new ConfigurationException(key + " " + path
        + " cannot be read (a resource path such as file:/etc/tls/file.pem)"));
  }
}
