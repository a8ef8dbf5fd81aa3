package dev.bannerranker.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.stub.ClientCalls;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Bytes that are not a valid request message are INVALID_ARGUMENT, and the methods still answer valid ones. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnparsableRequestsGrpcTest {
  @Inject
  GrpcEmbeddedServer grpcServer;

  @Inject
  AdminListener adminServer;

  ManagedChannel channel;
  ManagedChannel admin;

  @BeforeAll
  void connect() {
    channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.getPort()).usePlaintext().build();
    admin = ManagedChannelBuilder.forAddress("localhost", adminServer.port()).usePlaintext().build();
  }

  @AfterAll
  void close() {
    channel.shutdownNow();
    admin.shutdownNow();
  }

  private Status.Code send(MethodDescriptor<?, ?> method, byte[] body) {
    return send(channel, method, body);
  }

  private static Status.Code send(ManagedChannel channel, MethodDescriptor<?, ?> method, byte[] body) {
    MethodDescriptor<InputStream, InputStream> raw = MethodDescriptor.<InputStream, InputStream>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(method.getFullMethodName())
        .setRequestMarshaller(UnparsableRequests.RAW).setResponseMarshaller(UnparsableRequests.RAW).build();
    try {
      ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
          new ByteArrayInputStream(body)).close();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void garbageIsInvalidArgument() {
    byte[] truncated = {0x0a, 0x10, 'u', '-'}; // field 1, 16 bytes announced, 2 sent
    byte[] badUtf8 = {0x0a, 0x02, (byte) 0xff, (byte) 0xfe}; // user_id with invalid UTF-8
    byte[] badWireType = {0x0f, 0x01};
    for (byte[] body : new byte[][] {truncated, badUtf8, badWireType}) {
      assertEquals(Status.Code.INVALID_ARGUMENT, send(RankingServiceGrpc.getRankMethod(), body));
      assertEquals(Status.Code.INVALID_ARGUMENT, send(RankingServiceGrpc.getRecordEventsMethod(), body));
      assertEquals(Status.Code.INVALID_ARGUMENT, send(admin, ModelAdminServiceGrpc.getDeleteUserMethod(), body));
    }
    // An empty message parses: the service's own validation names the field.
    assertEquals(Status.Code.INVALID_ARGUMENT, send(RankingServiceGrpc.getRankMethod(), new byte[0]));
    assertEquals(Status.Code.OK, send(admin, ModelAdminServiceGrpc.getGetModelStatusMethod(), new byte[0]));
  }

  @Test
  void reflectionStillDescribesTheServices() {
    var reflection = ServerReflectionGrpc.newStub(channel);
    java.util.concurrent.CompletableFuture<String> name = new java.util.concurrent.CompletableFuture<>();
    var requests = reflection.serverReflectionInfo(new io.grpc.stub.StreamObserver<>() {
      @Override
      public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
        name.complete(r.getFileDescriptorResponse().getFileDescriptorProtoCount() > 0 ? "found" : r.toString());
      }

      @Override
      public void onError(Throwable t) {
        name.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol("ads.ranking.v1.RankingService").build());
    requests.onCompleted();
    assertEquals("found", name.join());
  }
}
