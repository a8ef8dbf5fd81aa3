package dev.bannerranker.bench;

import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingReason;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Rank through the gRPC endpoint in process: the request serialised by the client stub, parsed by the server,
 * mapped to the pipeline of {@link PipelineBenchmark} ({@link ServingPipeline}) and the response mapped, serialised
 * and parsed back, all on the calling thread (direct executors, no network). With {@code -prof gc} its
 * {@code gc.alloc.rate.norm} is what a Rank allocates outside the transport; rank − pipeline is the endpoint's share.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Djava.awt.headless=true", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class RankEndpointBenchmark {
  @Param({"200"})
  public int candidates;

  private Server server;
  private ManagedChannel channel;
  private RankingServiceGrpc.RankingServiceBlockingStub stub;
  private RankRequest request;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    setUp(BenchModel.shared());
  }

  /** The server and client over {@code m}'s pipeline; fails unless a Rank answers as the pipeline does. */
  void setUp(BenchModel m) throws IOException {
    ServingPipeline pipeline = ServingPipeline.build(m, candidates);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(pipeline.endpoint()).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = RankingServiceGrpc.newBlockingStub(channel);
    request = pipeline.request();
    RankResponse r = stub.rank(request);
    // The same work as the pipeline's rank: as many banners, personalized (or explored).
    if (r.getBannersCount() != pipeline.rank().banners().size() || r.getBannersList().stream().anyMatch(b ->
        b.getReason() != RankingReason.RANKING_REASON_PERSONALIZED
            && b.getReason() != RankingReason.RANKING_REASON_EXPLORATION)) {
      throw new IllegalStateException("the endpoint did not rank as the pipeline does: " + r);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Benchmark
  public RankResponse rank() {
    return stub.rank(request);
  }
}
