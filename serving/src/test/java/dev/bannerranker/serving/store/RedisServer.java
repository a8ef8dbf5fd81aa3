package dev.bannerranker.serving.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} for tests (Debian's {@code redis-server} package), on a free loopback port with its
 * files in a temporary directory: started by {@link #start}, stopped and restarted on the same port and directory by
 * {@link #stop} and {@link #restart}, and removed with its directory by {@link #close}. Without the binary the calling
 * test is skipped, with a message on stderr too.
 */
public final class RedisServer implements AutoCloseable {
  private static final String INSTALL = "redis-server not found (install it: apt-get install redis-server, or set "
      + "REDIS_SERVER to its path); skipping the Redis tests";

  private final Path binary;
  private final Path dir;
  private final int port;
  private final boolean appendOnly;
  private Process process;

  private RedisServer(Path binary, Path dir, int port, boolean appendOnly) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.appendOnly = appendOnly;
  }

  /** The binary: {@code $REDIS_SERVER}, else {@code redis-server} on the PATH or in /usr/bin; null when none. */
  static Path binary() {
    String env = System.getenv("REDIS_SERVER");
    List<Path> candidates = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    for (String d : String.valueOf(System.getenv("PATH")).split(java.io.File.pathSeparator)) {
      if (!d.isEmpty()) {
        candidates.add(Path.of(d, "redis-server"));
      }
    }
    candidates.add(Path.of("/usr/bin/redis-server"));
    return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }

  /**
   * Starts a server, or skips the calling test when there is no binary.
   *
   * @param appendOnly keep an append-only file, so a restart keeps the data
   */
  public static RedisServer start(boolean appendOnly) {
    Path binary = binary();
    if (binary == null) {
      System.err.println(INSTALL);
      Assumptions.assumeTrue(false, INSTALL);
    }
    try {
      Path dir = Files.createTempDirectory("redis-test");
      RedisServer server = new RedisServer(binary, dir, freePort(), appendOnly);
      server.launch();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void launch() {
    try {
      process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--dir", dir.toString(), "--daemonize", "no")
          .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (true) {
        try {
          if (command("PING").equals("PONG")) {
            return;
          }
        } catch (IOException notYet) {
          if (!process.isAlive() || System.nanoTime() > deadline) {
            String log = Files.exists(dir.resolve("redis.log")) ? Files.readString(dir.resolve("redis.log")) : "";
            stopProcess(true);
            throw new IllegalStateException("redis-server did not start on port " + port + ": " + log);
          }
          Thread.sleep(20);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * Sends one command and returns its reply as text: a status or error line, an integer, or a bulk string (empty for
   * nil). Enough for PING, FLUSHALL, INFO, PTTL and the like.
   */
  public String command(String... args) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5_000);
      StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        out.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      }
      OutputStream o = s.getOutputStream();
      o.write(out.toString().getBytes(StandardCharsets.UTF_8));
      o.flush();
      InputStream in = s.getInputStream();
      String line = line(in);
      if (line.startsWith("$")) {
        int n = Integer.parseInt(line.substring(1));
        if (n < 0) {
          return "";
        }
        byte[] b = in.readNBytes(n + 2);
        return new String(b, 0, n, StandardCharsets.UTF_8);
      }
      return line.substring(1);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  /** Deletes every key. */
  public void flush() {
    try {
      command("FLUSHALL");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL); its directory stays for {@link #restart}. */
  public void stop() {
    stopProcess(false);
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as a stalled server does. */
  public void pause() {
    signal("STOP");
  }

  /** Lets a paused server go on (SIGCONT). */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      int code = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
      if (code != 0) {
        throw new IllegalStateException("kill -" + name + " exited " + code);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts the server again on the same port and directory. */
  public void restart() {
    launch();
  }

  private void stopProcess(boolean kill) {
    if (process == null) {
      return;
    }
    if (kill) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      resume(); // a paused server would not stop on SIGTERM
    }
    stopProcess(false);
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
