package dev.bannerranker.bench.reliability;

import dev.bannerranker.serving.jit.CompilerThreadPriority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU time a service's JIT compiler threads have used, read from {@code /proc/PID/task/TID/schedstat}: a warm-up
 * under load lasts until the compiler has settled, since a rate measured while it still takes a share of the core
 * understates the service, and its late compiles stall the measure that follows.
 *
 * <p>The JVM starts and stops compiler threads as its queues grow and drain, so the time is kept per thread: a
 * thread that has ended keeps the time it was last seen with.
 */
final class CompilerCpu {
  private final Path tasks;
  private final Map<Integer, Long> lastSeen = new HashMap<>();

  private CompilerCpu(Path tasks) {
    this.tasks = tasks;
  }

  /** The compiler threads of the process {@code pid}; null when they cannot be read (not Linux, no schedstat). */
  static CompilerCpu of(long pid) {
    return of(Path.of("/proc", Long.toString(pid), "task"));
  }

  /** The compiler threads under a {@code /proc/PID/task} directory; null when they cannot be read. */
  static CompilerCpu of(Path tasks) {
    CompilerCpu cpu = new CompilerCpu(tasks);
    try {
      cpu.sinceLast();
    } catch (IOException unreadable) {
      return null;
    }
    return cpu.lastSeen.isEmpty() ? null : cpu;
  }

  /** Nanoseconds the compiler threads ran since the last call (since creation, at the first). */
  long sinceLast() throws IOException {
    long ran = 0;
    for (int tid : CompilerThreadPriority.compilerThreads(tasks)) {
      String schedstat;
      try {
        schedstat = Files.readString(tasks.resolve(Integer.toString(tid)).resolve("schedstat"),
            StandardCharsets.US_ASCII);
      } catch (IOException ended) {
        continue; // the thread ended between the listing and the read: it keeps its last time
      }
      long now;
      try {
        now = Long.parseLong(schedstat.strip().split(" ")[0]); // on-CPU time, ns
      } catch (NumberFormatException e) {
        throw new IOException("no CPU time in " + tasks.resolve(tid + "/schedstat"), e);
      }
      Long before = lastSeen.put(tid, now);
      ran += now - (before == null ? 0 : before);
    }
    return ran;
  }
}
