package dev.bannerranker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingContext;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.serving.cli.ServingCli;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.CountDownLatch;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * gRPC load generator for the ranking service, on loopback. In one run it measures:
 *
 * <ol>
 *   <li>the transport's ceiling: the health {@code Check} no-op, closed loop;
 *   <li>Rank's maximum throughput with N candidates, closed loop;
 *   <li>Rank's latency open loop at 70% of that maximum, timed from each request's intended send time so a
 *       stalled server cannot hide its queueing (no coordinated omission); its first quarter phase is not recorded.
 * </ol>
 *
 * A warm-up that is not recorded comes first: Rank until every user has state and the JIT has compiled the path,
 * then the no-op. Every phase is bounded in time and stops by itself.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
    description = "Load-tests a running ranking service on loopback and writes throughput and latency percentiles as JSON.")
public final class LoadTest implements Callable<Integer> {
  @Option(names = "--target", required = true, description = "HOST:PORT of the service (loopback).")
  String target;

  @Option(names = "--candidates", defaultValue = "200", description = "Candidate banners per Rank. Default: ${DEFAULT-VALUE}.")
  int candidates;

  @Option(names = "--duration", defaultValue = "10", description = "Seconds per phase. Default: ${DEFAULT-VALUE}.")
  int duration;

  @Option(names = "--json", required = true, description = "Where to write the results.")
  Path json;

  @Option(names = "--catalog", defaultValue = "work/demo/bundle",
      description = "A bundle or data directory whose banners.csv gives the candidate ids. Default: ${DEFAULT-VALUE}.")
  Path catalog;

  @Option(names = "--placement", defaultValue = "home_carousel", description = "Placement ranked. Default: ${DEFAULT-VALUE}.")
  String placement;

  @Option(names = "--users", defaultValue = "5000", description = "Users u-000001 .. u-N, in turn. Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(names = "--compare-target", description = "A second service on loopback, configured differently (say with "
      + "--log-dir): after the phases, Rank runs closed loop against the two in turn, in one-second slices for "
      + "--duration seconds each (after as many unrecorded ones), so both meet the same machine load; the JSON gets "
      + "compare_* entries.")
  String compareTarget;

  @Option(names = "--server-metrics", description = "The service's /prometheus URL (loopback): the open loop's p50 and"
      + " p99 as the service measured them (grpc_server_processing_duration_seconds of OK Ranks) go to the JSON's"
      + " server_rank_*_at_70pct, beside the client's.")
  String serverMetrics;

  @Option(names = "--concurrency", defaultValue = "8", description = "Requests in flight in the closed loops. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(names = "--shed-pause-ms", defaultValue = "1", description = "How long a closed-loop caller waits after a "
      + "RESOURCE_EXHAUSTED before its next call, as a client that backs off would; 0 sends again at once. "
      + "Default: ${DEFAULT-VALUE}.")
  int shedPauseMs;

  @Option(names = "--rate", description = "Rank calls per second of an open loop run instead of the three phases"
      + " (after the warm-up), so that runs compare at the same load; the JSON's rank_*_at_rate figures.")
  Double fixedRate;

  public static void main(String[] args) {
    // The same exit codes as every other bin/ranker command.
    System.exit(ServingCli.withExitCodes(new CommandLine(new LoadTest())).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (candidates < 1 || duration < 1 || users < 1 || concurrency < 1 || shedPauseMs < 0
        || (fixedRate != null && !(fixedRate > 0))) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--candidates, --duration, --users, --concurrency and --rate must be positive, --shed-pause-ms at least 0");
    }
    requireLoopback("--target", target);
    if (compareTarget != null) {
      requireLoopback("--compare-target", compareTarget);
    }
    if (serverMetrics != null) {
      java.net.URI uri;
      try {
        uri = java.net.URI.create(serverMetrics);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--server-metrics is not a URL: "
            + e.getMessage());
      }
      requireLoopback("--server-metrics", uri.getHost() + ":" + uri.getPort());
    }
    List<String> ids = candidateIds();
    // Responses are handled on the transport thread (no hand-off to a pool): the client competes with the service
    // for the same cores, so it should cost as few threads and context switches as it can.
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().directExecutor().build();
    try {
      RankingServiceGrpc.RankingServiceBlockingStub rank = RankingServiceGrpc.newBlockingStub(channel);
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
      double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      List<RankRequest> requests = new ArrayList<>();
      for (int u = 1; u <= users; u++) {
        requests.add(RankRequest.newBuilder().setUserId(String.format("u-%06d", u))
            .setContext(RankingContext.newBuilder().setPlacement(placement).setSlotCount(4))
            .addAllCandidateBannerIds(ids).setNumResults(4).build());
      }
      rank.rank(requests.get(0)); // fails fast, with the server's status, on a wrong setup
      System.out.printf("load test of %s: %d candidates, %d s per phase, %d in flight%n", target, ids.size(), duration,
          concurrency);

      // Warm-up, not recorded: Rank until every user has been ranked once (the first Rank of a user builds its
      // state) and for at least half a phase, so the JIT has compiled the path; then the no-op, so its phase is not
      // measured on a cold path either.
      closedLoop("warm-up (Rank)", Math.max(1, duration / 2), users, i -> rank.rank(requests.get(i % users)));
      if (fixedRate != null) {
        return atRate(requests, loadBefore, ids.size());
      }
      closedLoop("warm-up (no-op)", Math.max(1, duration / 4), 0, i -> health.check(HealthCheckRequest.getDefaultInstance()));
      Result noop = closedLoop("no-op (health Check)", duration, 0, i -> health.check(HealthCheckRequest.getDefaultInstance()));
      Result max = closedLoop("Rank, closed loop", duration, 0, i -> rank.rank(requests.get(i % users)));
      double rate = 0.7 * max.rps;
      var serverBefore = serverMetrics == null ? null : ServerLatency.scrape(serverMetrics);
      Result open = openLoop(rate, requests);
      var serverAfter = serverMetrics == null ? null : ServerLatency.scrape(serverMetrics);

      Map<String, Object> out = new LinkedHashMap<>();
      out.put("target", target);
      out.put("candidates", ids.size());
      out.put("duration_seconds_per_phase", duration);
      out.put("concurrency", concurrency);
      out.put("noop_max_rps", noop.rps);
      out.put("noop_p99_ms", noop.p(99));
      out.put("rank_max_rps", max.rps);
      out.put("rank_p50_ms_at_max", max.p(50));
      out.put("rank_p99_ms_at_max", max.p(99));
      out.put("rank_share_of_noop", max.rps / noop.rps);
      out.put("rank_rate_at_70pct", rate);
      out.put("rank_achieved_rps_at_70pct", open.rps);
      out.put("rank_p50_ms_at_70pct", open.p(50));
      out.put("rank_p99_ms_at_70pct", open.p(99));
      out.put("rank_p999_ms_at_70pct", open.p(99.9));
      out.put("open_loop_warmup_seconds", openLoopWarmup());
      if (serverBefore != null) {
        // The open loop's warm-up included: the same rate.
        out.put("server_rank_p50_ms_at_70pct", ServerLatency.quantileMs(serverBefore, serverAfter, 0.50));
        out.put("server_rank_p99_ms_at_70pct", ServerLatency.quantileMs(serverBefore, serverAfter, 0.99));
      }
      out.put("sender_max_lag_ms_at_70pct", open.senderLagMs);
      out.put("client_gc_ms_at_70pct", open.clientGcMs);
      double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      int cores = Runtime.getRuntime().availableProcessors();
      out.put("cores", cores);
      out.put("load_average_before", loadBefore);
      out.put("load_average_after", loadAfter);
      out.put("errors", noop.errors() + max.errors() + open.errors());
      // warm-up included: a shed or a deadline during warm-up is as telling as one later
      out.put("errors_by_code", Map.of("noop", noop.errorCodes().asMap(), "rank_max", max.errorCodes().asMap(),
          "rank_at_70pct", open.errorCodes().asMap()));
      if (compareTarget != null) {
        compare(rank, requests, out);
      }
      out.put("goals", Map.of("rank_at_least_half_of_noop", max.rps >= 0.5 * noop.rps,
          "rank_p99_at_most_5ms_at_70pct", open.p(99) <= 5.0));
      if (loadBefore > 1.0 || open.senderLagMs > 5) {
        // With the service idle the load should be near 0; more means something else wants the cores, and the
        // tail then includes time the client or the server waited for one. (During the run the test itself
        // keeps the load near the core count, so the load after says little.)
        System.out.printf("warning: the machine was not quiet (1-minute load average %.1f before the test on %d cores; "
            + "the open-loop sender ran up to %.1f ms late): the latencies include time spent waiting for a CPU%n",
            loadBefore, cores, open.senderLagMs);
      }
      Files.createDirectories(json.toAbsolutePath().getParent());
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
      System.out.printf("Rank %.0f/s = %.2f of the no-op's %.0f/s; at 70%% (%.0f/s): p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms;"
          + " %d errors; written to %s%n", max.rps, max.rps / noop.rps, noop.rps, rate, open.p(50), open.p(99),
          open.p(99.9), noop.errors() + max.errors() + open.errors(), json);
      return 0;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The open loop alone at {@code --rate}: the same load for every run, whatever the service's maximum. */
  private int atRate(List<RankRequest> requests, double loadBefore, int candidateCount) throws Exception {
    Result open = openLoop(fixedRate, requests);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("target", target);
    out.put("candidates", candidateCount);
    out.put("duration_seconds_per_phase", duration);
    out.put("rank_rate", fixedRate);
    out.put("rank_achieved_rps_at_rate", open.rps);
    out.put("rank_p50_ms_at_rate", open.p(50));
    out.put("rank_p99_ms_at_rate", open.p(99));
    out.put("rank_p999_ms_at_rate", open.p(99.9));
    out.put("open_loop_warmup_seconds", openLoopWarmup());
    out.put("sender_max_lag_ms_at_rate", open.senderLagMs);
    out.put("client_gc_ms_at_rate", open.clientGcMs);
    out.put("load_average_before", loadBefore);
    out.put("errors", open.errors());
    out.put("errors_by_code", open.errorCodes().asMap());
    Files.createDirectories(json.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
    return 0;
  }

  private void requireLoopback(String option, String hostPort) {
    String host = hostPort.substring(0, Math.max(0, hostPort.lastIndexOf(':')));
    if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"))) {
      throw new CommandLine.ParameterException(new CommandLine(this), option + " must be a loopback address, got "
          + hostPort);
    }
  }

  /**
   * Rank closed loop against the target and the compare target in turn, one-second slices, ABBA order: slow drifts
   * of the machine's load fall on both alike, which two separate runs on a shared machine cannot promise.
   */
  private void compare(RankingServiceGrpc.RankingServiceBlockingStub rank, List<RankRequest> requests,
      Map<String, Object> out) throws InterruptedException {
    ManagedChannel other = ManagedChannelBuilder.forTarget(compareTarget).usePlaintext().directExecutor().build();
    try {
      RankingServiceGrpc.RankingServiceBlockingStub otherRank = RankingServiceGrpc.newBlockingStub(other);
      otherRank.rank(requests.get(0));
      // As long as the target had before its Rank phase: both JITs have compiled the path.
      closedLoop("warm-up (compare)", Math.max(1, duration / 2) + duration, users,
          i -> otherRank.rank(requests.get(i % users)), true);
      double[] rps = new double[2];
      long errors = 0;
      // The first round of slices is not recorded: both services come to it with the same recent history.
      for (int slice = 0; slice < 4 * duration; slice++) {
        int which = (slice % 2) ^ ((slice / 2) % 2);
        RankingServiceGrpc.RankingServiceBlockingStub stub = which == 0 ? rank : otherRank;
        Result r = closedLoop("slice", 1, 0, i -> stub.rank(requests.get(i % users)), false);
        if (slice >= 2 * duration) {
          rps[which] += r.rps / duration;
          errors += r.errors();
        }
      }
      out.put("compare_target", compareTarget);
      out.put("compare_rank_rps_target", rps[0]);
      out.put("compare_rank_rps_compare_target", rps[1]);
      out.put("compare_ratio", rps[0] / rps[1]);
      out.put("compare_errors", errors);
      System.out.printf("  Rank in alternating 1-s slices, %d s each: %s %.0f/s, %s %.0f/s, ratio %.3f, errors %d%n",
          duration, target, rps[0], compareTarget, rps[1], rps[0] / rps[1], errors);
    } finally {
      other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private List<String> candidateIds() {
    if (!Files.exists(catalog.resolve("banners.csv"))) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--catalog: " + catalog.resolve("banners.csv") + " not found (pass the served bundle or its data directory)");
    }
    List<String> ids = new ArrayList<>();
    for (Banner b : EventLogReader.readBanners(catalog, new DataProblems(0.0))) {
      if (b.placement().equals(placement) && ids.size() < candidates) {
        ids.add(b.id());
      }
    }
    if (ids.size() < candidates) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--candidates: the catalog has only " + ids.size()
          + " banners of placement " + placement);
    }
    return ids;
  }

  /**
   * Throughput and latency of one phase; for the open loop also how late the sender fell behind its schedule at
   * worst and the client's own GC time (both are in the measured latencies, since they are timed from the
   * intended send time, so they say how much of a tail is the client's).
   */
  private record Result(double rps, Histogram latency, ErrorCodes errorCodes, double senderLagMs, long clientGcMs) {
    long errors() {
      return errorCodes.total();
    }

    double p(double percentile) {
      return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1e6;
    }
  }

  /** Failed calls by status code, so a report says whether the server shed, timed out or failed. */
  private static final class ErrorCodes {
    private final Map<String, LongAdder> byCode = new ConcurrentSkipListMap<>();

    void add(Throwable t) {
      byCode.computeIfAbsent(Status.fromThrowable(t).getCode().name(),
          k -> new LongAdder()).increment();
    }

    long total() {
      return byCode.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> asMap() {
      Map<String, Long> out = new TreeMap<>();
      byCode.forEach((code, n) -> out.put(code, n.sum()));
      return out;
    }

    @Override
    public String toString() {
      return total() == 0 ? "0" : total() + " " + asMap();
    }
  }

  /** {@code seconds} of calls from {@code concurrency} threads, and at least {@code minCalls} calls. */
  private Result closedLoop(String name, int seconds, int minCalls, IntConsumer call) throws InterruptedException {
    return closedLoop(name, seconds, minCalls, call, true);
  }

  private Result closedLoop(String name, int seconds, int minCalls, IntConsumer call, boolean print)
      throws InterruptedException {
    Recorder recorder = new Recorder(3);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ErrorCodes errors = new ErrorCodes();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < concurrency; t++) {
      int offset = t;
      Thread th = new Thread(() -> {
        int i = offset;
        while (System.nanoTime() < end || done.get() + failed.get() < minCalls) {
          long s = System.nanoTime();
          try {
            call.accept(i);
            recorder.recordValue(System.nanoTime() - s);
            done.incrementAndGet();
          } catch (StatusRuntimeException e) {
            errors.add(e);
            failed.incrementAndGet();
            if (shedPauseMs > 0 && e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
              // A shed call costs the service little but not nothing: a caller sending again at once would spend
              // the CPU the admitted calls need.
              LockSupport.parkNanos(shedPauseMs * 1_000_000L);
            }
          }
          i += concurrency;
        }
      }, "load-" + t);
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    Result r = new Result(done.get() / secs, recorder.getIntervalHistogram(), errors, 0, 0);
    if (print) {
      System.out.printf("  %-22s %9.0f req/s  p50 %.3f ms  p99 %.3f ms  errors %s%n", name, r.rps, r.p(50), r.p(99),
          errors);
    }
    return r;
  }

  /** Seconds of the open loop run before recording starts: the same rate, so the measured part is steady state. */
  private int openLoopWarmup() {
    return Math.max(1, duration / 4);
  }

  /**
   * Calls at a fixed rate, each timed from its intended send time (start + n × interval), so a stall anywhere
   * (server, network, client) shows up in the latencies instead of delaying the next sends (no coordinated
   * omission). The first {@link #openLoopWarmup} seconds are sent but not recorded.
   *
   * <p>The calls are sent from the transport's own thread, on a channel of their own: a task scheduled on its event
   * loop sends every call whose time has come and schedules itself for the next one, and the answers are handled on
   * the same thread. A separate sender thread would share the client's core with the transport thread and wait for it
   * at the scheduler's whim, then send the calls it owes in a burst that the service would have to queue.
   */
  private Result openLoop(double rate, List<RankRequest> requests) throws InterruptedException {
    Recorder recorder = new Recorder(3);
    AtomicLong done = new AtomicLong();
    ErrorCodes errors = new ErrorCodes();
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).eventLoopGroup(group)
        .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class).usePlaintext().directExecutor().build();
    try {
      RankingServiceGrpc.RankingServiceFutureStub stub = RankingServiceGrpc.newFutureStub(channel);
      stub.rank(requests.get(0)).get(10, TimeUnit.SECONDS); // connected before the clock starts
      EventLoop loop = group.next();
      OpenLoopSender sender = new OpenLoopSender(loop, stub, requests, (long) (1e9 / rate), recorder, done, errors);
      loop.execute(sender);
      sender.finished.await();
      double secs = (System.nanoTime() - sender.recordFrom) / 1e9;
      Result r = new Result(done.get() / secs, recorder.getIntervalHistogram(), errors, sender.maxLag / 1e6,
          clientGcMillis() - sender.gcBefore);
      System.out.printf("  %-22s %9.0f req/s  p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  errors %s"
          + "  (sender at worst %.3f ms late, client GC %d ms)%n", String.format("Rank at %.0f/s", rate), r.rps,
          r.p(50), r.p(99), r.p(99.9), errors, r.senderLagMs, r.clientGcMs);
      return r;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the open loop's channel could not rank: " + e, e);
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  /** The open loop's schedule, run on the channel's event loop; every field is touched by that thread only. */
  private final class OpenLoopSender implements Runnable {
    /** Bounds memory if the server stalls: beyond it a call is not sent, and counted as an error. */
    private static final int MAX_IN_FLIGHT = 10_000;

    final CountDownLatch finished = new CountDownLatch(1);
    private final EventLoop loop;
    private final RankingServiceGrpc.RankingServiceFutureStub stub;
    private final List<RankRequest> requests;
    private final long interval;
    private final Recorder recorder;
    private final AtomicLong done;
    private final ErrorCodes errors;
    private final long start = System.nanoTime();
    final long recordFrom = start + openLoopWarmup() * 1_000_000_000L;
    private final long end = recordFrom + duration * 1_000_000_000L;
    volatile long maxLag;
    volatile long gcBefore;
    private boolean recording;
    private long n;
    private int inFlight;

    OpenLoopSender(EventLoop loop, RankingServiceGrpc.RankingServiceFutureStub stub, List<RankRequest> requests,
        long interval, Recorder recorder, AtomicLong done, ErrorCodes errors) {
      this.loop = loop;
      this.stub = stub;
      this.requests = requests;
      this.interval = interval;
      this.recorder = recorder;
      this.done = done;
      this.errors = errors;
    }

    @Override
    public void run() {
      long now = System.nanoTime();
      for (long intended = start + n * interval; ; intended = start + (++n) * interval) {
        if (intended >= end) {
          if (inFlight == 0) {
            finished.countDown();
          }
          return;
        }
        if (intended > now) {
          now = System.nanoTime();
          if (intended > now) {
            loop.schedule(this, intended - now, TimeUnit.NANOSECONDS);
            return;
          }
        }
        if (!recording && intended >= recordFrom) {
          recording = true;
          gcBefore = clientGcMillis();
        }
        if (recording) {
          maxLag = Math.max(maxLag, now - intended);
        }
        send(intended, recording);
      }
    }

    private void send(long intended, boolean record) {
      if (inFlight >= MAX_IN_FLIGHT) {
        errors.add(new StatusRuntimeException(Status.RESOURCE_EXHAUSTED.withDescription("client backlog")));
        return;
      }
      inFlight++;
      Futures.addCallback(stub.rank(requests.get((int) (n % requests.size()))), new FutureCallback<RankResponse>() {
        @Override
        public void onSuccess(RankResponse result) {
          if (record) {
            recorder.recordValue(System.nanoTime() - intended);
            done.incrementAndGet();
          }
          answered();
        }

        @Override
        public void onFailure(Throwable t) {
          errors.add(t);
          answered();
        }
      }, MoreExecutors.directExecutor());
    }

    private void answered() {
      inFlight--;
      if (inFlight == 0 && start + n * interval >= end) {
        finished.countDown();
      }
    }
  }

  /** Total GC time of this JVM so far. */
  private static long clientGcMillis() {
    long ms = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
    }
    return ms;
  }
}
