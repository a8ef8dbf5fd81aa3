package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.grpc.GrpcCalls.assertStatus;
import static dev.bannerranker.serving.grpc.GrpcCalls.impression;
import static dev.bannerranker.serving.grpc.GrpcCalls.rank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import dev.bannerranker.serving.TestBundles;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.micronaut.context.annotation.Property;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Started without a bundle: UNAVAILABLE and NOT_SERVING until ReloadModel brings one. */
@MicronautTest
@Property(name = "ranker.model.bundle", value = "")
class NoModelGrpcTest {
  @Inject
  GrpcEmbeddedServer grpcServer;

  @Inject
  AdminListener adminServer;

  @Test
  void unavailableUntilAModelIsLoaded() throws InterruptedException {
    ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.getPort()).usePlaintext().build();
    ManagedChannel adminChannel = ManagedChannelBuilder.forAddress("localhost", adminServer.port()).usePlaintext()
        .build();
    try {
      var ranking = RankingServiceGrpc.newBlockingStub(channel);
      var health = HealthGrpc.newBlockingStub(channel);
      assertStatus(Status.Code.UNAVAILABLE, "no model is loaded", () -> ranking.rank(rank("u-000001", "home_hero").build()));
      assertStatus(Status.Code.UNAVAILABLE, "no model is loaded", () -> ranking.recordEvents(
          RecordEventsRequest.newBuilder().addEvents(impression("u-000001", "bn-00004", TestBundles.T)).build()));
      // A client mistake is still a client mistake.
      assertStatus(Status.Code.INVALID_ARGUMENT, "user_id", () -> ranking.rank(rank("", "home_hero").build()));
      assertEquals(ServingStatus.NOT_SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
      assertStatus(Status.Code.INVALID_ARGUMENT, "bundle_dir", () -> ModelAdminServiceGrpc.newBlockingStub(adminChannel)
          .reloadModel(ReloadModelRequest.getDefaultInstance()));

      // The server's UNAVAILABLE is not mistaken for a missing service: the client does not ask about the target.
      String target = "localhost:" + grpcServer.getPort();
      String[] client = RankingGrpcTest.rankClient("--target", target, "--user", "u-000001");
      assertEquals("1", client[0]);
      assertTrue(client[2].startsWith("error: UNAVAILABLE"), client[2]);
      assertFalse(client[2].contains(target), client[2]);

      ModelAdminServiceGrpc.newBlockingStub(adminChannel).reloadModel(ReloadModelRequest.newBuilder()
          .setBundleDir(TestBundles.TINY.toString()).build());
      assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
      assertEquals(TestBundles.tiny().modelVersion(), ranking.rank(rank("u-000001", "home_hero").build())
          .getModelVersion());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
