package dev.bannerranker.serving.grpc;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.DeleteUserRequest;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.ProductEvent;
import dev.bannerranker.proto.v1.ProductEventType;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankedBanner;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.ShopperProfile;
import dev.bannerranker.proto.v1.UpsertProfilesRequest;
import dev.bannerranker.proto.v1.UserEvent;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.store.StateDirectory;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a child process on a state directory: what RecordEvents acknowledged survives {@code kill -9} and a
 * restart, and a state directory in use or of another layout stops the start with its exit code.
 */
class DurableStateProcessTest {
  private final List<Process> processes = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** A started service: the process, its gRPC port and what it printed so far. */
  record Service(Process process, int port, int adminPort, StringBuffer output) {}

  @AfterEach
  void stop() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Settings for the next launches, as environment variables. */
  private final java.util.Map<String, String> env = new java.util.HashMap<>();

  private Process launch(Path stateDir, int port, int adminPort, StringBuffer output) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "dev.bannerranker.serving.cli.ServingCli", "serve", "--bundle", TestBundles.TINY.toAbsolutePath().toString(),
        "--data", TestBundles.USERS.toAbsolutePath().toString(), "--port", Integer.toString(port), "--metrics-port",
        Integer.toString(freePort()), "--admin-port", Integer.toString(adminPort), "--state-dir", stateDir.toString(),
        "--default-time", "2026-03-10T12:00:00Z");
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    processes.add(p);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          output.append(line).append('\n');
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  /** Starts the service and waits until it serves. */
  private Service start(Path stateDir) throws Exception {
    int port = freePort();
    StringBuffer output = new StringBuffer();
    int adminPort = freePort();
    Process p = launch(stateDir, port, adminPort, output);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!output.toString().contains("  state ")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("the service did not start:\n" + output);
      }
      Thread.sleep(100);
    }
    return new Service(p, port, adminPort, output);
  }

  /** Runs a start that must fail; returns its exit code. */
  private int failedStart(Path stateDir, StringBuffer output) throws Exception {
    Process p = launch(stateDir, freePort(), freePort(), output);
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the start should fail, not serve:\n" + output);
    return p.exitValue();
  }

  private RankingServiceGrpc.RankingServiceBlockingStub ranking(Service s) {
    ManagedChannel c = ManagedChannelBuilder.forAddress("localhost", s.port()).usePlaintext().build();
    channels.add(c);
    return RankingServiceGrpc.newBlockingStub(c).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** The ranking without its request id: banners, scores, reasons. */
  static List<String> order(RankResponse r) {
    List<String> out = new ArrayList<>();
    for (RankedBanner b : r.getBannersList()) {
      out.add(b.getBannerId() + " " + b.getPredictedCtr() + " " + b.getReason());
    }
    return out;
  }

  @Test
  void acknowledgedEventsSurviveKillDashNine(@TempDir Path tmp) throws Exception {
    Path state = tmp.resolve("state");
    Service first = start(state);
    var stub = ranking(first);
    List<String> before = order(stub.rank(GrpcCalls.rank(KNOWN_USER, "home_hero").build()));
    String top = before.get(0).split(" ")[0];
    String second = before.get(1).split(" ")[0];
    RecordEventsRequest.Builder events = RecordEventsRequest.newBuilder();
    for (int i = 0; i < 3; i++) {
      events.addEvents(GrpcCalls.impression(KNOWN_USER, top, T - 600 + i));
    }
    events.addEvents(GrpcCalls.click(KNOWN_USER, second, T - 500));
    String brand = TestBundles.generation().model().bundle().vocab().brands().valueAt(3);
    for (int i = 0; i < 5; i++) {
      events.addEvents(UserEvent.newBuilder().setUserId(KNOWN_USER).setTimestamp(GrpcCalls.at(T - 400 + i))
          .setProductEvent(ProductEvent.newBuilder().setType(ProductEventType.PRODUCT_EVENT_TYPE_VIEW).setBrand(brand)
              .setCategory("jeans").setPriceTier(2).setDwellSeconds(30f)));
    }
    assertEquals(9, stub.recordEvents(events.build()).getAcceptedCount());
    // A new shopper's profile, acknowledged too.
    stub.upsertProfiles(UpsertProfilesRequest.newBuilder().addProfiles(ShopperProfile.newBuilder()
        .setUserId("signed-up-today").setGender("F").setAgeBand("55+").setCityTier(1)).build());
    List<String> after = order(stub.rank(GrpcCalls.rank(KNOWN_USER, "home_hero").build()));
    List<String> newcomer = order(stub.rank(GrpcCalls.rank("signed-up-today", "home_hero").build()));
    assertFalse(after.stream().anyMatch(b -> b.startsWith(top + " ")), "the cap applies");
    assertNotEquals(before, after);

    first.process().destroyForcibly();
    assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));

    Service again = start(state);
    var stub2 = ranking(again);
    assertEquals(after, order(stub2.rank(GrpcCalls.rank(KNOWN_USER, "home_hero").build())));
    assertEquals(newcomer, order(stub2.rank(GrpcCalls.rank("signed-up-today", "home_hero").build())));
    // The restart did not import --data again over the stored state.
    assertTrue(again.output().toString().contains("rocksdb"), again.output().toString());

    // A bad profile is refused, naming its field, and nothing of the call is applied.
    GrpcCalls.assertStatus(Status.Code.INVALID_ARGUMENT, "profiles[1].city_tier", () -> stub2.upsertProfiles(
        UpsertProfilesRequest.newBuilder()
            .addProfiles(ShopperProfile.newBuilder().setUserId(KNOWN_USER).setGender("M").setAgeBand("18-24")
                .setCityTier(3))
            .addProfiles(ShopperProfile.newBuilder().setUserId("x").setGender("M").setAgeBand("18-24")
                .setCityTier(7)).build()));
    assertEquals(after, order(stub2.rank(GrpcCalls.rank(KNOWN_USER, "home_hero").build())));

    // Deleted: the user is a stranger again, also after a restart.
    ManagedChannel admin = ManagedChannelBuilder.forAddress("localhost", again.adminPort()).usePlaintext().build();
    channels.add(admin);
    assertTrue(ModelAdminServiceGrpc.newBlockingStub(admin).withDeadlineAfter(30, TimeUnit.SECONDS)
        .deleteUser(DeleteUserRequest.newBuilder().setUserId("signed-up-today").build()).getDeleted());
    List<String> stranger = order(stub2.rank(GrpcCalls.rank("never-seen", "home_hero").build()));
    assertEquals(stranger, order(stub2.rank(GrpcCalls.rank("signed-up-today", "home_hero").build())));

    // A second service on the same directory is refused (I/O, exit 5) and leaves it alone.
    StringBuffer out = new StringBuffer();
    assertEquals(5, failedStart(state, out), out.toString());
    assertTrue(out.toString().contains(state.toString()), out.toString());
    assertEquals(after, order(stub2.rank(GrpcCalls.rank(KNOWN_USER, "home_hero").build())));
  }

  @Test
  void withIntervalSyncAProcessCrashStillLosesNothing(@TempDir Path tmp) throws Exception {
    // The write-ahead log is written before the reply and only synced later: a kill loses nothing, only a crash of
    // the machine could lose the last interval.
    env.put("RANKER_STATE_SYNC", "interval");
    env.put("RANKER_STATE_SYNC_INTERVAL", "10s");
    Path state = tmp.resolve("state");
    Service first = start(state);
    assertTrue(first.output().toString().contains("sync every 10000 ms"), first.output().toString());
    var stub = ranking(first);
    String top = order(stub.rank(GrpcCalls.rank(KNOWN_USER, "home_hero").build())).get(0).split(" ")[0];
    RecordEventsRequest.Builder events = RecordEventsRequest.newBuilder();
    for (int i = 0; i < 3; i++) {
      events.addEvents(GrpcCalls.impression(KNOWN_USER, top, T - 600 + i));
    }
    stub.recordEvents(events.build());
    List<String> after = order(stub.rank(GrpcCalls.rank(KNOWN_USER, "home_hero").build()));
    first.process().destroyForcibly();
    assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));
    Service again = start(state);
    assertEquals(after, order(ranking(again).rank(GrpcCalls.rank(KNOWN_USER, "home_hero").build())));
  }

  @Test
  void aStateDirectoryOfAnotherLayoutStopsTheStart(@TempDir Path tmp) throws Exception {
    Path state = Files.createDirectories(tmp.resolve("state"));
    Files.writeString(state.resolve(StateDirectory.LAYOUT_FILE), "banner-ranker-state 2\n");
    StringBuffer out = new StringBuffer();
    assertEquals(3, failedStart(state, out), out.toString());
    assertTrue(out.toString().contains("layout"), out.toString());
    assertEquals(List.of(state.resolve(StateDirectory.LAYOUT_FILE)), Files.list(state).toList());
  }
}
