package dev.bannerranker.serving.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.bannerranker.proto.v1.BannerConversion;
import dev.bannerranker.proto.v1.BannerImpression;
import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankingContext;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import dev.bannerranker.proto.v1.UserEvent;
import dev.bannerranker.serving.LogCapture;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.model.ModelRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input over a real channel: every mistake is INVALID_ARGUMENT (or RESOURCE_EXHAUSTED past the message
 * limit, PERMISSION_DENIED outside the models root), never INTERNAL, and no answer repeats more than a short piece
 * of what the client sent.
 */
class BoundedInputGrpcTest {
  /** A status message may name fields and limits, and at most a short cut of each value. */
  private static final int MAX_MESSAGE = 400;
  private static final String MEGA = "x".repeat(1_000_000);

  @TempDir
  Path tmp;

  private RunningService service;
  private ManagedChannel channel;

  private void start(Map<String, Object> properties) {
    service = new RunningService(properties);
    channel = service.channel;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (service != null) {
      service.close();
    }
  }

  private static RankRequest.Builder rank(String user, String placement) {
    return RankRequest.newBuilder().setUserId(user).setContext(RankingContext.newBuilder().setPlacement(placement)
        .setTimestamp(Timestamp.newBuilder().setSeconds(TestBundles.T)));
  }

  private static Status.Code code(Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    String message = String.valueOf(e.getStatus().getDescription());
    assertTrue(message.length() <= MAX_MESSAGE, e.getStatus().getCode() + " message of " + message.length()
        + " characters: " + message.substring(0, Math.min(message.length(), 300)));
    return e.getStatus().getCode();
  }

  private static ReloadModelRequest reload(String dir) {
    return ReloadModelRequest.newBuilder().setBundleDir(dir).build();
  }

  @Test
  void hugeAndMalformedValuesAreInvalidArgumentWithShortMessages() {
    start(Map.of());
    var ranking = RankingServiceGrpc.newBlockingStub(channel);
    var admin = ModelAdminServiceGrpc.newBlockingStub(service.admin);
    Map<String, Executable> calls = new LinkedHashMap<>();
    calls.put("bundle_dir NUL", () -> admin.reloadModel(reload("bundles/\0tiny")));
    calls.put("bundle_dir newline", () -> admin.reloadModel(reload("bundles\ntiny")));
    calls.put("bundle_dir 1 MB", () -> admin.reloadModel(reload(MEGA)));
    calls.put("placement 1 MB", () -> ranking.rank(rank(TestBundles.KNOWN_USER, MEGA).build()));
    calls.put("placement NUL", () -> ranking.rank(rank(TestBundles.KNOWN_USER, "home\0hero").build()));
    calls.put("candidate 1 MB", () -> ranking.rank(rank(TestBundles.KNOWN_USER, "home_hero")
        .addCandidateBannerIds(MEGA).build()));
    calls.put("user_id 1 MB", () -> ranking.rank(rank(MEGA, "home_hero").build()));
    calls.put("event banner 1 MB", () -> ranking.recordEvents(RecordEventsRequest.newBuilder()
        .addEvents(UserEvent.newBuilder().setUserId(TestBundles.KNOWN_USER)
            .setTimestamp(Timestamp.newBuilder().setSeconds(TestBundles.T))
            .setImpression(BannerImpression.newBuilder().setBannerId(MEGA))).build()));
    calls.put("conversion banner 1 MB", () -> ranking.recordEvents(RecordEventsRequest.newBuilder()
        .addEvents(UserEvent.newBuilder().setUserId(TestBundles.KNOWN_USER)
            .setConversion(BannerConversion.newBuilder().setBannerId(MEGA))).build()));
    calls.put("conversion request_id 1 MB", () -> ranking.recordEvents(RecordEventsRequest.newBuilder()
        .addEvents(UserEvent.newBuilder().setUserId(TestBundles.KNOWN_USER)
            .setConversion(BannerConversion.newBuilder().setBannerId("bn-00004").setRequestId(MEGA))).build()));
    try (LogCapture registryLog = LogCapture.of(ModelRegistry.class)) {
      calls.forEach((what, call) -> assertEquals(Status.Code.INVALID_ARGUMENT, code(call), what));
      registryLog.events().forEach(e -> assertTrue(e.getFormattedMessage().length() + String.valueOf(
          e.getKeyValuePairs()).length() < 2000, "a short log line"));
    }
    // Past grpc.server.max-inbound-message-size (1 MiB) the request is not read at all.
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(() -> ranking.rank(rank(TestBundles.KNOWN_USER, "home_hero")
        .addCandidateBannerIds(MEGA).addCandidateBannerIds(MEGA).build())));
    assertTrue(ranking.rank(rank(TestBundles.KNOWN_USER, "home_hero").build()).getBannersCount() > 0,
        "the server still ranks");
  }

  @Test
  void reloadModelLoadsOnlyFromTheModelsRoot() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("models"));
    TestBundles.withVersion(root.resolve("1"), "v-one");
    Path outside = TestBundles.withVersion(tmp.resolve("elsewhere"), "v-outside");
    Files.createSymbolicLink(root.resolve("escape"), outside);
    start(Map.of("ranker.model.models-root", root.toString(), "ranker.model.bundle", ""));
    var admin = ModelAdminServiceGrpc.newBlockingStub(service.admin);

    assertEquals("v-one", admin.reloadModel(reload("1")).getStatus().getModelVersion());
    assertEquals("v-one", admin.reloadModel(reload(root.resolve("1").toString())).getStatus().getModelVersion(),
        "a path inside the root is that directory");

    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> admin.reloadModel(reload("../elsewhere"))));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> admin.reloadModel(reload("1/../../elsewhere"))));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> admin.reloadModel(reload("1\u0007"))));
    assertEquals(Status.Code.PERMISSION_DENIED, code(() -> admin.reloadModel(reload(outside.toString()))));
    assertEquals(Status.Code.PERMISSION_DENIED, code(() -> admin.reloadModel(reload("escape"))),
        "a link out of the root");
    // Whether an outside path exists is not told.
    StatusRuntimeException existing = assertThrows(StatusRuntimeException.class,
        () -> admin.reloadModel(reload(outside.toString())));
    StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
        () -> admin.reloadModel(reload(tmp.resolve("no-such-dir").toString())));
    assertEquals(existing.getStatus().getCode(), missing.getStatus().getCode());
    assertEquals(existing.getStatus().getDescription(), missing.getStatus().getDescription());

    assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> admin.reloadModel(reload("2"))),
        "a missing version inside the root is a refused bundle");
    assertEquals("v-one", admin.getModelStatus(GetModelStatusRequest.getDefaultInstance()).getArms(0).getModelVersion(),
        "nothing refused replaced the model");
  }
}
