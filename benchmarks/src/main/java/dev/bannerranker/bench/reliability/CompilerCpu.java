package dev.bannerranker.bench.reliability;

import dev.bannerranker.serving.jit.CompilerThreadPriority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How much CPU a service's JIT compiler threads want, read from {@code /proc/PID/task/TID/schedstat}: the time they
 * ran and the time they waited, runnable, for a CPU. A warm-up under load lasts until the compiler has settled, since
 * a rate measured while it still takes a share of the core understates the service, and its late compiles stall the
 * measure that follows. The waiting counts too: a compiler whose priority the service has lowered gets little of a
 * busy core, and its queued compiles show as waiting rather than running.
 *
 * <p>The JVM starts and stops compiler threads as its queues grow and drain, so the times are kept per thread: a
 * thread that has ended keeps the times it was last seen with.
 */
final class CompilerCpu {
  private final Path tasks;
  /** Per thread id: nanoseconds ran and waited, as last read. */
  private final Map<Integer, long[]> lastSeen = new HashMap<>();

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

  /**
   * Nanoseconds the compiler threads ran or waited for a CPU since the last call (since creation, at the first).
   */
  long sinceLast() throws IOException {
    long busy = 0;
    for (int tid : CompilerThreadPriority.compilerThreads(tasks)) {
      Path file = tasks.resolve(Integer.toString(tid)).resolve("schedstat");
      String schedstat;
      try {
        schedstat = Files.readString(file, StandardCharsets.US_ASCII);
      } catch (IOException ended) {
        continue; // the thread ended between the listing and the read: it keeps its last times
      }
      long[] now = new long[2];
      try {
        String[] fields = schedstat.strip().split(" ");
        now[0] = Long.parseLong(fields[0]); // on a CPU, ns
        now[1] = Long.parseLong(fields[1]); // runnable, waiting for one, ns
      } catch (RuntimeException e) {
        throw new IOException("no CPU times in " + file, e);
      }
      long[] before = lastSeen.put(tid, now);
      for (int i = 0; i < 2; i++) {
        // a thread id the kernel gave again to a new compiler thread counts from 0
        busy += before == null || now[i] < before[i] ? now[i] : now[i] - before[i];
      }
    }
    return busy;
  }
}
