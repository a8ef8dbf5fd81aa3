package dev.bannerranker.bench.reliability;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} child on a loopback port, append-only with an fsync per write (as deploy/compose.yaml runs
 * it), stopped and started again on the same port and directory.
 */
final class RedisProcess implements AutoCloseable {
  private final Path binary;
  private final Path dir;
  private final CpuPinning pinning;
  final int port;
  private Process process;

  RedisProcess(Path binary, Path dir, CpuPinning pinning) throws IOException, InterruptedException {
    this.binary = binary;
    this.pinning = pinning;
    this.dir = Files.createDirectories(dir);
    this.port = ServiceProcess.freePort();
    start();
  }

  /** {@code redis-server} from {@code given}, else $REDIS_SERVER, the PATH or /usr/bin; null when there is none. */
  static Path find(Path given) {
    if (given != null) {
      return Files.isExecutable(given) ? given : null;
    }
    String env = System.getenv("REDIS_SERVER");
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
      return Path.of(env);
    }
    for (String d : String.valueOf(System.getenv("PATH")).split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "redis-server"))) {
        return Path.of(d, "redis-server");
      }
    }
    return Files.isExecutable(Path.of("/usr/bin/redis-server")) ? Path.of("/usr/bin/redis-server") : null;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  void start() throws IOException, InterruptedException {
    process = new ProcessBuilder(pinning.serverCommand(List.of(binary.toString(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString(),
        "--daemonize", "no")))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!pong()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException("redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
      }
      Thread.sleep(20);
    }
  }

  private boolean pong() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(2_000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] b = new byte[5];
      return in.readNBytes(b, 0, 5) == 5 && new String(b, StandardCharsets.US_ASCII).equals("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGTERM (Redis writes its append-only file and exits), then SIGKILL if it has not gone within 10 s. */
  void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    process = null;
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
