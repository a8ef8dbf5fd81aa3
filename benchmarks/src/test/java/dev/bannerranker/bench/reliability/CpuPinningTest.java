package dev.bannerranker.bench.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Pinning the services and the load generator to CPUs with {@code taskset}, checked in /proc. */
class CpuPinningTest {

  private static boolean tasksetPresent() {
    return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "taskset")));
  }

  private static String allowed(Path status) throws IOException {
    return Files.readAllLines(status).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
  }

  @Test
  void serverProcessesRunOnTheServiceCpus() throws Exception {
    assumeTrue(tasksetPresent(), "taskset is not installed (util-linux): skipped");
    Process p = new ProcessBuilder(new CpuPinning("0", null).serverCommand(List.of("sleep", "30"))).start();
    try {
      Path status = Path.of("/proc", Long.toString(p.pid()), "status");
      // taskset sets the mask, then execs sleep in the same process
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).startsWith("sleep")
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals("0", allowed(status));
    } finally {
      p.destroyForcibly().waitFor();
    }
    assertEquals(List.of("redis-server", "--port"), CpuPinning.NONE.serverCommand(List.of("redis-server", "--port")));
  }

  @Test
  void theLoadGeneratorMovesWithAllItsThreads() throws Exception {
    assumeTrue(tasksetPresent(), "taskset is not installed (util-linux): skipped");
    Path self = Path.of("/proc/self/status");
    String original = allowed(self);
    try {
      new CpuPinning(null, "0").pinThisProcess();
      try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : tasks.toList()) {
          assertEquals("0", allowed(task.resolve("status")), task.toString());
        }
      }
      String[] inNewThread = new String[1];
      Thread t = new Thread(() -> {
        try {
          inNewThread[0] = allowed(Path.of("/proc/thread-self/status"));
        } catch (IOException e) {
          inNewThread[0] = e.toString();
        }
      });
      t.start();
      t.join();
      assertEquals("0", inNewThread[0], "a thread started later inherits the CPUs");
    } finally {
      new CpuPinning(null, original).pinThisProcess();
    }
    assertEquals(original, allowed(self));
  }

  @Test
  void cpuListsAreChecked() {
    for (String good : List.of("0", "0,2", "0-3", "1,4-5")) {
      assertEquals(good, CpuPinning.checkedList("--service-cpus", good));
    }
    for (String bad : List.of("", "a", "0;reboot", "-1", "0,", "1 2")) {
      assertThrows(IllegalArgumentException.class, () -> CpuPinning.checkedList("--load-cpus", bad), bad);
    }
    assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new Reliability()).execute("--bundle",
        ReliabilityTest.TINY.toString(), "--serving-jar", System.getProperty("java.class.path"), "--service-cpus", "zero",
        "--out", "target/never"));
  }
}
