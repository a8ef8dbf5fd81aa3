package dev.bannerranker.serving.security;

import io.grpc.ServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.inject.Singleton;

/**
 * mTLS for the main gRPC listener: Micronaut's own TLS keys have no client certificates, so when
 * {@code ranker.tls.client-ca} is set this replaces the server's TLS context with {@link ServerTls}'s, which has the
 * same certificate and key and also checks the client's certificate. The admin listener takes that context itself.
 */
@Singleton
@Requires(property = "ranker.tls.client-ca")
final class ClientCertificates implements BeanCreatedEventListener<ServerBuilder<?>> {
  private final ServerTls tls;

  ClientCertificates(ServerTls tls) {
    this.tls = tls;
  }

  @Override
  public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
    ServerBuilder<?> builder = event.getBean();
    if (!tls.clientCertificates()) {
      return builder;
    }
    if (!(builder instanceof NettyServerBuilder netty)) {
      throw new ConfigurationException("ranker.tls.client-ca needs the Netty gRPC server, not "
          + builder.getClass().getName());
    }
    tls.context().ifPresent(netty::sslContext);
    return builder;
  }
}
