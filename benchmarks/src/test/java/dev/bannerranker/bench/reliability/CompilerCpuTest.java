package dev.bannerranker.bench.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JIT compiler threads' CPU time, from a made-up {@code /proc/PID/task} tree and from this JVM's own. */
class CompilerCpuTest {
  @TempDir Path tasks;

  private void thread(int tid, String comm, long ranNanos, long waitedNanos) throws IOException {
    Path t = Files.createDirectories(tasks.resolve(Integer.toString(tid)));
    Files.writeString(t.resolve("comm"), comm + "\n");
    Files.writeString(t.resolve("schedstat"), ranNanos + " " + waitedNanos + " 42\n");
  }

  @Test
  void countsOnlyCompilerThreadsRunningOrWaitingAndKeepsTheTimeOfThoseThatEnded() throws IOException {
    thread(10, "C2 CompilerThre", 1_000, 100);
    thread(11, "C1 CompilerThre", 500, 0);
    thread(12, "rank-1", 9_000_000, 5_000);
    CompilerCpu cpu = CompilerCpu.of(tasks);
    assertNotNull(cpu);
    assertEquals(0, cpu.sinceLast());

    thread(10, "C2 CompilerThre", 4_000, 2_100); // ran 3,000 and waited 2,000 for the CPU
    thread(12, "rank-1", 99_000_000, 9_000);
    thread(13, "C2 CompilerThre", 700, 50); // started since: all of its time counts
    assertEquals(3_000 + 2_000 + 700 + 50, cpu.sinceLast());

    // thread 10 ended: the time it ran before stays counted, and is not taken back
    Files.delete(tasks.resolve("10/comm"));
    Files.delete(tasks.resolve("10/schedstat"));
    Files.delete(tasks.resolve("10"));
    thread(11, "C1 CompilerThre", 800, 0);
    assertEquals(300, cpu.sinceLast());

    // its id given to a new compiler thread: that one's times count from 0, never as a negative difference
    thread(10, "C2 CompilerThre", 200, 10);
    assertEquals(210, cpu.sinceLast());
  }

  @Test
  void nothingToReadIsNull() throws IOException {
    assertNull(CompilerCpu.of(tasks.resolve("absent")), "no such directory");
    thread(12, "rank-1", 9_000, 0);
    assertNull(CompilerCpu.of(tasks), "no compiler thread (an interpreter-only JVM)");
  }

  @Test
  void aMangledSchedstatIsAnErrorNamingTheFile() throws IOException {
    thread(10, "C2 CompilerThre", 1_000, 0);
    CompilerCpu cpu = CompilerCpu.of(tasks);
    Files.writeString(tasks.resolve("10/schedstat"), "1000\n"); // no waiting time
    IOException e = assertThrows(IOException.class, cpu::sinceLast);
    assertTrue(e.getMessage().contains("10/schedstat"), e.getMessage());
  }

  @Test
  void thisJvmsCompilerRunsWhileNewCodeGetsHot() throws IOException {
    Path self = Path.of("/proc/self/task");
    assumeTrue(Files.isDirectory(self) && Files.exists(self.getParent().resolve("schedstat")),
        "no /proc/self/task with schedstat (not Linux): skipped");
    CompilerCpu cpu = CompilerCpu.of(self);
    assertNotNull(cpu, "this JVM runs with its JIT compiler");
    long total = 0;
    long sum = 0;
    // this loop gets hot enough for C1 and C2 to compile it (on-stack replacement), on their own threads
    for (int round = 0; round < 200 && total == 0; round++) {
      for (int i = 0; i < 200_000; i++) {
        sum += Long.toString(sum ^ i).hashCode();
      }
      total += cpu.sinceLast();
    }
    assertTrue(total > 0, "the compiler threads ran (sum " + sum + ")");
  }
}
