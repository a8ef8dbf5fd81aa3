package dev.bannerranker.bench.reliability;

import com.google.common.util.concurrent.ListenableFuture;
import dev.bannerranker.bench.ServerLatency;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import dev.bannerranker.proto.v1.RollbackModelRequest;
import dev.bannerranker.serving.security.ClientText;
import dev.bannerranker.serving.store.RedisUserStore;
import dev.bannerranker.serving.store.RocksDbUserStore;
import dev.bannerranker.serving.store.StoredLog;
import dev.bannerranker.serving.store.StoredUser;
import dev.bannerranker.serving.store.UserStore;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The reliability scenarios. Each starts its own service (or services) in a directory of its own under the work
 * directory, drives it for a bounded time and returns its figures; whatever it started is stopped when it returns or
 * throws.
 */
final class Scenarios {
  /** Events per RecordEvents call in the durability scenarios: each call goes to a new user, so none is compacted. */
  static final int EVENTS_PER_CALL = 4;
  static final String ADMIN_TOKEN = "reliability-admin-token";
  static final String WRITE_TOKEN = "reliability-write-token";

  private final ServiceProcess.Launcher launcher;
  private final Path work;
  private final Requests requests;
  private final Settings settings;

  /**
   * The run's sizes; {@code soakRps} null runs the soak at 70 % of its probe's rate, {@code overloadLimit} null leaves
   * the overload's Rank limit at the service's default.
   */
  record Settings(double seconds, double soakSeconds, Double soakRps, int fuzzRequests, int swaps,
      Integer overloadLimit, int threads, Path redisServer, long seed) {}

  Scenarios(ServiceProcess.Launcher launcher, Path work, Requests requests, Settings settings) {
    this.launcher = launcher;
    this.work = work;
    this.requests = requests;
    this.settings = settings;
  }

  private static RankingServiceGrpc.RankingServiceFutureStub ranking(ManagedChannel c) {
    return RankingServiceGrpc.newFutureStub(c);
  }

  private Load.Call rankCall(ServiceProcess s) {
    RankingServiceGrpc.RankingServiceFutureStub stub = ranking(s.channel());
    return n -> stub.withDeadlineAfter(10, TimeUnit.SECONDS).rank(requests.rank(n));
  }

  private static Map<String, Object> map() {
    return new LinkedHashMap<>();
  }

  private static double round(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  /** Acknowledged events per user, as RecordEvents answered. */
  private static final class Acked {
    final Map<String, Integer> events = new ConcurrentHashMap<>();

    /** Acknowledged events the store does not hold: per user, how many of its acknowledged events are missing. */
    long lost(UserStore store) {
      long lost = 0;
      for (Map.Entry<String, Integer> e : events.entrySet()) {
        StoredUser u = store.read(e.getKey());
        int held = u == null || u.log() == null ? 0 : StoredLog.counts(u.log())[0];
        lost += Math.max(0, e.getValue() - held);
      }
      return lost;
    }

    long total() {
      return events.values().stream().mapToLong(Integer::longValue).sum();
    }
  }

  /** RecordEvents calls, each with {@link #EVENTS_PER_CALL} views for a new user {@code prefix-n}, acknowledged into {@code acked}. */
  private Load.Call writes(ServiceProcess s, String prefix, Acked acked) {
    RankingServiceGrpc.RankingServiceFutureStub stub = ranking(s.channel());
    return n -> {
      String user = prefix + "-" + n;
      ListenableFuture<?> f = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .recordEvents(requests.views(user, EVENTS_PER_CALL, n));
      f.addListener(() -> {
        try {
          f.get();
          acked.events.put(user, EVENTS_PER_CALL);
        } catch (Exception notAcknowledged) {
          // not acknowledged: not counted
        }
      }, Runnable::run);
      return f;
    };
  }

  private static StoredLog.Limits readLimits() {
    return new StoredLog.Limits(64, 86_400, 128);
  }

  // 1. kill -9 during RecordEvents load.
  Map<String, Object> kill9() throws Exception {
    Path dir = work.resolve("kill9");
    Path state = dir.resolve("state");
    Acked acked = new Acked();
    Load.Tally tally = new Load.Tally();
    Map<String, Object> out = map();
    try (ServiceProcess s = launcher.start(dir, "service", List.of("--state-dir", state.toString()), Map.of())) {
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> writers = Load.closedLoop("kill9-write", settings.threads(), running::get,
          writes(s, "k9", acked), tally, 1);
      Thread.sleep((long) (settings.seconds() * 1000));
      long ackedBefore = acked.total();
      s.kill9();
      running.set(false);
      Load.join(writers);
      out.put("acknowledged_events", acked.total());
      out.put("acknowledged_before_kill_signal", ackedBefore);
      out.put("calls_failed_at_kill", tally.errorCount());
    }
    try (UserStore store = new RocksDbUserStore(state, readLimits(), true, Duration.ofMillis(100), Duration.ZERO)) {
      out.put("acknowledged_lost", acked.lost(store));
    }
    long t0 = System.nanoTime();
    try (ServiceProcess again = launcher.start(dir, "service-restarted", List.of("--state-dir", state.toString()),
        Map.of())) {
      out.put("restart_ms", round((System.nanoTime() - t0) / 1e6, 0));
      out.put("healthy_after_restart", again.serving());
    }
    out.put("sync", "always");
    return out;
  }

  private static Path copyBundle(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return to;
  }

  /**
   * Set to 0, the service keeps a fixed Rank limit: the closed-loop callers of the swaps, SIGTERM and Redis scenarios
   * keep more Ranks in flight than a pinned Rank thread's floor, and a call shed by the adaptive limit is neither a
   * call those faults failed nor one in flight when they strike. The overload and soak scenarios keep the adaptive
   * limit.
   */
  private static final String FIXED_RANK_LIMIT = "ranker.limits.rank-standing-queue";

  // 2. Hot swaps and rollbacks under Rank load.
  Map<String, Object> swaps() throws Exception {
    Path dir = work.resolve("swaps");
    Path a = launcher.bundle().toAbsolutePath();
    Path b = copyBundle(a, dir.resolve("bundle-copy"));
    Map<String, Object> out = map();
    try (ServiceProcess s = launcher.start(dir, "service", List.of("--state-dir", dir.resolve("state").toString()),
        Map.of("ranker.model.watch", "false", FIXED_RANK_LIMIT, "0"))) {
      Load.Tally rank = new Load.Tally();
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> load = Load.closedLoop("swaps-rank", settings.threads(), running::get, rankCall(s), rank, 0);
      var admin = ModelAdminServiceGrpc.newBlockingStub(s.adminChannel());
      long gap = Math.max(10, (long) (settings.seconds() * 1000 / (2.0 * settings.swaps() + 1)));
      int reloads = 0;
      int rollbacks = 0;
      int adminFailures = 0;
      Map<String, Long> adminCodes = new LinkedHashMap<>();
      rank.started();
      for (int i = 0; i < settings.swaps(); i++) {
        Thread.sleep(gap);
        try {
          admin.withDeadlineAfter(60, TimeUnit.SECONDS).reloadModel(ReloadModelRequest.newBuilder()
              .setBundleDir((i % 2 == 0 ? b : a).toString()).build());
          reloads++;
        } catch (StatusRuntimeException e) {
          adminFailures++;
          adminCodes.merge("ReloadModel " + e.getStatus().getCode(), 1L, Long::sum);
        }
        Thread.sleep(gap);
        try {
          admin.withDeadlineAfter(60, TimeUnit.SECONDS).rollbackModel(RollbackModelRequest.getDefaultInstance());
          rollbacks++;
        } catch (StatusRuntimeException e) {
          adminFailures++;
          adminCodes.merge("RollbackModel " + e.getStatus().getCode(), 1L, Long::sum);
        }
      }
      Thread.sleep(gap);
      running.set(false);
      Load.join(load);
      rank.finished();
      out.put("reloads", reloads);
      out.put("rollbacks", rollbacks);
      out.put("rank_calls", rank.ok.sum() + rank.errorCount());
      out.put("failed_calls", rank.errorCount());
      out.put("failed_calls_by_code", rank.errorsByCode());
      out.put("failed_admin_calls", adminFailures);
      out.put("failed_admin_calls_by_code", adminCodes);
      out.put("rank_p99_ms", round(Load.ms(rank.latency.getIntervalHistogram(), 99), 3));
    }
    return out;
  }

  /** Rank's concurrency limit in force ({@code ranker_concurrency_limit{rpc="rank"}}), NaN without one. */
  private static double rankLimit(ServiceProcess s) throws IOException, InterruptedException {
    return ServiceProcess.metric(s.prometheus(), "ranker_concurrency_limit", "rpc=\"rank\"");
  }

  /** Times a standing queue dropped Rank's limit ({@code ranker_concurrency_limit_drops_total}), NaN without one. */
  private static double rankLimitDrops(ServiceProcess s) throws IOException, InterruptedException {
    return ServiceProcess.metric(s.prometheus(), "ranker_concurrency_limit_drops_total", "rpc=\"rank\"");
  }

  private static final Pattern SHED_SAMPLE = Pattern.compile("^ranker_calls_shed_total\\{(.*)} (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** The service's sheds so far by {@code RPC/reason} ({@code ranker_calls_shed_total}), from {@code /prometheus}. */
  static Map<String, Double> shedByRpcAndReason(String prometheus) {
    Map<String, Double> shed = new TreeMap<>();
    for (String line : prometheus.split("\n")) {
      Matcher m = SHED_SAMPLE.matcher(line);
      if (m.matches()) {
        Map<String, String> labels = new HashMap<>();
        Matcher l = LABEL.matcher(m.group(1));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
        shed.merge(labels.get("rpc") + "/" + labels.get("reason"), Double.parseDouble(m.group(2)), Double::sum);
      }
    }
    return shed;
  }

  /** What {@code after} counts beyond {@code before}, the keys with none left out. */
  static Map<String, Long> increase(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach((k, v) -> {
      long d = Math.round(v - before.getOrDefault(k, 0.0));
      if (d != 0) {
        out.put(k, d);
      }
    });
    return out;
  }

  /**
   * Offers Rank at {@code rate} in half-second steps until its limit is back at {@code ceiling}, for at most
   * {@value #LIMIT_RECOVERY_SECONDS} s; the seconds it took (0 without a limit, the bound if it never got there).
   */
  private double recoverRankLimit(ServiceProcess s, double rate, double ceiling)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    double seconds = 0;
    while (!Double.isNaN(ceiling) && rankLimit(s) < ceiling && seconds < LIMIT_RECOVERY_SECONDS) {
      Load.openLoop(rate, 0.5, 20_000, rankCall(s), new Load.Tally());
      seconds = (System.nanoTime() - start) / 1e9;
    }
    return seconds;
  }

  /**
   * Bounds {@link #recoverRankLimit}: from the floor to a ceiling of 64 takes about 0.5 s while the limit doubles, up
   * to about 6.2 s while it grows by one call per window (the Rank thread rarely free), more after a stall.
   */
  static final double LIMIT_RECOVERY_SECONDS = 30;

  /**
   * The capacity the overload and soak scenarios measure, on a warmed service, for their load ({@code rank}, or
   * {@code rank+record_events}: one call in 20 a RecordEvents): the ramp's sustainable rate, the closed loop it
   * started from, Rank's limit's ceiling and how long the limit took to come back before the ramp.
   */
  record Probe(String load, double ceiling, double closedLoopRps, double recoverySeconds, Settling settled,
      List<Ramp.Step> steps, Ramp.Capacity capacity) {
    /** The probe's keys of a scenario's report. */
    void report(Map<String, Object> out) {
      out.put("probe_load", load);
      out.put("warmup_jit_seconds", round(settled.seconds(), 1));
      out.put("warmup_compiler_share", Double.isNaN(settled.compilerShare()) ? null
          : round(settled.compilerShare(), 3));
      out.put("sustainable_rps", round(capacity.rps(), 0));
      out.put("sustainable_source", capacity.source());
      out.put("closed_loop_rps", round(closedLoopRps, 0));
      out.put("probe_admitted_rps", round(Ramp.maxAdmitted(steps), 0));
      out.put("rank_limit_ceiling", ceiling);
      out.put("rank_limit_recovery_seconds", round(recoverySeconds, 1));
      out.put("ramp", steps.stream().map(Ramp.Step::toMap).toList());
    }
  }

  /**
   * Warms the service up with a closed loop of {@code load}'s calls, then finds the highest open-loop rate of them it
   * keeps up with ({@link Ramp}). A closed loop alone understates the service: its callers wait out their own round
   * trips, and their standing queue drops Rank's limit below their number, so some of them are shed. The load is the
   * scenario's own (the soak's has its writes), so the warm-up compiles the paths the scenario runs and the rate is
   * that of its mix.
   */
  private Probe probeCapacity(ServiceProcess s, String loadName, Load.Call load)
      throws IOException, InterruptedException {
    double measure = warmupSeconds();
    double ceiling = rankLimit(s); // nothing has run yet: the limit is at its ceiling
    // The JIT compiles the calls' paths during the first seconds; a rate measured before that understates the service.
    Load.closedLoopFor("warm-up", settings.threads(), measure, load);
    Settling settled = settleCompiler(s, load, measure);
    double closedLoop = Load.closedLoopFor("closed-loop", settings.threads(), measure, load).okPerSecond();
    double rampBase = Math.max(1, closedLoop); // a closed loop that got nothing through still starts a ramp
    // More closed-loop callers than Rank threads form a standing queue, which drops Rank's limit to its floor; it
    // climbs back over 100 ms windows of answered calls. Ramp steps during that climb would be shed at rates the
    // service keeps up with, so the ramp starts once the limit is back.
    // (A window closes after 100 ms and 10 answered calls, so at least 100 calls/s climb at the full pace.)
    double recoveryRate = Math.max(100, Ramp.rate(rampBase, 0));
    double recovery = recoverRankLimit(s, recoveryRate, ceiling);
    double stepSeconds = Math.max(0.5, settings.seconds() / 10);
    List<Ramp.Step> steps = new ArrayList<>();
    while (Ramp.goesOn(steps)) {
      double offered = Ramp.nextRate(rampBase, steps);
      if (!steps.isEmpty() && !steps.get(steps.size() - 1).keptUp()) {
        // the step before fell behind, so Rank's limit may be at its floor: the retry starts once it is back
        recoverRankLimit(s, recoveryRate, ceiling);
      }
      Load.Tally step = new Load.Tally();
      Load.Sent stepSent = Load.openLoop(offered, stepSeconds, 20_000, load, step);
      long stepShed = step.count(Status.Code.RESOURCE_EXHAUSTED);
      steps.add(new Ramp.Step(offered, stepSent.seconds(), stepSent.calls(), step.ok.sum(), stepShed,
          step.errorCount() - stepShed));
    }
    return new Probe(loadName, ceiling, closedLoop, recovery, settled, steps, Ramp.sustainable(steps));
  }

  /**
   * The warm-up goes on while the service's JIT compiler threads want more than this share of a core (running or
   * waiting for it): most of the C2 compiles of a fresh service fall in its first minute or two of load, some of them
   * hundreds of milliseconds long, and a ramp run beside them sheds at rates the service keeps up with once they are
   * done.
   */
  static final double SETTLED_COMPILER_SHARE = 0.05;

  /** The warm-up's shortest part: the bound is reached within it. */
  static final double SHORTEST_PART_SECONDS = 0.1;

  /**
   * How long the warm-up went on for the compiler, and the share of a core the compiler ran or waited for in its last
   * part (NaN when it could not be read).
   */
  record Settling(double seconds, double compilerShare) {}

  /**
   * Goes on with the warm-up's closed loop in parts of a fifth of {@code warmup} (at least 0.5 s) until the service's
   * compiler threads ran or waited for at most {@link #SETTLED_COMPILER_SHARE} of a core in one, for at most twice
   * {@code --seconds} in all; nothing when their CPU times cannot be read.
   */
  private Settling settleCompiler(ServiceProcess s, Load.Call load, double warmup) throws InterruptedException {
    CompilerCpu compiler = CompilerCpu.of(s.pid());
    if (compiler == null) {
      return new Settling(0, Double.NaN);
    }
    double part = Math.max(0.5, warmup / 5);
    double bound = 2 * settings.seconds();
    double seconds = 0;
    double share;
    try {
      do {
        compiler.sinceLast();
        long start = System.nanoTime();
        Load.closedLoopFor("warm-up", settings.threads(), Math.min(part, bound - seconds), load);
        long wall = System.nanoTime() - start;
        share = compiler.sinceLast() / (double) wall;
        seconds += wall / 1e9;
      } while (share > SETTLED_COMPILER_SHARE && bound - seconds >= SHORTEST_PART_SECONDS);
    } catch (IOException unreadable) {
      return new Settling(seconds, Double.NaN); // the service ended, or /proc changed under the suite
    }
    return new Settling(seconds, share);
  }

  /** CPU time this process, the load generator, has used. */
  private static long loadCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** The CPUs this process may run on now (after {@code --load-cpus}). */
  private static int loadCpus() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The closed loops' seconds before a probe's ramp, and the unloaded measure's. */
  private double warmupSeconds() {
    return Math.max(1, settings.seconds() / 3);
  }

  // 3. Overload at 3x the sustainable Rank rate, with a concurrency limit on Rank.
  Map<String, Object> overload() throws Exception {
    Path dir = work.resolve("overload");
    Map<String, Object> out = map();
    try (ServiceProcess s = launcher.start(dir, "service", List.of("--state-dir", dir.resolve("state").toString()),
        settings.overloadLimit() == null ? Map.of()
            : Map.of("ranker.limits.max-concurrent-calls.rank", Integer.toString(settings.overloadLimit())))) {
      Probe probe = probeCapacity(s, "rank", rankCall(s));
      double rate = probe.capacity().rps();
      double measure = warmupSeconds();
      var serverBeforeUnloaded = ServerLatency.rankBuckets(s.prometheus());
      long unloadedCpuBefore = loadCpuNanos();
      Load.Tally unloaded = Load.closedLoopFor("unloaded", 1, measure, rankCall(s));
      double unloadedCpuShare = (loadCpuNanos() - unloadedCpuBefore) / (measure * 1e9 * loadCpus());
      var serverAfterUnloaded = ServerLatency.rankBuckets(s.prometheus());
      double[] before = s.threadsAndHeapMb();
      Load.Tally tally = new Load.Tally();
      Recorder fromSchedule = new Recorder(3);
      Load.Call call = rankCall(s);
      // The open loop hands each call its intended send time; the actual send time is taken here.
      Map<Long, Long> actualSend = new ConcurrentHashMap<>();
      Load.Call timed = n -> {
        actualSend.put(n, System.nanoTime());
        return call.start(n);
      };
      long loadCpuBefore = loadCpuNanos();
      tally.started();
      Load.Sent sent = Load.openLoop(3 * rate, settings.seconds(), 20_000, timed, (n, intended, end, code) -> {
        Long actual = actualSend.remove(n);
        tally.done(n, actual == null ? intended : actual, end, code);
        if (code == Status.Code.OK) {
          fromSchedule.recordValue(Math.max(0, end - intended));
        }
      });
      tally.finished();
      double loadCpuShare = (loadCpuNanos() - loadCpuBefore) / (sent.seconds() * 1e9 * loadCpus());
      var serverAfter = ServerLatency.rankBuckets(s.prometheus());
      double[] after = s.threadsAndHeapMb();
      long shed = tally.count(Status.Code.RESOURCE_EXHAUSTED);
      long total = tally.ok.sum() + tally.errorCount();
      Histogram admitted = tally.latency.getIntervalHistogram();
      out.put("limit", settings.overloadLimit() == null ? "default" : settings.overloadLimit());
      probe.report(out);
      out.put("warmup_seconds", round(measure, 1));
      out.put("offered_rps", round(3 * rate, 0));
      out.put("sent_rps", round(sent.calls() / sent.seconds(), 0));
      out.put("calls", total);
      out.put("shed_share", round(total == 0 ? Double.NaN : (double) shed / total, 4));
      out.put("admitted_rps", round(tally.ok.sum() / sent.seconds(), 0));
      out.put("unloaded_p99_ms", round(Load.ms(unloaded.latency.getIntervalHistogram(), 99), 3));
      out.put("admitted_p50_ms", round(Load.ms(admitted, 50), 3));
      out.put("admitted_p99_ms", round(Load.ms(admitted, 99), 3));
      out.put("admitted_p99_ms_from_schedule", round(Load.ms(fromSchedule.getIntervalHistogram(), 99), 3));
      // As the service measured them: without the load generator's own queueing and late sends.
      out.put("server_unloaded_p99_ms", round(ServerLatency.quantileMs(serverBeforeUnloaded, serverAfterUnloaded, 0.99),
          3));
      out.put("server_admitted_p99_ms", round(ServerLatency.quantileMs(serverAfterUnloaded, serverAfter, 0.99), 3));
      out.put("sender_max_lag_ms", round(sent.maxLagMs(), 1));
      // Near 1, the load generator's CPUs were busy: its own queueing is then in the client's latencies.
      out.put("load_cpu_share", round(loadCpuShare, 2));
      out.put("unloaded_load_cpu_share", round(unloadedCpuShare, 2));
      out.put("other_errors", tally.errorCount() - shed);
      out.put("errors_by_code", tally.errorsByCode());
      out.put("threads_before", before[0]);
      out.put("threads_after", after[0]);
      out.put("heap_mb_before", round(before[1], 1));
      out.put("heap_mb_after", round(after[1], 1));
      out.put("healthy_after", s.serving());
    }
    return out;
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /** One fuzzed RPC: how to make a message, and whether it takes the write or the admin token. */
  private record FuzzTarget(String fullMethod, Supplier<com.google.protobuf.Message> message, String token,
      boolean admin) {}

  // 4. Fuzzed requests per RPC, admin RPCs with and without their token.
  Map<String, Object> fuzz() throws Exception {
    Path dir = work.resolve("fuzz");
    Path root = dir.resolve("models");
    copyBundle(launcher.bundle(), root.resolve("1"));
    Map<String, Object> out = map();
    Fuzz fuzz = new Fuzz(settings.seed(), requests);
    List<FuzzTarget> targets = List.of(
        new FuzzTarget("ads.ranking.v1.RankingService/Rank", fuzz::rank, null, false),
        new FuzzTarget("ads.ranking.v1.RankingService/RecordEvents", fuzz::recordEvents, WRITE_TOKEN, false),
        new FuzzTarget("ads.ranking.v1.RankingService/UpsertProfiles", fuzz::upsertProfiles, WRITE_TOKEN, false),
        new FuzzTarget("ads.ranking.v1.ModelAdminService/ReloadModel", fuzz::reloadModel, ADMIN_TOKEN, true),
        new FuzzTarget("ads.ranking.v1.ModelAdminService/GetModelStatus", fuzz::getModelStatus, ADMIN_TOKEN, true),
        new FuzzTarget("ads.ranking.v1.ModelAdminService/RollbackModel", fuzz::rollbackModel, ADMIN_TOKEN, true),
        new FuzzTarget("ads.ranking.v1.ModelAdminService/DeleteUser", fuzz::deleteUser, ADMIN_TOKEN, true));
    try (ServiceProcess s = launcher.start(dir, "service", List.of("--models-root", root.toString(), "--state-dir",
        dir.resolve("state").toString()), Map.of("ranker.security.admin-token", ADMIN_TOKEN,
        "ranker.security.write-token", WRITE_TOKEN, "ranker.model.watch", "false"))) {
      long logBefore = Files.size(s.log());
      Map<String, Object> perRpc = map();
      long internal = 0;
      long internalRaw = 0;
      AtomicReference<String> longest = new AtomicReference<>("");
      ExecutorService pool = Executors.newFixedThreadPool(settings.threads());
      try {
        for (FuzzTarget t : targets) {
          Map<String, LongAdder> codes = new ConcurrentHashMap<>();
          List<Future<?>> futures = new ArrayList<>();
          for (int i = 0; i < settings.fuzzRequests(); i++) {
            // Generated on this thread: the fuzzer's sequence stays the same for a seed.
            boolean raw = fuzz.chance(10);
            com.google.protobuf.Message m = t.message().get();
            byte[] body = raw ? fuzz.bytes(m.toByteArray()) : m.toByteArray();
            String token = t.token() == null ? null
                : t.admin() ? (fuzz.chance(2) ? t.token() : fuzz.chance(2) ? null : "wrong-" + t.token())
                : (fuzz.chance(10) ? null : t.token());
            Channel channel = t.admin() ? s.adminChannel() : s.channel();
            futures.add(pool.submit(() -> {
              String code = call(channel, t.fullMethod(), body, token, longest);
              codes.computeIfAbsent((raw ? "raw_bytes " : "") + code, k -> new LongAdder()).increment();
            }));
            if (futures.size() >= 4 * settings.threads()) {
              futures.remove(0).get();
            }
          }
          for (Future<?> f : futures) {
            f.get();
          }
          Map<String, Long> byCode = new java.util.TreeMap<>();
          codes.forEach((c, n) -> byCode.put(c, n.sum()));
          for (String k : List.of("INTERNAL", "UNKNOWN")) {
            internal += byCode.getOrDefault(k, 0L);
            internalRaw += byCode.getOrDefault("raw_bytes " + k, 0L);
          }
          perRpc.put(t.fullMethod().substring(t.fullMethod().indexOf('/') + 1), byCode);
        }
      } finally {
        pool.shutdownNow();
      }
      out.put("requests_per_rpc", settings.fuzzRequests());
      out.put("internal_or_unknown", internal + internalRaw);
      out.put("internal_or_unknown_from_messages", internal);
      out.put("internal_or_unknown_from_raw_bytes", internalRaw);
      out.put("codes_by_rpc", perRpc);
      String[] lm = longest.get().split("\u0000", 2);
      out.put("longest_status_message_chars", lm[0].length());
      out.put("longest_status_message", lm.length < 2 ? "" : ClientText.quote(lm[1]));
      out.put("service_log_bytes_written", Files.size(s.log()) - logBefore);
      boolean rankOk;
      try {
        ranking(s.channel()).withDeadlineAfter(10, TimeUnit.SECONDS).rank(requests.rank(0)).get();
        rankOk = true;
      } catch (Exception e) {
        rankOk = false;
      }
      out.put("healthy_after", s.serving() && rankOk);
    }
    return out;
  }

  /** One call with raw bytes as the message; its status code's name. */
  private static String call(Channel channel, String fullMethod, byte[] body, String token,
      AtomicReference<String> longest) {
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(fullMethod)
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    Channel c = channel;
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      c = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    try {
      ClientCalls.blockingUnaryCall(c, method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), body);
      return "OK";
    } catch (StatusRuntimeException e) {
      // the description, then NUL and where it came from
      String d = String.valueOf(e.getStatus().getDescription()) + "\u0000" + e.getStatus().getCode() + " "
          + fullMethod.substring(fullMethod.indexOf('/') + 1) + ": " + e.getStatus().getDescription();
      longest.accumulateAndGet(d, (a, b) -> b.indexOf(0) > a.indexOf(0) ? b : a);
      return e.getStatus().getCode().name();
    }
  }

  // 5. SIGTERM under load.
  Map<String, Object> sigterm() throws Exception {
    Path dir = work.resolve("sigterm");
    Map<String, Object> out = map();
    try (ServiceProcess s = launcher.start(dir, "service", List.of("--state-dir", dir.resolve("state").toString()),
        Map.of(FIXED_RANK_LIMIT, "0"))) {
      AtomicLong signalAt = new AtomicLong(Long.MAX_VALUE);
      LongAdder inflight = new LongAdder();
      LongAdder before = new LongAdder();
      Map<String, Long> failedInflight = new ConcurrentHashMap<>();
      Map<String, Long> failedBefore = new ConcurrentHashMap<>();
      Map<String, Long> refusedAfter = new ConcurrentHashMap<>();
      AtomicLong lastInflightEnd = new AtomicLong();
      Load.Observer observer = (n, sent, end, code) -> {
        long signal = signalAt.get();
        if (sent < signal) {
          before.increment();
          if (end >= signal) {
            inflight.increment();
            lastInflightEnd.accumulateAndGet(end, Math::max);
            if (code != Status.Code.OK) {
              failedInflight.merge(code.name(), 1L, Long::sum);
            }
          } else if (code != Status.Code.OK) {
            failedBefore.merge(code.name(), 1L, Long::sum); // e.g. shed by the Rank limit under the load
          }
        } else if (code != Status.Code.OK) {
          refusedAfter.merge(code.name(), 1L, Long::sum);
        }
      };
      AtomicBoolean running = new AtomicBoolean(true);
      Acked acked = new Acked();
      List<Thread> load = new ArrayList<>(Load.closedLoop("sigterm-rank", 2 * settings.threads(), running::get,
          rankCall(s), observer, 1));
      load.addAll(Load.closedLoop("sigterm-write", Math.max(1, settings.threads() / 4), running::get,
          writes(s, "st", acked), observer, 1));
      Thread.sleep((long) (settings.seconds() * 1000));
      signalAt.set(System.nanoTime());
      s.sigterm();
      int exit = s.awaitExit(Duration.ofSeconds(60));
      long exitNanos = System.nanoTime();
      running.set(false);
      Load.join(load);
      out.put("calls_before_signal", before.sum());
      out.put("inflight_at_signal", inflight.sum());
      out.put("failed_inflight", failedInflight.values().stream().mapToLong(Long::longValue).sum());
      out.put("failed_inflight_by_code", failedInflight);
      out.put("failed_before_signal_by_code", failedBefore);
      out.put("drain_ms", round(Math.max(0, lastInflightEnd.get() - signalAt.get()) / 1e6, 1));
      out.put("exit_ms", round((exitNanos - signalAt.get()) / 1e6, 0));
      out.put("exit_code", exit);
      out.put("refused_after_signal_by_code", refusedAfter);
    }
    return out;
  }

  // 6. Redis restarted under load.
  Map<String, Object> redisRestart() throws Exception {
    Path dir = work.resolve("redis-restart");
    Path binary = RedisProcess.find(settings.redisServer());
    Map<String, Object> out = map();
    if (binary == null) {
      out.put("skipped", "redis-server not found (apt-get install redis-server, or --redis-server PATH)");
      return out;
    }
    try (RedisProcess redis = new RedisProcess(binary, dir.resolve("redis"), launcher.pinning());
        ServiceProcess s = launcher.start(dir, "service", List.of("--redis", redis.uri()),
            Map.of(FIXED_RANK_LIMIT, "0"))) {
      AtomicLong downAt = new AtomicLong(Long.MAX_VALUE);
      AtomicLong upAt = new AtomicLong(Long.MAX_VALUE);
      AtomicLong firstWriteAfterUp = new AtomicLong(Long.MAX_VALUE);
      Map<String, Long> errorsWhileDown = new ConcurrentHashMap<>();
      Map<String, Long> errorsAfterRecovery = new ConcurrentHashMap<>();
      List<long[]> lateErrors = java.util.Collections.synchronizedList(new ArrayList<>());
      Load.Observer rankObserver = (n, sent, end, code) -> classify("Rank", sent, end, code, downAt, upAt,
          errorsWhileDown, lateErrors);
      Load.Observer writeObserver = (n, sent, end, code) -> {
        if (code == Status.Code.OK && sent >= upAt.get()) {
          firstWriteAfterUp.accumulateAndGet(end, Math::min);
        }
        classify("RecordEvents", sent, end, code, downAt, upAt, errorsWhileDown, lateErrors);
      };
      Acked acked = new Acked();
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> load = new ArrayList<>(Load.closedLoop("redis-rank", settings.threads() / 2 + 1, running::get,
          rankCall(s), rankObserver, 2));
      load.addAll(Load.closedLoop("redis-write", settings.threads() / 2 + 1, running::get, writes(s, "rr", acked),
          writeObserver, 2));
      long phase = (long) (settings.seconds() * 1000 / 3);
      Thread.sleep(phase);
      downAt.set(System.nanoTime());
      redis.stop();
      Thread.sleep(phase);
      upAt.set(System.nanoTime());
      redis.start();
      Thread.sleep(phase);
      running.set(false);
      Load.join(load);
      long recovered = firstWriteAfterUp.get();
      for (long[] e : lateErrors) { // {sent, code ordinal, rank 0 / write 1}
        if (e[0] >= recovered) {
          errorsAfterRecovery.merge((e[2] == 0 ? "Rank " : "RecordEvents ") + Status.Code.values()[(int) e[1]], 1L,
              Long::sum);
        }
      }
      out.put("down_ms", round((upAt.get() - downAt.get()) / 1e6, 0));
      out.put("errors_while_down", errorsWhileDown.values().stream().mapToLong(Long::longValue).sum());
      out.put("errors_while_down_by_rpc", errorsWhileDown);
      out.put("recovery_ms", recovered == Long.MAX_VALUE ? Double.NaN : round((recovered - upAt.get()) / 1e6, 0));
      out.put("errors_after_recovery", errorsAfterRecovery.values().stream().mapToLong(Long::longValue).sum());
      out.put("errors_after_recovery_by_rpc", errorsAfterRecovery);
      out.put("acknowledged_events", acked.total());
      try (UserStore store = new RedisUserStore(redis.uri(), readLimits(), Duration.ofSeconds(5), Duration.ZERO)) {
        out.put("acknowledged_lost", acked.lost(store));
      }
      out.put("healthy_after", s.serving());
    }
    return out;
  }

  private static void classify(String rpc, long sent, long end, Status.Code code, AtomicLong downAt, AtomicLong upAt,
      Map<String, Long> whileDown, List<long[]> late) {
    if (code == Status.Code.OK) {
      return;
    }
    if (sent >= downAt.get() && sent < upAt.get()) {
      whileDown.merge(rpc + " " + code.name(), 1L, Long::sum);
    } else if (sent >= upAt.get()) {
      late.add(new long[] {sent, code.ordinal(), rpc.equals("Rank") ? 0 : 1});
    } else if (end >= downAt.get()) {
      whileDown.merge(rpc + " " + code.name(), 1L, Long::sum); // sent just before the stop, failed by it
    } else {
      late.add(new long[] {sent, code.ordinal(), rpc.equals("Rank") ? 0 : 1});
    }
  }

  /**
   * The soak's service compacts the whole heap at a full collection. The Serial collector (the JVM's choice on one
   * CPU) otherwise leaves dead objects in place, as filler {@code int[]}, up to 5 % of the old generation's capacity
   * (three full collections in four): the live set read after one would grow with the heap's capacity, not with what
   * the service holds. Only full collections change, and the soak's are the ones it asks for.
   */
  static final List<String> NO_DEAD_WOOD = List.of("-XX:MarkSweepDeadRatio=0");

  // 7. Soak at 70 % of the sustainable rate, as the overload scenario measures it.
  Map<String, Object> soak() throws Exception {
    Path dir = work.resolve("soak");
    Map<String, Object> out = map();
    try (ServiceProcess s = launcher.start(dir, "service", List.of("--state-dir", dir.resolve("state").toString()),
        Map.of(), NO_DEAD_WOOD)) {
      out.put("service_java_flags", s.javaFlags());
      RankingServiceGrpc.RankingServiceFutureStub stub = ranking(s.channel());
      // One call in 20 records a view for a known user: logs grow and compact as in production.
      Load.Call mixed = n -> n % 20 == 0
          ? stub.withDeadlineAfter(10, TimeUnit.SECONDS).recordEvents(requests.views(requests.rank(n / 20)
              .getUserId(), 1, n))
          : stub.withDeadlineAfter(10, TimeUnit.SECONDS).rank(requests.rank(n));
      // Threads and heap are sampled from the start, as Prometheus scrapes a service all its life: the probe's
      // warm-up compiles the exposition too. Only the soak's own samples count.
      List<double[]> samples = java.util.Collections.synchronizedList(new ArrayList<>()); // {nanoTime, threads, heap}
      AtomicBoolean sampling = new AtomicBoolean(true);
      long every = Math.max(500, (long) (settings.soakSeconds() * 1000 / 120));
      Thread sampler = new Thread(() -> {
        while (sampling.get()) {
          try {
            double[] th = s.threadsAndHeapMb();
            samples.add(new double[] {System.nanoTime(), th[0], th[1]});
            Thread.sleep(every);
          } catch (InterruptedException e) {
            return;
          } catch (IOException e) {
            // a missed sample
          }
        }
      }, "soak-sampler");
      sampler.setDaemon(true);
      sampler.start();
      // 70 % of the rate of the soak's own mix, its writes synced to disk included.
      Probe probe = probeCapacity(s, "rank+record_events", mixed);
      double rate = settings.soakRps() != null ? settings.soakRps() : 0.7 * probe.capacity().rps();
      // The probe's ramp ends by overloading the service, which leaves Rank's limit at its floor until answered calls
      // raise it again (over 100 ms windows): Ranks at the soak's rate until it is back, then a lead-in at the
      // soak's rate with its writes, reported apart, before the soak's calls are counted.
      double recovery = recoverRankLimit(s, Math.max(100, rate), probe.ceiling());
      double leadIn = Math.min(10, settings.soakSeconds() / 20);
      Load.Tally leadInTally = new Load.Tally();
      leadInTally.started();
      long leadInCalls = Load.openLoop(rate, leadIn, 20_000, mixed, leadInTally).calls();
      leadInTally.finished();
      long start = System.nanoTime();
      java.util.concurrent.atomic.AtomicLongArray errorsByMinute =
          new java.util.concurrent.atomic.AtomicLongArray((int) Math.ceil(settings.soakSeconds() / 60.0) + 1);
      Load.Tally tally = new Load.Tally((n, sent, end, code) -> {
        if (code != Status.Code.OK) {
          errorsByMinute.incrementAndGet((int) Math.min(errorsByMinute.length() - 1, (sent - start) / 60_000_000_000L));
        }
      });
      // The warm-up, then two halves; between them the load pauses for a full collection and the live heap is read
      // (the call numbers run on, so the requests are those of one loop).
      double warmup = 0.2 * settings.soakSeconds();
      double half = (settings.soakSeconds() - warmup) / 2;
      List<double[]> live = new ArrayList<>(); // {minutes since the start, MiB}
      long calls = 0;
      double maxLagMs = 0;
      double dropsBefore = rankLimitDrops(s);
      Map<String, Double> shedBefore = shedByRpcAndReason(s.prometheus());
      tally.started();
      for (double seconds : new double[] {warmup, half, half}) {
        long offset = calls;
        Load.Sent sent = Load.openLoop(rate, seconds, 20_000, n -> mixed.start(n + offset), tally);
        calls += sent.calls();
        maxLagMs = Math.max(maxLagMs, sent.maxLagMs());
        live.add(new double[] {(System.nanoTime() - start) / 60e9, s.liveHeapMb()});
      }
      tally.finished();
      double drops = rankLimitDrops(s) - dropsBefore;
      Map<String, Long> shed = increase(shedBefore, shedByRpcAndReason(s.prometheus()));
      sampling.set(false);
      sampler.interrupt();
      sampler.join();
      List<double[]> steady;
      synchronized (samples) {
        steady = samples.stream().map(x -> new double[] {(x[0] - start) / 1e9, x[1], x[2]})
            .filter(x -> x[0] >= warmup).toList();
      }
      out.put("seconds", settings.soakSeconds());
      out.put("warmup_seconds", round(warmup, 1));
      out.put("rate_rps", round(rate, 0));
      probe.report(out);
      out.put("lead_in_limit_recovery_seconds", round(recovery, 1));
      out.put("lead_in_seconds", round(leadIn, 1));
      out.put("lead_in_calls", leadInCalls);
      out.put("lead_in_errors_by_code", leadInTally.errorsByCode());
      out.put("calls", calls);
      out.put("errors", tally.errorCount());
      out.put("errors_by_code", tally.errorsByCode());
      List<Long> byMinute = new ArrayList<>();
      for (int m = 0; m < errorsByMinute.length(); m++) {
        byMinute.add(errorsByMinute.get(m));
      }
      out.put("errors_by_minute", byMinute);
      // Which bound shed the soak's calls, as the service counted them: Rank/concurrency_limit, RecordEvents/queue_full...
      out.put("shed_by_rpc_reason", shed);
      // Each drop of Rank's limit to its floor during the soak: a standing queue for a whole window at 70 % load.
      out.put("rank_limit_drops", drops);
      out.put("p99_ms", round(Load.ms(tally.latency.getIntervalHistogram(), 99), 3));
      out.put("sender_max_lag_ms", round(maxLagMs, 1));
      out.put("live_heap_mb", live.stream().map(x -> round(x[1], 1)).toList());
      out.put("live_heap_slope_mb_per_min", round(slope(live), 3));
      out.put("heap_slope_mb_per_min", round(troughSlope(steady), 3));
      out.put("heap_mb_first", steady.isEmpty() ? Double.NaN : round(steady.get(0)[2], 1));
      out.put("heap_mb_last", steady.isEmpty() ? Double.NaN : round(steady.get(steady.size() - 1)[2], 1));
      out.put("threads_first", steady.isEmpty() ? Double.NaN : steady.get(0)[1]);
      out.put("threads_last", steady.isEmpty() ? Double.NaN : steady.get(steady.size() - 1)[1]);
      out.put("healthy_after", s.serving());
    }
    return out;
  }

  /**
   * The slope (MiB per minute) of the heap's troughs: the samples in ten equal windows, the least of each (after a
   * collection, so the garbage's sawtooth does not count), fitted by least squares.
   */
  static double troughSlope(List<double[]> samples) {
    if (samples.size() < 3) {
      return Double.NaN;
    }
    int windows = Math.min(10, samples.size());
    List<double[]> troughs = new ArrayList<>();
    for (int w = 0; w < windows; w++) {
      int from = w * samples.size() / windows;
      int to = (w + 1) * samples.size() / windows;
      double[] min = null;
      for (int i = from; i < to; i++) {
        if (min == null || samples.get(i)[2] < min[2]) {
          min = samples.get(i);
        }
      }
      if (min != null) {
        troughs.add(min);
      }
    }
    return slope(troughs.stream().map(t -> new double[] {t[0] / 60.0, t[2]}).toList());
  }

  /** The least-squares slope of {x, y} points; NaN for fewer than two distinct x. */
  static double slope(List<double[]> points) {
    double n = points.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (double[] p : points) {
      sx += p[0];
      sy += p[1];
      sxx += p[0] * p[0];
      sxy += p[0] * p[1];
    }
    double den = n * sxx - sx * sx;
    return den == 0 ? Double.NaN : (n * sxy - sx * sy) / den;
  }

  static Map<String, Object> skipped(String why) {
    Map<String, Object> m = map();
    m.put("skipped", why);
    return m;
  }
}
