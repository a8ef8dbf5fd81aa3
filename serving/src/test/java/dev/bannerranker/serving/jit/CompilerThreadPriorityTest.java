package dev.bannerranker.serving.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lowers the compiler threads of a real child JVM, started 3 nice levels below this one, with the real
 * {@code renice}, and leaves its other threads alone.
 */
class CompilerThreadPriorityTest {
  private static final int CHILD_NICE = 3;
  private Process child;
  private Path tasks;

  /** The child JVM: idles until its standard input closes (the test ends, or its JVM dies). */
  public static final class Idle {
    public static void main(String[] args) throws IOException {
      System.out.println("ready");
      System.out.flush();
      while (System.in.read() >= 0) {
        // idle
      }
    }
  }

  @BeforeEach
  void startChild() throws IOException {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "skipped: lowering compiler threads needs Linux's /proc");
    String java = ProcessHandle.current().info().command().orElseThrow();
    // A fixed set of compiler threads: the JVM would otherwise start and stop extra ones on a many-core machine.
    child = new ProcessBuilder("nice", "-n", Integer.toString(CHILD_NICE), java, "-Xmx64m",
        "-XX:-UseDynamicNumberOfCompilerThreads", "-cp", System.getProperty("java.class.path"), Idle.class.getName())
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = out.readLine();
    } while (line != null && !line.equals("ready"));
    assertEquals("ready", line, "the child JVM started");
    tasks = Path.of("/proc", Long.toString(child.pid()), "task");
  }

  @AfterEach
  void stopChild() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly();
      child.waitFor();
    }
  }

  @Test
  void lowersToTheProcessNicePlusTheSetting() throws IOException {
    int base = CompilerThreadPriority.nice(tasks.getParent().resolve("stat"));
    assertEquals(Math.min(CompilerThreadPriority.MAX_NICE, CompilerThreadPriority.nice(Path.of("/proc/self/stat"))
        + CHILD_NICE), base, "the child runs below this JVM");
    assumeTrue(base + 2 <= CompilerThreadPriority.MAX_NICE, "skipped: the test runs at nice " + base);
    List<Integer> lowered = new CompilerThreadPriority(tasks, 2, "renice").lowerNow();
    assertFalse(lowered.isEmpty());
    for (int tid : lowered) {
      assertEquals(base + 2, CompilerThreadPriority.nice(tasks.resolve(tid + "/stat")), "thread " + tid);
    }
  }

  @Test
  void stopsWhenReniceLeavesTheThreadsAsTheyWere() throws IOException {
    assertStopsAndChangesNothing("true", "a renice that changes nothing stops it");
  }

  /** With {@code renice} as the command, lowering finds nothing to do, stops, and stays stopped. */
  private void assertStopsAndChangesNothing(String renice, String why) throws IOException {
    Map<Integer, Integer> before = niceByThread();
    CompilerThreadPriority priority = new CompilerThreadPriority(tasks, 5, renice);
    assertEquals(List.of(), priority.lowerNow());
    assertTrue(priority.stopped(), why);
    assertEquals(List.of(), priority.lowerNow());
    assertNiceUnchanged(before);
  }

  @Test
  void lowersTheCompilerThreadsByTheSettingAndNoOtherThread() throws IOException {
    int base = CompilerThreadPriority.nice(tasks.getParent().resolve("stat"));
    int target = Math.min(CompilerThreadPriority.MAX_NICE, base + 5);
    assumeTrue(target > base, "skipped: the test runs at nice " + base + ", no room to lower a thread");
    Map<Integer, Integer> before = niceByThread();
    List<Integer> compilers = CompilerThreadPriority.compilerThreads(tasks);
    assertFalse(compilers.isEmpty(), "a JVM has JIT compiler threads");
    for (int tid : compilers) {
      String name = Files.readString(tasks.resolve(tid + "/comm")).strip();
      assertTrue(name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler"), name);
    }
    assertTrue(before.size() > compilers.size(), "the JVM has threads besides the compilers");

    CompilerThreadPriority priority = new CompilerThreadPriority(tasks, 5, "renice");
    assertEquals(sorted(compilers), sorted(priority.lowerNow()));
    assertNiceAfter(before, compilers, target);
    assertEquals(List.of(), priority.lowerNow(), "the threads lowered once are not lowered again");
  }

  @Test
  void withoutReniceItStopsAndChangesNothing() throws IOException {
    assertStopsAndChangesNothing("/nonexistent/renice", "a missing renice stops it");
  }

  @Test
  void readsTheNiceFieldPastANameWithSpacesAndParentheses(@TempDir Path dir) throws IOException {
    Path stat = dir.resolve("stat");
    Files.writeString(stat, "4242 (C2 (x) Thre) S 1 4242 4242 0 -1 4194624 90 0 0 0 5 1 0 0 20 7 25 0 123 0\n");
    assertEquals(7, CompilerThreadPriority.nice(stat));
    Files.writeString(stat, "4242 (short) S 1\n");
    assertThrows(IOException.class, () -> CompilerThreadPriority.nice(stat));
  }

  private Map<Integer, Integer> niceByThread() throws IOException {
    Map<Integer, Integer> nice = new HashMap<>();
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path thread : (Iterable<Path>) threads::iterator) {
        try {
          nice.put(Integer.parseInt(thread.getFileName().toString()), CompilerThreadPriority.nice(thread.resolve("stat")));
        } catch (IOException gone) {
          // the thread has exited
        }
      }
    }
    return nice;
  }

  private void assertNiceUnchanged(Map<Integer, Integer> before) throws IOException {
    assertNiceAfter(before, List.of(), 0);
  }

  /** The {@code lowered} threads are at {@code target}, every other thread still there at its nice value before. */
  private void assertNiceAfter(Map<Integer, Integer> before, List<Integer> lowered, int target) throws IOException {
    Map<Integer, Integer> after = niceByThread();
    before.forEach((tid, nice) -> {
      if (after.containsKey(tid)) {
        assertEquals(lowered.contains(tid) ? target : nice, after.get(tid), "thread " + tid + "'s nice value");
      }
    });
  }

  private static List<Integer> sorted(List<Integer> tids) {
    return tids.stream().sorted().toList();
  }
}
