package dev.bannerranker.bench;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the load generator, briefly, against a stub ranking server on a loopback port. */
class LoadTestSmokeTest {
  @TempDir Path dir;

  private final AtomicInteger seenCandidates = new AtomicInteger();
  private final AtomicInteger ranks = new AtomicInteger();

  /** The catalog in {@code dir} and a stub server that answers every Rank. */
  private Server stub() throws Exception {
    List<Banner> banners = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      banners.add(new Banner("bn-" + i, "b", "c", i % 2 == 0 ? "home_carousel" : "home_hero", "image", "light", 0, "cmp",
          1, 0, 10, 1.0, 0, Set.of(), Set.of(), Set.of()));
    }
    BannerCsv.write(dir.resolve("banners.csv"), banners);
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new RankingServiceGrpc.RankingServiceImplBase() {
          @Override
          public void rank(RankRequest request, StreamObserver<RankResponse> out) {
            seenCandidates.set(request.getCandidateBannerIdsCount());
            ranks.incrementAndGet();
            out.onNext(RankResponse.newBuilder().setModelVersion("stub").build());
            out.onCompleted();
          }
        })
        .addService(new HealthStatusManager().getHealthService())
        .build().start();
  }

  @Test
  void atAFixedRateRunsOnlyTheOpenLoop() throws Exception {
    Server server = stub();
    try {
      Path json = dir.resolve("out/rate.json");
      int code = new CommandLine(new LoadTest()).execute("--target", "127.0.0.1:" + server.getPort(), "--candidates", "5",
          "--duration", "2", "--users", "3", "--rate", "50", "--catalog", dir.toString(), "--json", json.toString());
      assertEquals(0, code);
      JsonNode r = new ObjectMapper().readTree(json.toFile());
      assertEquals(50.0, r.get("rank_rate").asDouble());
      assertTrue(r.get("rank_achieved_rps_at_rate").asDouble() > 0);
      assertTrue(r.get("rank_p99_ms_at_rate").asDouble() > 0);
      assertEquals(0, r.get("errors").asLong());
      assertFalse(r.has("rank_max_rps"), "no closed loop at a fixed rate");
      // the open loop sends its 2 measured seconds at 50/s whatever the answers' speed
      assertTrue(ranks.get() >= 100, "ranks " + ranks.get());
    } finally {
      server.shutdownNow();
    }
    assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new LoadTest()).execute("--target", "localhost:1",
        "--rate", "0", "--json", dir.resolve("x.json").toString(), "--catalog", dir.toString()));
    for (String url : List.of("http://192.0.2.1:8080/prometheus", "http://local host/")) {
      assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new LoadTest()).execute("--target", "localhost:1",
          "--server-metrics", url, "--json", dir.resolve("x.json").toString(), "--catalog", dir.toString()), url);
    }
  }

  @Test
  void measuresEveryPhaseAndWritesTheJsonKeys() throws Exception {
    Server server = stub();
    try {
      Path json = dir.resolve("out/load.json");
      int code = new CommandLine(new LoadTest()).execute("--target", "127.0.0.1:" + server.getPort(), "--candidates", "5",
          "--duration", "1", "--concurrency", "2", "--users", "3", "--catalog", dir.toString(), "--json", json.toString());
      assertEquals(0, code);
      assertEquals(5, seenCandidates.get(), "each Rank carries the requested candidates");
      JsonNode r = new ObjectMapper().readTree(json.toFile());
      assertTrue(r.get("rank_max_rps").asDouble() > 0);
      assertTrue(r.get("noop_max_rps").asDouble() > 0);
      assertTrue(r.get("rank_p99_ms_at_70pct").asDouble() > 0);
      assertEquals(0, r.get("errors").asLong());
      assertTrue(r.get("sender_max_lag_ms_at_70pct").asDouble() >= 0);
      assertTrue(r.get("client_gc_ms_at_70pct").asLong() >= 0);
      assertEquals(1, r.get("open_loop_warmup_seconds").asInt());
      assertEquals(Runtime.getRuntime().availableProcessors(), r.get("cores").asInt());
      assertTrue(r.has("load_average_before"));
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void refusesNonLoopbackTargetsAndShortCatalogs() {
    assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new LoadTest()).execute("--target", "10.0.0.1:50051",
        "--json", dir.resolve("x.json").toString(), "--catalog", dir.toString()));
    assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new LoadTest()).execute("--target", "localhost:1",
        "--json", dir.resolve("x.json").toString(), "--catalog", dir.resolve("absent").toString()));
  }

  @Test
  void refusesANegativeShedPause() {
    assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new LoadTest()).execute("--target", "localhost:1",
        "--json", dir.resolve("x.json").toString(), "--catalog", dir.toString(), "--shed-pause-ms", "-1"));
  }
}
