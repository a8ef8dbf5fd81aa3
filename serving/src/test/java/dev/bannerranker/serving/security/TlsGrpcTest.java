package dev.bannerranker.serving.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankingContext;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.cli.RankCommand;
import dev.bannerranker.serving.grpc.AdminListener;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** TLS through Micronaut's grpc.server.ssl keys, and client certificates (ranker.tls.client-ca), with real handshakes. */
class TlsGrpcTest {
  @TempDir
  static Path dir;
  static TestCertificates.Pem server;
  static TestCertificates.Pem client;
  static TestCertificates.Pem stranger;

  private ApplicationContext ctx;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void certificates() throws Exception {
    server = TestCertificates.create(dir, "server");
    client = TestCertificates.create(dir, "client");
    stranger = TestCertificates.create(dir, "stranger");
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (ctx != null) {
      ctx.close();
    }
  }

  private int start(boolean clientCerts) {
    Map<String, Object> props = new HashMap<>(Map.of(
        "grpc.server.ssl.cert-chain", "file:" + server.cert(), "grpc.server.ssl.private-key", "file:" + server.key()));
    if (clientCerts) {
      props.put("ranker.tls.client-ca", "file:" + client.cert());
    }
    ctx = ApplicationContext.run(props, "test");
    return ctx.getBean(GrpcEmbeddedServer.class).getPort();
  }

  private RankingServiceGrpc.RankingServiceBlockingStub tls(int port, TestCertificates.Pem identity) {
    return RankingServiceGrpc.newBlockingStub(channel(port, identity)).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  /** The admin listener, with the same TLS. */
  private ModelAdminServiceGrpc.ModelAdminServiceBlockingStub adminTls(TestCertificates.Pem identity) {
    return ModelAdminServiceGrpc.newBlockingStub(channel(ctx.getBean(AdminListener.class).port(), identity))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private ManagedChannel channel(int port, TestCertificates.Pem identity) {
    SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(server.cert().toFile());
    if (identity != null) {
      ssl.keyManager(identity.cert().toFile(), identity.key().toFile());
    }
    ManagedChannel c;
    try {
      c = NettyChannelBuilder.forAddress("localhost", port).sslContext(ssl.build()).build();
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
    channels.add(c);
    return c;
  }

  private static RankRequest rank() {
    return RankRequest.newBuilder().setUserId(TestBundles.KNOWN_USER)
        .setContext(RankingContext.newBuilder().setPlacement("home_hero")).build();
  }

  private static void assertRefused(Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
  }

  @Test
  void tlsServesClientsThatTrustTheServerAndRefusesPlaintext() {
    int port = start(false);
    assertTrue(tls(port, null).rank(rank()).getBannersCount() > 0);
    ManagedChannel plain = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    channels.add(plain);
    assertRefused(() -> RankingServiceGrpc.newBlockingStub(plain).withDeadlineAfter(20, TimeUnit.SECONDS).rank(rank()));

    assertEquals(2, adminTls(null).getModelStatus(GetModelStatusRequest.getDefaultInstance()).getArmsCount());
    ManagedChannel plainAdmin = ManagedChannelBuilder.forAddress("localhost", ctx.getBean(AdminListener.class).port())
        .usePlaintext().build();
    channels.add(plainAdmin);
    assertRefused(() -> ModelAdminServiceGrpc.newBlockingStub(plainAdmin).withDeadlineAfter(20, TimeUnit.SECONDS)
        .getModelStatus(GetModelStatusRequest.getDefaultInstance()));

    StringWriter err = new StringWriter();
    int code = new CommandLine(new RankCommand()).setOut(new PrintWriter(new StringWriter()))
        .setErr(new PrintWriter(err)).execute("--target", "localhost:" + port, "--user", TestBundles.KNOWN_USER,
            "--time", "2026-03-10T12:00:00Z", "--ca-cert", server.cert().toString());
    assertEquals(0, code, err.toString());
  }

  @Test
  void clientCertificatesAreRequiredAndMustBeTrusted() {
    int port = start(true);
    assertTrue(tls(port, client).rank(rank()).getBannersCount() > 0);
    assertRefused(() -> tls(port, null).rank(rank()));
    assertRefused(() -> tls(port, stranger).rank(rank()));
    GetModelStatusRequest status = GetModelStatusRequest.getDefaultInstance();
    assertEquals(2, adminTls(client).getModelStatus(status).getArmsCount());
    assertRefused(() -> adminTls(null).getModelStatus(status));
    assertRefused(() -> adminTls(stranger).getModelStatus(status));

    int code = new CommandLine(new RankCommand()).setOut(new PrintWriter(new StringWriter()))
        .setErr(new PrintWriter(new StringWriter())).execute("--target", "localhost:" + port, "--user",
            TestBundles.KNOWN_USER, "--time", "2026-03-10T12:00:00Z", "--ca-cert", server.cert().toString(),
            "--client-cert", client.cert().toString(), "--client-key", client.key().toString());
    assertEquals(0, code);
  }

  @Test
  void clientCertificatesWithoutServerTlsStopTheStart() {
    ctx = ApplicationContext.run(Map.of("ranker.tls.client-ca", "file:" + client.cert()), "test");
    assertThrows(RuntimeException.class, () -> ctx.getBean(GrpcEmbeddedServer.class));
  }
}
