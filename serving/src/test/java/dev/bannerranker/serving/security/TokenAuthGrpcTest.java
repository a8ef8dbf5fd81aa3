package dev.bannerranker.serving.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankingContext;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.cli.RankCommand;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bearer tokens over a real channel: which calls need which token, and what a missing or wrong one gets. */
class TokenAuthGrpcTest {
  private static final String WRITE = "write-secret-1";
  private static final String ADMIN = "admin-secret-2";

  private RunningService service;
  private ManagedChannel channel;

  @TempDir
  Path tmp;

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

  private static <S extends AbstractStub<S>> S withToken(S stub, String header) {
    Metadata m = new Metadata();
    m.put(TokenAuthInterceptor.AUTHORIZATION, header);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  private static RankRequest rank() {
    return RankRequest.newBuilder().setUserId(TestBundles.KNOWN_USER)
        .setContext(RankingContext.newBuilder().setPlacement("home_hero")).build();
  }

  private static void assertCode(Status.Code code, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), String.valueOf(e.getStatus().getDescription()));
    String message = String.valueOf(e.getStatus().getDescription());
    assertFalse(message.contains(WRITE) || message.contains(ADMIN) || message.contains("wrong"),
        "the message repeats no token: " + message);
  }

  @Test
  void writeAndAdminCallsNeedTheirTokenAndRankStaysOpen() {
    start(Map.of("ranker.security.write-token", WRITE, "ranker.security.admin-token", ADMIN));
    var ranking = RankingServiceGrpc.newBlockingStub(channel);
    var admin = ModelAdminServiceGrpc.newBlockingStub(service.admin);
    RecordEventsRequest events = RecordEventsRequest.getDefaultInstance();
    GetModelStatusRequest status = GetModelStatusRequest.getDefaultInstance();

    assertTrue(ranking.rank(rank()).getBannersCount() > 0, "Rank needs no token");
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "health needs no token");

    assertCode(Status.Code.UNAUTHENTICATED, () -> ranking.recordEvents(events));
    assertCode(Status.Code.UNAUTHENTICATED, () -> withToken(ranking, "Basic " + WRITE).recordEvents(events));
    assertCode(Status.Code.UNAUTHENTICATED, () -> withToken(ranking, "Bearer ").recordEvents(events));
    assertCode(Status.Code.PERMISSION_DENIED, () -> withToken(ranking, "Bearer wrong").recordEvents(events));
    assertCode(Status.Code.PERMISSION_DENIED, () -> withToken(ranking, "Bearer " + ADMIN).recordEvents(events));
    assertCode(Status.Code.PERMISSION_DENIED, () -> withToken(ranking, "Bearer " + WRITE + "x").recordEvents(events));
    assertEquals(0, withToken(ranking, "Bearer " + WRITE).recordEvents(events).getAcceptedCount());
    assertEquals(0, withToken(ranking, "bearer " + WRITE).recordEvents(events).getAcceptedCount(),
        "the scheme is case-insensitive");

    assertCode(Status.Code.UNAUTHENTICATED, () -> admin.getModelStatus(status));
    assertCode(Status.Code.PERMISSION_DENIED, () -> withToken(admin, "Bearer " + WRITE).getModelStatus(status));
    assertEquals(2, withToken(admin, "Bearer " + ADMIN).getModelStatus(status).getArmsCount());
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(service.admin)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "the admin listener's health needs no token");
    // The main listener does not serve the admin services, whatever the token.
    assertCode(Status.Code.UNIMPLEMENTED, () -> withToken(ModelAdminServiceGrpc.newBlockingStub(channel),
        "Bearer " + ADMIN).getModelStatus(status));
  }

  @Test
  void aRankTokenClosesRankAndTheClientSendsIt() throws Exception {
    Path file = Files.writeString(tmp.resolve("rank-token"), "rank-secret\n");
    start(Map.of("ranker.security.rank-token-file", file.toString()));
    var ranking = RankingServiceGrpc.newBlockingStub(channel);
    assertCode(Status.Code.UNAUTHENTICATED, () -> ranking.rank(rank()));
    assertCode(Status.Code.PERMISSION_DENIED, () -> withToken(ranking, "Bearer rank-secret-2").rank(rank()));
    assertTrue(withToken(ranking, "Bearer rank-secret").rank(rank()).getBannersCount() > 0,
        "the file's trailing newline is not part of the token");
    assertEquals(0, ranking.recordEvents(RecordEventsRequest.getDefaultInstance()).getAcceptedCount(),
        "no write token: RecordEvents stays open");

    String target = "localhost:" + service.port();
    assertEquals(1, rankClient("--target", target, "--user", TestBundles.KNOWN_USER, "--time", "2026-03-10T12:00:00Z"));
    assertEquals(0, rankClient("--target", target, "--user", TestBundles.KNOWN_USER, "--time", "2026-03-10T12:00:00Z",
        "--token", "rank-secret"));
  }

  private static int rankClient(String... args) {
    return new CommandLine(new RankCommand()).setOut(new PrintWriter(new StringWriter()))
        .setErr(new PrintWriter(new StringWriter())).execute(args);
  }

  @Test
  void aTokenGivenTwiceOrAnEmptyTokenFileStopsTheStart() throws Exception {
    Path empty = Files.writeString(tmp.resolve("empty"), "\n");
    Map<String, Object> twice = new HashMap<>(Map.of("ranker.security.admin-token", ADMIN,
        "ranker.security.admin-token-file", empty.toString()));
    assertThrows(RuntimeException.class, () -> start(twice));
    assertThrows(RuntimeException.class,
        () -> start(Map.of("ranker.security.write-token-file", empty.toString())));
    assertThrows(RuntimeException.class,
        () -> start(Map.of("ranker.security.write-token-file", tmp.resolve("missing").toString())));
  }

  @Test
  void rulesCoverEveryMethodOfTheAdminServicesAndTheWriteRpcs() {
    assertEquals(Access.ADMIN, TokenAuthInterceptor.access("ads.ranking.v1.ModelAdminService/ReloadModel"));
    assertEquals(Access.ADMIN, TokenAuthInterceptor.access("ads.ranking.v1.ModelAdminService/DeleteUser"));
    assertEquals(Access.ADMIN, TokenAuthInterceptor.access("ads.ranking.v1.CatalogAdminService/PutBanner"));
    assertEquals(Access.WRITE, TokenAuthInterceptor.access("ads.ranking.v1.RankingService/UpsertProfiles"));
    assertEquals(Access.WRITE, TokenAuthInterceptor.access("ads.ranking.v1.RankingService/RecordEvents"));
    assertEquals(Access.RANK, TokenAuthInterceptor.access("ads.ranking.v1.RankingService/Rank"));
    assertNull(TokenAuthInterceptor.access("grpc.health.v1.Health/Check"));
    assertNull(TokenAuthInterceptor.access("grpc.reflection.v1.ServerReflection/ServerReflectionInfo"));
  }
}
