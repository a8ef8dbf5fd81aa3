package dev.bannerranker.serving.grpc;

import dev.bannerranker.serving.security.TokenAuthInterceptor;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.OrderUtil;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The one assembly of both gRPC listeners: each gets the health service, reflection and every interceptor bean
 * (tokens, model paths, limits, metrics) in the same order, as Micronaut would add them. The services are split by
 * {@link TokenAuthInterceptor#adminService}: the admin services go to the admin listener only, every other service
 * to the main one, so an admin RPC on the main port is UNIMPLEMENTED.
 */
@Singleton
public final class ListenerAssembly {
  /** Which listener a builder is for. */
  public enum Listener { MAIN, ADMIN }

  /** Reflection describes whichever server it is on, so both listeners have it. */
  @SuppressWarnings("deprecation")
  private static final Set<String> ON_BOTH = Set.of(ServerReflectionGrpc.SERVICE_NAME,
      io.grpc.reflection.v1alpha.ServerReflectionGrpc.SERVICE_NAME);

  private final HealthStatusManager health;
  private final List<BindableService> services;
  private final List<ServerInterceptor> interceptors;
  private final List<ServerTransportFilter> filters;
  private final List<ServerServiceDefinition> definitions;

  public ListenerAssembly(@Nullable HealthStatusManager health, @Nullable List<BindableService> services,
      @Nullable List<ServerInterceptor> interceptors, @Nullable List<ServerTransportFilter> filters,
      @Nullable List<ServerServiceDefinition> definitions) {
    this.health = health;
    this.services = services == null ? List.of() : List.copyOf(services);
    List<ServerInterceptor> sorted = interceptors == null ? new ArrayList<>() : new ArrayList<>(interceptors);
    // Reversed because the interceptor last in the list runs first: the highest precedence (tokens) runs first.
    OrderUtil.reverseSort(sorted);
    this.interceptors = List.copyOf(sorted);
    this.filters = filters == null ? List.of() : List.copyOf(filters);
    this.definitions = definitions == null ? List.of() : List.copyOf(definitions);
  }

  /** Whether a call to {@code service} is served by {@code listener}. */
  public static boolean serves(Listener listener, String service) {
    return ON_BOTH.contains(service) || TokenAuthInterceptor.adminService(service) == (listener == Listener.ADMIN);
  }

  /**
   * Adds the listener's services and the health service, each wrapped in the interceptors, and the transport filters
   * to {@code builder}. The interceptors wrap each service rather than the server, so that ours can parse their own
   * requests outside them ({@link UnparsableRequests}): the interceptors still see the typed messages, and bytes
   * that are no message are INVALID_ARGUMENT, not grpc-java's UNKNOWN.
   */
  public <B extends ServerBuilder<?>> B assemble(B builder, Listener listener) {
    if (health != null) {
      builder.addService(ServerInterceptors.intercept(health.getHealthService(), interceptors));
    }
    for (BindableService service : services) {
      ServerServiceDefinition definition = service.bindService();
      String name = definition.getServiceDescriptor().getName();
      if (serves(listener, name)) {
        ServerServiceDefinition intercepted = ServerInterceptors.intercept(definition, interceptors);
        builder.addService(ON_BOTH.contains(name) ? intercepted : UnparsableRequests.invalidArgument(intercepted));
      }
    }
    for (ServerServiceDefinition definition : definitions) {
      if (serves(listener, definition.getServiceDescriptor().getName())) {
        builder.addService(ServerInterceptors.intercept(definition, interceptors));
      }
    }
    filters.forEach(builder::addTransportFilter);
    return builder;
  }
}
