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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lowers the compiler threads of a real child JVM with the real {@code renice}, and leaves its other threads alone. */
class CompilerThreadPriorityTest {
  private Process child;
  private Path tasks;

  /** The child JVM: idles until the test kills it. */
  public static final class Idle {
    public static void main(String[] args) throws InterruptedException {
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(300_000);
    }
  }

  @BeforeEach
  void startChild() throws IOException {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "skipped: lowering compiler threads needs Linux's /proc");
    String java = ProcessHandle.current().info().command().orElseThrow();
    child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"), Idle.class.getName())
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("ready", out.readLine(), "the child JVM started");
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
    Map<Integer, Integer> after = niceByThread();
    before.forEach((tid, nice) -> {
      if (after.containsKey(tid)) {
        assertEquals(compilers.contains(tid) ? target : nice, after.get(tid), "thread " + tid + "'s nice value");
      }
    });
    assertEquals(List.of(), priority.lowerNow(), "the threads lowered once are not lowered again");
  }

  @Test
  void withoutReniceItStopsAndChangesNothing() throws IOException {
    Map<Integer, Integer> before = niceByThread();
    CompilerThreadPriority priority = new CompilerThreadPriority(tasks, 5, "/nonexistent/renice");
    assertEquals(List.of(), priority.lowerNow());
    assertEquals(List.of(), priority.lowerNow());
    Map<Integer, Integer> after = niceByThread();
    before.forEach((tid, nice) -> {
      if (after.containsKey(tid)) {
        assertEquals(nice, after.get(tid), "thread " + tid + "'s nice value");
      }
    });
  }

  @Test
  void readsTheNiceFieldPastANameWithSpacesAndParentheses(@TempDir Path dir) throws IOException {
    Path stat = dir.resolve("stat");
    Files.writeString(stat, "4242 (C2 (x) Thre) S 1 4242 4242 0 -1 4194624 90 0 0 0 5 1 0 0 20 7 25 0 123 0\n");
    assertEquals(7, CompilerThreadPriority.nice(stat));
    Files.writeString(stat, "4242 (short) S 1\n");
    assertThrows(IOException.class, () -> CompilerThreadPriority.nice(stat));
  }

  @Test
  void settingsDefaultAndRejectOutOfRange() {
    JitSettings defaults = new JitSettings(null, null);
    assertEquals(10, defaults.lowerCompilerPriorityBy());
    assertEquals(Duration.ofSeconds(60), defaults.lowerCompilerPriorityAfter());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> new JitSettings(-1, null));
    assertTrue(negative.getMessage().contains("ranker.jit.lower-compiler-priority-by"), negative.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new JitSettings(20, null));
    IllegalArgumentException after =
        assertThrows(IllegalArgumentException.class, () -> new JitSettings(10, Duration.ofSeconds(-1)));
    assertTrue(after.getMessage().contains("ranker.jit.lower-compiler-priority-after"), after.getMessage());
  }

  private Map<Integer, Integer> niceByThread() throws IOException {
    Map<Integer, Integer> nice = new HashMap<>();
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path thread : (Iterable<Path>) threads::iterator) {
        nice.put(Integer.parseInt(thread.getFileName().toString()), CompilerThreadPriority.nice(thread.resolve("stat")));
      }
    }
    return nice;
  }

  private static List<Integer> sorted(List<Integer> tids) {
    return tids.stream().sorted().toList();
  }
}
