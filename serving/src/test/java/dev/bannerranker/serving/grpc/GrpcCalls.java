package dev.bannerranker.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.bannerranker.proto.v1.BannerClick;
import dev.bannerranker.proto.v1.BannerImpression;
import dev.bannerranker.proto.v1.Platform;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankingContext;
import dev.bannerranker.proto.v1.UserEvent;
import dev.bannerranker.serving.TestBundles;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.function.Executable;

/** Request builders and assertions shared by the gRPC tests. */
final class GrpcCalls {
  private GrpcCalls() {}

  static Timestamp at(long seconds) {
    return Timestamp.newBuilder().setSeconds(seconds).build();
  }

  static RankRequest.Builder rank(String user, String placement) {
    return RankRequest.newBuilder().setUserId(user).setNumResults(50).setContext(RankingContext.newBuilder()
        .setPlacement(placement).setPlatform(Platform.PLATFORM_WEB).setLocale("en-GB").setTimestamp(at(TestBundles.T)));
  }

  static UserEvent impression(String user, String banner, long time) {
    return UserEvent.newBuilder().setUserId(user).setTimestamp(at(time))
        .setImpression(BannerImpression.newBuilder().setBannerId(banner)).build();
  }

  static UserEvent click(String user, String banner, long time) {
    return UserEvent.newBuilder().setUserId(user).setTimestamp(at(time))
        .setClick(BannerClick.newBuilder().setBannerId(banner)).build();
  }

  /** The call fails with {@code code}, and the message starts with {@code prefix}. */
  static void assertStatus(Status.Code code, String prefix, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), String.valueOf(e.getStatus().getDescription()));
    String message = String.valueOf(e.getStatus().getDescription());
    assertTrue(message.startsWith(prefix), "'" + message + "' should start with '" + prefix + "'");
  }

  /** An observer that completes {@code answer} with the first response, or exceptionally with the error. */
  static <T> StreamObserver<T> into(CompletableFuture<T> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        answer.completeExceptionally(new IllegalStateException("completed without a response"));
      }
    };
  }

  static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path);
    return r.body();
  }
}
