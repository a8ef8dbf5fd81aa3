package dev.bannerranker.serving.security;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The service on the test configuration plus {@code properties}, and a plaintext channel to it. */
final class RunningService implements AutoCloseable {
  final ApplicationContext ctx;
  final ManagedChannel channel;

  RunningService(Map<String, Object> properties) {
    ctx = ApplicationContext.run(properties, "test");
    channel = ManagedChannelBuilder.forAddress("localhost", port()).usePlaintext().build();
  }

  int port() {
    return ctx.getBean(GrpcEmbeddedServer.class).getPort();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ctx.close();
  }
}
