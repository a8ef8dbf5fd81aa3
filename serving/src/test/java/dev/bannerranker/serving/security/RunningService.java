package dev.bannerranker.serving.security;

import dev.bannerranker.serving.grpc.AdminListener;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The service on the test configuration plus {@code properties}, and plaintext channels to both listeners. */
final class RunningService implements AutoCloseable {
  final ApplicationContext ctx;
  final ManagedChannel channel;
  /** To the admin listener. */
  final ManagedChannel admin;

  RunningService(Map<String, Object> properties) {
    ctx = ApplicationContext.run(properties, "test");
    channel = ManagedChannelBuilder.forAddress("localhost", port()).usePlaintext().build();
    admin = ManagedChannelBuilder.forAddress("localhost", ctx.getBean(AdminListener.class).port()).usePlaintext()
        .build();
  }

  int port() {
    return ctx.getBean(GrpcEmbeddedServer.class).getPort();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    admin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ctx.close();
  }
}
