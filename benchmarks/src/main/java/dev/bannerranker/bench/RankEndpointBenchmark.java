package dev.bannerranker.bench;

import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingReason;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.grpc.UnparsableRequests;
import io.grpc.CallOptions;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * One Rank through the gRPC endpoint in process, all on the calling thread (direct executors, no network), with the
 * service wrapped as the service's listener wraps it ({@link UnparsableRequests}): mapped to the pipeline of
 * {@link PipelineBenchmark} ({@link ServingPipeline}) and the response mapped back. {@code rank} is the typed stub:
 * the in-process transport hands the request and response objects over as they are, so nothing is serialised or
 * parsed. {@code rankBytes} sends the request as the bytes a client puts on the wire and takes the response as bytes,
 * so the server parses the request (its 200 candidate id strings) and serialises the response as it does over the
 * network. With {@code -prof gc}, {@code gc.alloc.rate.norm} of either less that of {@code PipelineBenchmark.rank}
 * is what the endpoint adds.
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
  private byte[] requestBytes;
  private MethodDescriptor<byte[], byte[]> rankAsBytes;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    setUp(BenchModel.shared());
  }

  /** The server and client over {@code m}'s pipeline; fails unless a Rank answers as the pipeline does. */
  void setUp(BenchModel m) throws IOException {
    ServingPipeline pipeline = ServingPipeline.build(m, candidates);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(UnparsableRequests.invalidArgument(pipeline.endpoint().bindService())).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = RankingServiceGrpc.newBlockingStub(channel);
    request = pipeline.request();
    requestBytes = request.toByteArray();
    rankAsBytes = RankingServiceGrpc.getRankMethod().toBuilder(BYTES, BYTES).build();
    RankResponse r = stub.rank(request);
    RankResponse parsed = RankResponse.parseFrom(rankBytes());
    if (parsed.getBannersCount() != r.getBannersCount() || parsed.getRequestId().length() != 16) {
      throw new IllegalStateException("the byte request did not rank as the typed one: " + parsed);
    }
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

  /** The request's wire bytes in, the response's wire bytes out: the server parses and serialises. */
  @Benchmark
  public byte[] rankBytes() {
    return ClientCalls.blockingUnaryCall(channel, rankAsBytes, CallOptions.DEFAULT, requestBytes);
  }

  /**
   * Messages as bytes. The stream has a known length, as the transport's do, so the server parses it the way it
   * parses a request read from the network (into a buffer, then from the array).
   */
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new KnownLengthStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readNBytes(stream.available());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private static final class KnownLengthStream extends ByteArrayInputStream implements KnownLength {
    KnownLengthStream(byte[] bytes) {
      super(bytes);
    }
  }
}
