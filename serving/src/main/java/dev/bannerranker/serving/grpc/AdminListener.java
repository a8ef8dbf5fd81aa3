package dev.bannerranker.serving.grpc;

import dev.bannerranker.serving.config.AdminSettings;
import dev.bannerranker.serving.security.ServerTls;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.annotation.Value;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.grpc.server.GrpcServerConfiguration;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerShutdownEvent;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener ({@code ranker.admin.port}, {@code ranker.admin.bind}, loopback by default): a second gRPC
 * server with the admin services, health and reflection, assembled like the main one ({@link ListenerAssembly}: the
 * same token checks and interceptors) and with the same TLS. It starts with the main listener, stops taking calls
 * when shutdown begins, and gives calls in flight {@code grpc.server.await-termination} to finish. Its calls run on
 * Micronaut's I/O pool: a reload may block while a bundle loads.
 */
@Singleton
public class AdminListener {
  private static final Logger LOG = LoggerFactory.getLogger(AdminListener.class);

  private final AdminSettings settings;
  private final ListenerAssembly assembly;
  private final ServerTls tls;
  private final ExecutorService io;
  private final Duration awaitTermination;
  private final int maxInboundMessageSize;
  private Server server;

  public AdminListener(AdminSettings settings, ListenerAssembly assembly, ServerTls tls,
      @Named(TaskExecutors.IO) ExecutorService io, GrpcServerConfiguration main,
      @Value("${grpc.server.max-inbound-message-size:4194304}") int maxInboundMessageSize) {
    this.settings = settings;
    this.assembly = assembly;
    this.tls = tls;
    this.io = io;
    this.awaitTermination = main.getAwaitTermination();
    this.maxInboundMessageSize = maxInboundMessageSize;
  }

  /** Opens the port, once. @throws UncheckedIOException when the address cannot be bound */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(settings.bind(), settings.port()))
        .executor(io).maxInboundMessageSize(maxInboundMessageSize);
    tls.context().ifPresent(builder::sslContext);
    Server built = assembly.assemble(builder, ListenerAssembly.Listener.ADMIN).build();
    try {
      built.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the admin listener on " + settings.bind() + ":" + settings.port()
          + " (ranker.admin.port, serve --admin-port): " + e.getMessage(), e);
    }
    server = built;
    LOG.atInfo().addKeyValue("bind", settings.bind()).addKeyValue("port", built.getPort())
        .log("admin gRPC listener started on {}:{}", settings.bind(), built.getPort());
  }

  /** The port it listens on (the chosen one for port 0); starts it if it has not started. */
  public int port() {
    start();
    synchronized (this) {
      return server.getPort();
    }
  }

  /** The socket addresses it listens on. */
  public List<InetSocketAddress> listenAddresses() {
    start();
    synchronized (this) {
      return server.getListenSockets().stream().filter(InetSocketAddress.class::isInstance)
          .map(InetSocketAddress.class::cast).toList();
    }
  }

  /** The address it listens on, as HOST:PORT. */
  public String address() {
    return settings.bind() + ":" + port();
  }

  @EventListener
  void onStartup(ServerStartupEvent event) {
    if (event.getSource() instanceof GrpcEmbeddedServer) {
      start();
    }
  }

  /** New admin calls are refused from the start of shutdown; those in flight go on. */
  @EventListener
  synchronized void onShutdown(ServerShutdownEvent event) {
    if (server != null) {
      server.shutdown();
    }
  }

  @PreDestroy
  void close() throws InterruptedException {
    Server s;
    synchronized (this) {
      s = server;
    }
    if (s == null) {
      return;
    }
    s.shutdown();
    if (!s.awaitTermination(awaitTermination.toMillis(), TimeUnit.MILLISECONDS)) {
      s.shutdownNow();
    }
  }
}
