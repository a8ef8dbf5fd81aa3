package dev.bannerranker.bench.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bannerranker.serving.cli.ServingCli;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The reliability suite: each scenario against real service processes on loopback, bounded in time, into
 * {@code report.json} and {@code report.md}.
 */
@Command(name = "reliability", mixinStandardHelpOptions = true,
    description = "Runs the reliability scenarios (kill -9, hot swaps, overload, fuzz, SIGTERM, Redis restart, soak) "
        + "against service processes it starts on loopback, and writes report.json and report.md.")
public final class Reliability implements Callable<Integer> {
  /** The scenarios in the order they run, by their report key. */
  static final List<String> ALL = List.of("kill9", "swaps", "overload", "fuzz", "sigterm", "redis_restart", "soak");

  @Option(names = "--bundle", required = true, description = "The model bundle the services serve.")
  Path bundle;

  @Option(names = "--data", description = "A data directory whose users.csv (and events) each service imports at "
      + "start. Default: none (every user is unknown).")
  Path data;

  @Option(names = "--out", defaultValue = "work/reliability",
      description = "Where report.json, report.md and the services' logs go. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--scenarios", split = ",", description = "Which scenarios to run, comma-separated. Default: all ("
      + "kill9, swaps, overload, fuzz, sigterm, redis_restart, soak).")
  List<String> scenarios;

  @Option(names = "--seconds", defaultValue = "30",
      description = "Seconds of load in each scenario but the soak. Default: ${DEFAULT-VALUE}.")
  double seconds;

  @Option(names = "--soak-seconds", defaultValue = "600", description = "Length of the soak. Default: ${DEFAULT-VALUE}.")
  double soakSeconds;

  @Option(names = "--soak-rps", description = "The soak's rate (calls per second of its mix), instead of 70 % of the "
      + "sustainable rate its probe measures: to compare builds or settings at one load.")
  Double soakRps;

  @Option(names = "--fuzz-requests", defaultValue = "10000",
      description = "Fuzzed requests per RPC. Default: ${DEFAULT-VALUE}.")
  int fuzzRequests;

  @Option(names = "--swaps", defaultValue = "20",
      description = "Hot swaps, and as many rollbacks, under load. Default: ${DEFAULT-VALUE}.")
  int swaps;

  @Option(names = "--overload-limit", description = "ranker.limits.max-concurrent-calls.rank of the overload "
      + "scenario's service. Default: the service's own (16 per processor, lowered while Rank's latency is high).")
  Integer overloadLimit;

  @Option(names = "--threads", defaultValue = "8",
      description = "Callers of the closed loops (the sustainable rate is Rank's throughput with this many). "
          + "Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--users", defaultValue = "400", description = "Rank users u-000001 .. u-N, in turn. Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(names = "--placement", defaultValue = "home_carousel", description = "Placement ranked. Default: ${DEFAULT-VALUE}.")
  String placement;

  @Option(names = "--default-time", defaultValue = "2026-03-15T12:00:00Z",
      description = "The services' --default-time (the world's banners must be in flight). Default: ${DEFAULT-VALUE}.")
  String defaultTime;

  @Option(names = "--serving-jar", defaultValue = "serving/target/banner-ranker-serving.jar",
      description = "The serving jar (or a class path) the services run from. Default: ${DEFAULT-VALUE}.")
  String servingJar;

  @Option(names = "--server-heap", defaultValue = "1g", description = "Each service's -Xmx. Default: ${DEFAULT-VALUE}.")
  String serverHeap;

  @Option(names = "--redis-server", description = "The redis-server binary. Default: $REDIS_SERVER, else the PATH.")
  Path redisServer;

  @Option(names = "--tmp", description = "Where the work directory (state, bundle copies, Redis files) is made and "
      + "removed at the end. Default: the JVM's temporary directory.")
  Path tmp;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the fuzzer. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--service-config", paramLabel = "KEY=VALUE", description = "A configuration key of every service "
      + "started, e.g. ranker.server.executor=FIXED. Repeatable. Default: the service's own defaults.")
  Map<String, String> serviceConfig = new LinkedHashMap<>();

  @Option(names = "--service-cpus", paramLabel = "LIST", description = "Run every service and redis-server on these "
      + "CPUs (taskset -c LIST, e.g. 0). Default: not pinned.")
  String serviceCpus;

  @Option(names = "--load-cpus", paramLabel = "LIST", description = "Run this process, the load generator, on these CPUs "
      + "(e.g. 1). Default: not pinned. With --service-cpus on other CPUs, the load is offered independently of the "
      + "service's scheduling.")
  String loadCpus;

  public static void main(String[] args) {
    System.exit(ServingCli.withExitCodes(new CommandLine(new Reliability())).execute(args));
  }

  private CommandLine.ParameterException bad(String message) {
    return new CommandLine.ParameterException(new CommandLine(this), message);
  }

  @Override
  public Integer call() throws Exception {
    List<String> run = scenarios == null ? ALL : scenarios;
    for (String s : run) {
      if (!ALL.contains(s)) {
        throw bad("--scenarios: unknown scenario '" + s + "'; the scenarios are " + String.join(", ", ALL));
      }
    }
    if (seconds <= 0 || soakSeconds <= 0 || fuzzRequests < 1 || swaps < 1
        || overloadLimit != null && overloadLimit < 1 || threads < 1 || users < 1
        || soakRps != null && !(soakRps > 0 && soakRps <= 100_000)) {
      throw bad("--seconds, --soak-seconds, --fuzz-requests, --swaps, --overload-limit, --threads and --users must be "
          + "positive, --soak-rps between 0 and 100000");
    }
    if (!Files.isRegularFile(bundle.resolve("manifest.json"))) {
      throw bad("--bundle: " + bundle + " has no manifest.json");
    }
    if (data != null && !Files.isRegularFile(data.resolve("users.csv"))) {
      throw bad("--data: " + data + " has no users.csv");
    }
    for (String part : servingJar.split(java.io.File.pathSeparator)) {
      if (!Files.exists(Path.of(part))) {
        throw bad("--serving-jar: " + part + " not found (build it: ./mvnw -B -DskipTests -pl serving -am package)");
      }
    }
    for (String key : serviceConfig.keySet()) {
      if (!key.matches("[a-z][a-z0-9.-]*")) {
        throw bad("--service-config: '" + shortened(key) + "' is not a configuration key like ranker.server.executor");
      }
    }
    CpuPinning pinning;
    try {
      pinning = new CpuPinning(CpuPinning.checkedList("--service-cpus", serviceCpus),
          CpuPinning.checkedList("--load-cpus", loadCpus));
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
    try {
      Instant.parse(defaultTime);
    } catch (java.time.format.DateTimeParseException e) {
      throw bad("--default-time must be an ISO-8601 instant like 2026-03-15T12:00:00Z");
    }
    try {
      pinning.pinThisProcess();
    } catch (java.io.IOException e) {
      throw bad("--load-cpus: " + e.getMessage());
    }
    Files.createDirectories(out);
    Path work = tmp == null ? Files.createTempDirectory("banner-ranker-reliability")
        : Files.createTempDirectory(Files.createDirectories(tmp), "banner-ranker-reliability");
    Map<String, Object> report = new LinkedHashMap<>();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("date", Instant.now().toString());
    meta.put("commit", dev.bannerranker.BuildInfo.current().commit());
    meta.put("bundle", bundle.toString());
    meta.put("cores", Runtime.getRuntime().availableProcessors());
    meta.put("load_average_before", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    meta.put("seconds", seconds);
    meta.put("soak_seconds", soakSeconds);
    meta.put("soak_rps", soakRps == null ? "70 % of the probe's" : soakRps);
    meta.put("fuzz_requests_per_rpc", fuzzRequests);
    meta.put("swaps", swaps);
    meta.put("threads", threads);
    meta.put("service_config", serviceConfig);
    meta.put("service_java_opts", String.join(" ", ServiceProcess.extraJavaFlags()));
    meta.put("service_cpus", serviceCpus == null ? "any" : serviceCpus);
    meta.put("load_cpus", loadCpus == null ? "any" : loadCpus);
    report.put("meta", meta);
    boolean failed = false;
    // Ctrl-C or a kill: the services and Redis are stopped and the work directory removed all the same.
    Thread cleanup = new Thread(() -> {
      ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
      ServiceProcess.deleteQuietly(work);
    }, "reliability-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      ServiceProcess.Launcher launcher = new ServiceProcess.Launcher(servingJar, serverHeap, bundle.toAbsolutePath(),
          data == null ? null : data.toAbsolutePath(), defaultTime, Duration.ofSeconds(180), Map.copyOf(serviceConfig),
          pinning);
      Requests requests = new Requests(bundle, placement, users, defaultTime);
      Scenarios scenarios = new Scenarios(launcher, work, requests, new Scenarios.Settings(seconds, soakSeconds,
          soakRps, fuzzRequests, swaps, overloadLimit, threads, redisServer, seed));
      for (String name : run) {
        long t0 = System.nanoTime();
        System.out.printf("%s ...%n", name);
        Map<String, Object> result;
        try {
          result = switch (name) {
            case "kill9" -> scenarios.kill9();
            case "swaps" -> scenarios.swaps();
            case "overload" -> scenarios.overload();
            case "fuzz" -> scenarios.fuzz();
            case "sigterm" -> scenarios.sigterm();
            case "redis_restart" -> scenarios.redisRestart();
            default -> scenarios.soak();
          };
        } catch (Exception | AssertionError e) {
          failed = true;
          result = new LinkedHashMap<>();
          result.put("error", String.valueOf(e.getMessage()));
          System.out.printf("  %s failed: %s%n", name, e);
        }
        result.put("wall_seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        report.put(name, result);
        System.out.printf("  %s%n", result);
        write(report);
      }
      meta.put("load_average_after", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      write(report);
      keepLogs(work);
    } finally {
      ServiceProcess.deleteQuietly(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    System.out.println("written " + out.resolve("report.json") + " and " + out.resolve("report.md"));
    return failed ? 1 : 0;
  }

  private static String shortened(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  private void write(Map<String, Object> report) throws java.io.IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("report.json").toFile(),
        report);
    Files.writeString(out.resolve("report.md"), table(report));
  }

  /** The services' and Redis's logs (the last 10 MB of each) into {@code out/logs}, named by scenario. */
  private static final long LOG_KEPT_BYTES = 10_000_000;

  private void keepLogs(Path work) throws java.io.IOException {
    Path logs = Files.createDirectories(out.resolve("logs"));
    try (var files = Files.walk(work)) {
      // the services' and Redis's own logs, not RocksDB's write-ahead logs
      for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().matches("service.*\\.log|redis\\.log"))
          ::iterator) {
        String name = work.relativize(f).toString().replace('/', '-');
        long size = Files.size(f);
        if (size <= LOG_KEPT_BYTES) {
          Files.copy(f, logs.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
          try (var in = java.nio.channels.FileChannel.open(f);
              var o = Files.newOutputStream(logs.resolve(name))) {
            o.write(("[the first " + (size - LOG_KEPT_BYTES) + " bytes of this log are not kept]\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            in.position(size - LOG_KEPT_BYTES);
            java.nio.channels.Channels.newInputStream(in).transferTo(o);
          }
        }
      }
    }
  }

  /** The README's table: one row per headline figure, with the goal where the issue sets one. */
  static String table(Map<String, Object> report) {
    String[][] rows = {
        {"kill9", "acknowledged_lost", "kill -9 during RecordEvents: acknowledged events lost (sync: always)", "0"},
        {"kill9", "acknowledged_events", "kill -9: events acknowledged before the kill", ""},
        {"swaps", "failed_calls", "hot swaps and rollbacks under Rank load: failed Ranks", "0"},
        {"swaps", "rank_calls", "hot swaps: Ranks during the swaps", ""},
        {"overload", "sustainable_rps", "overload: sustainable Rank rate (the open-loop ramp's, calls/s)", ""},
        {"overload", "admitted_rps", "overload at 3x: Ranks admitted (calls/s)", ""},
        {"overload", "shed_share", "overload at 3x: share of Ranks shed (RESOURCE_EXHAUSTED)", ""},
        {"overload", "admitted_p99_ms", "overload: admitted Ranks' p99 (ms)", "<= 3x unloaded p99"},
        {"overload", "unloaded_p99_ms", "overload: unloaded p99 (ms), one caller", ""},
        {"overload", "server_admitted_p99_ms", "overload: admitted Ranks' p99 as the service measured it (ms)",
            "<= 3x the service's unloaded p99"},
        {"overload", "server_unloaded_p99_ms", "overload: unloaded p99 as the service measured it (ms)", ""},
        {"overload", "threads_before", "overload: service threads before", ""},
        {"overload", "threads_after", "overload: service threads after", "flat"},
        {"overload", "heap_mb_before", "overload: heap used before (MiB)", ""},
        {"overload", "heap_mb_after", "overload: heap used after (MiB)", "flat"},
        {"fuzz", "internal_or_unknown", "fuzz: INTERNAL or UNKNOWN answers", "0"},
        {"fuzz", "healthy_after", "fuzz: healthy after", "true"},
        {"fuzz", "longest_status_message_chars", "fuzz: longest status message (chars)", ""},
        {"sigterm", "failed_inflight", "SIGTERM under load: in-flight calls failed", "0"},
        {"sigterm", "inflight_at_signal", "SIGTERM: calls in flight at the signal", ""},
        {"sigterm", "drain_ms", "SIGTERM: drain time (ms)", ""},
        {"redis_restart", "errors_while_down", "Redis restarted: failed calls while it was down", ""},
        {"redis_restart", "recovery_ms", "Redis restarted: first acknowledged write after the restart (ms)", ""},
        {"redis_restart", "acknowledged_lost", "Redis restarted: acknowledged events lost", "0"},
        {"soak", "errors", "soak at 70 %: failed calls", "0"},
        {"soak", "live_heap_slope_mb_per_min", "soak: live heap's slope after warm-up (MiB/min, after full "
            + "collections)", "flat"},
        {"soak", "heap_slope_mb_per_min", "soak: slope of the heap's troughs after warm-up (MiB/min)", ""},
    };
    StringBuilder b = new StringBuilder("| figure | value | goal |\n|---|---:|---|\n");
    for (String[] r : rows) {
      if (!(report.get(r[0]) instanceof Map<?, ?> m) || !m.containsKey(r[1])) {
        continue;
      }
      Object v = m.get(r[1]);
      String value = v instanceof Double d ? (d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(Locale.ROOT,
          "%,d", d.longValue()) : String.format(Locale.ROOT, "%,.3f", d))
          : v instanceof Long || v instanceof Integer ? String.format(Locale.ROOT, "%,d", ((Number) v).longValue())
          : String.valueOf(v);
      b.append("| ").append(r[2]).append(" | ").append(value).append(" | ").append(r[3]).append(" |\n");
    }
    List<String> skipped = new ArrayList<>();
    report.forEach((k, v) -> {
      if (v instanceof Map<?, ?> m && (m.containsKey("skipped") || m.containsKey("error"))) {
        skipped.add(k + ": " + (m.containsKey("skipped") ? m.get("skipped") : "failed: " + m.get("error")));
      }
    });
    for (String s : skipped) {
      b.append("\n").append(s).append("\n");
    }
    return b.toString();
  }
}
