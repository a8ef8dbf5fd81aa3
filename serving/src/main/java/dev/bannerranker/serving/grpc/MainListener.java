package dev.bannerranker.serving.grpc;

import io.grpc.ServerBuilder;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.grpc.server.GrpcServerBuilder;
import io.micronaut.grpc.server.GrpcServerConfiguration;
import jakarta.inject.Singleton;

/**
 * The main listener's server builder, in place of Micronaut's, which would put every service on it: Micronaut still
 * configures it ({@code grpc.server.*}: port, host, TLS, message size), starts it and drains it at shutdown.
 */
@Factory
public class MainListener {
  @Bean
  @Singleton
  @Replaces(bean = ServerBuilder.class, factory = GrpcServerBuilder.class)
  ServerBuilder<?> serverBuilder(GrpcServerConfiguration configuration, ListenerAssembly assembly) {
    return assembly.assemble(configuration.getServerBuilder(), ListenerAssembly.Listener.MAIN);
  }
}
