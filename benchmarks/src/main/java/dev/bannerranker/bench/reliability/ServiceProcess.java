package dev.bannerranker.bench.reliability;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ranking service as a child JVM on loopback ({@code serve} of the serving jar), its output in a log file. Stopped
 * by {@link #kill9}, {@link #sigterm} or {@link #close} (which kills what is still running).
 */
final class ServiceProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  /** The JVM flags it was started with, after the launcher's heap and module ones. */
  private final List<String> javaFlags;
  final int port;
  final int metricsPort;
  /** The port of the admin listener (the admin RPCs). */
  final int adminPort;
  private final ManagedChannel channel;
  private final ManagedChannel adminChannel;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServiceProcess(Process process, Path log, List<String> javaFlags, int port, int metricsPort,
      int adminPort) {
    this.process = process;
    this.log = log;
    this.javaFlags = List.copyOf(javaFlags);
    this.port = port;
    this.metricsPort = metricsPort;
    this.adminPort = adminPort;
    this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    this.adminChannel = adminPort == port ? channel
        : ManagedChannelBuilder.forAddress("127.0.0.1", adminPort).usePlaintext().build();
  }

  /** The service's own JVM flags, as {@code bin/ranker serve} and the image start it (a test keeps them equal). */
  static final List<String> SERVE_JAVA_FLAGS = List.of("-XX:MaxTenuringThreshold=1");

  /** How to start services: the JVM, class path and settings every scenario shares. */
  record Launcher(String classpath, String heap, Path bundle, Path data, String defaultTime, Duration startTimeout,
      Map<String, String> config, CpuPinning pinning) {

    /**
     * Starts {@code serve} with these extra arguments (the store, the model) and system properties (configuration
     * keys, over the launcher's own), and waits until its health check answers SERVING.
     */
    ServiceProcess start(Path workDir, String name, List<String> args, Map<String, String> properties)
        throws IOException, InterruptedException {
      return start(workDir, name, args, properties, List.of());
    }

    /**
     * As {@link #start(Path, String, List, Map)}, with JVM flags after the service's own and before
     * {@code SERVICE_JAVA_OPTS}.
     */
    ServiceProcess start(Path workDir, String name, List<String> args, Map<String, String> properties,
        List<String> javaFlags) throws IOException, InterruptedException {
      Files.createDirectories(workDir);
      int port = freePort();
      int metricsPort = freePort();
      int adminPort = freePort();
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + heap, "--add-modules", "jdk.incubator.vector", "-Dranker.progress=none",
          // loopback only, whatever the configuration says
          "-Dgrpc.server.host=127.0.0.1", "-Dmicronaut.server.host=127.0.0.1"));
      List<String> flags = new ArrayList<>(SERVE_JAVA_FLAGS);
      flags.addAll(javaFlags);
      flags.addAll(extraJavaFlags());
      cmd.addAll(1, flags);
      Map<String, String> all = new java.util.LinkedHashMap<>(config);
      all.putAll(properties);
      all.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
      cmd.addAll(List.of("-cp", classpath, "dev.bannerranker.serving.cli.ServingCli", "serve",
          "--port", Integer.toString(port), "--metrics-port", Integer.toString(metricsPort),
          "--admin-port", Integer.toString(adminPort), "--default-time", defaultTime));
      if (data != null) {
        cmd.addAll(List.of("--data", data.toString()));
      }
      if (!args.contains("--models-root")) {
        cmd.addAll(List.of("--bundle", bundle.toString()));
      }
      cmd.addAll(args);
      Path log = workDir.resolve(name + ".log");
      ProcessBuilder pb = new ProcessBuilder(pinning.serverCommand(cmd)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("OMP_NUM_THREADS", "1");
      ServiceProcess s = new ServiceProcess(pb.start(), log, flags, port, metricsPort, adminPort);
      try {
        s.awaitServing(startTimeout);
      } catch (RuntimeException | InterruptedException e) {
        s.close();
        throw e;
      }
      return s;
    }
  }

  /**
   * Extra JVM flags for every service the harness starts, from {@code SERVICE_JAVA_OPTS} (words split on spaces), as
   * benchmarks/pinned-loadtest.sh takes them: after the service's own, so that a later flag wins.
   */
  static List<String> extraJavaFlags() {
    return javaFlags(System.getenv("SERVICE_JAVA_OPTS"));
  }

  /** The words of {@code opts}, split on white space; none for null or blank. */
  static List<String> javaFlags(String opts) {
    return opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  ManagedChannel channel() {
    return channel;
  }

  ManagedChannel adminChannel() {
    return adminChannel;
  }

  List<String> javaFlags() {
    return javaFlags;
  }

  Path log() {
    return log;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Waits until the gRPC health check says SERVING; fails when the process ends or the time runs out. */
  void awaitServing(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the service exited with code " + process.exitValue() + " before serving; see "
            + log);
      }
      if (serving()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the service did not serve within " + timeout.toSeconds() + " s; see " + log);
      }
      Thread.sleep(100);
    }
  }

  /** True when the process is alive and its health check answers SERVING. */
  boolean serving() {
    if (!process.isAlive()) {
      return false;
    }
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus() == HealthCheckResponse.ServingStatus.SERVING;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** The service's Prometheus text. */
  String prometheus() throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
        + "/prometheus")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("/prometheus answered " + r.statusCode());
    }
    return r.body();
  }

  /** The sum of a metric's samples whose labels contain every one of {@code labels} ({@code area="heap"}). */
  static double metric(String prometheus, String name, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : prometheus.split("\n")) {
      if (!line.startsWith(name) || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String metricName = brace > 0 ? line.substring(0, brace) : line.substring(0, space);
      if (!metricName.equals(name)) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(space + 1));
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }

  /** Live threads and used heap (MiB) as the service reports them. */
  double[] threadsAndHeapMb() throws IOException, InterruptedException {
    String p = prometheus();
    return new double[] {metric(p, "jvm_threads_live_threads"),
        metric(p, "jvm_memory_used_bytes", "area=\"heap\"") / (1024.0 * 1024.0)};
  }

  /**
   * The live set (MiB) a full collection that {@code jcmd GC.run} asks for leaves: the old generation right after it,
   * as the collector reports it ({@code jvm_gc_live_data_size_bytes}), which the troughs of a running heap only bound
   * from above (objects promoted and dead wait for an old or full collection); exact only when that collection
   * compacts the whole heap ({@link Scenarios#NO_DEAD_WOOD}). Not the heap used when read: that adds what
   * the threads allocated since the collection, the metrics scrape's own buffers among it. NaN when this JVM has no
   * {@code jcmd} (a runtime image without the tools) or it fails.
   */
  double liveHeapMb() throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return Double.NaN;
    }
    double majorBefore = majorCollections();
    Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!gc.waitFor(60, TimeUnit.SECONDS)) {
      gc.destroyForcibly();
      return Double.NaN;
    }
    if (gc.exitValue() != 0) {
      return Double.NaN;
    }
    // The gauge is set from the collector's notification, which a service thread delivers after the pause (on a
    // busy core, later): until the count of major collections has moved, it holds an earlier collection's figure.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!(majorCollections() > majorBefore)) {
      if (System.nanoTime() > deadline) {
        return Double.NaN;
      }
      Thread.sleep(100);
    }
    Thread.sleep(100); // the same notification sets the pause's count, then the live data
    return metric(prometheus(), "jvm_gc_live_data_size_bytes") / (1024.0 * 1024.0);
  }

  /** Major (full or old) collections the service has reported so far, 0 before the first. */
  private double majorCollections() throws IOException, InterruptedException {
    double n = metric(prometheus(), "jvm_gc_pause_seconds_count", "action=\"end of major GC\"");
    return Double.isNaN(n) ? 0 : n;
  }

  /** SIGKILL, and waits for the process to be gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the service drains and exits by itself. */
  void sigterm() {
    process.destroy();
  }

  /** Waits for the process to exit; its exit code, or -1 when it is still running after the timeout. */
  int awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    adminChannel.shutdownNow();
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static void deleteQuietly(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
