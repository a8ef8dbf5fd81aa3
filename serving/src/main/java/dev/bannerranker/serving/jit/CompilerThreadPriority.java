package dev.bannerranker.serving.jit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the JIT compiler threads at a lower CPU priority (a higher nice value) than the rest of the process, once the
 * process has been up for a while. The optimising compiler (C2) takes a core for tens to hundreds of milliseconds per
 * method, and methods keep reaching its thresholds for minutes after start: the paths one call in twenty runs (the
 * writes), logging, the metrics' exposition. On a saturated core such a compile stalls the calls long enough to fill
 * Rank's queue, and the calls are shed. At 10 nice levels below the rest, a late compile runs on the CPU the calls
 * leave idle and, on a saturated core, gets about a tenth of it; the start-up compiles, the ones that make the service
 * fast, run at the process's priority for the first {@code lowerCompilerPriorityAfter}.
 *
 * <p>Linux only: the threads are found by name in {@code /proc/self/task} ({@code C1 CompilerThread0}, ...) and
 * reniced with {@code renice} (util-linux; raising a nice value needs no privilege). The JVM's own
 * {@code -XX:CompilerThreadPriority} would need {@code -XX:ThreadPriorityPolicy=1}, which also resets every Java
 * thread's nice value, warns at start without root, and lowers the compiler from the first second. A compiler thread
 * the JVM starts later inherits the nice value of the compiler thread that starts it; any other is lowered at the next
 * check, every {@link #RECHECK}.
 */
public final class CompilerThreadPriority implements AutoCloseable {
  public static final int MAX_NICE = 19;
  static final Duration RECHECK = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(CompilerThreadPriority.class);
  private static final Path SELF = Path.of("/proc/self/task");

  private final Path tasks;
  private final int by;
  private final String reniceCommand;
  private volatile ScheduledExecutorService timer;
  private volatile boolean stopped;

  /**
   * @param tasks a process's {@code /proc/PID/task} directory
   * @param by nice levels below the process's own (its {@code /proc/PID/stat}), at most {@link #MAX_NICE}
   * @param reniceCommand the program that sets a thread's nice value, {@code renice}
   */
  CompilerThreadPriority(Path tasks, int by, String reniceCommand) {
    this.tasks = tasks;
    this.by = by;
    this.reniceCommand = reniceCommand;
  }

  /**
   * Lowers this process's compiler threads after {@code settings.lowerCompilerPriorityAfter()}, and then every
   * {@link #RECHECK} for threads the JVM has started since. Does nothing when the setting is 0 or outside Linux.
   */
  public static CompilerThreadPriority start(JitSettings settings) {
    CompilerThreadPriority priority = new CompilerThreadPriority(SELF, settings.lowerCompilerPriorityBy(), "renice");
    if (settings.lowerCompilerPriorityBy() == 0) {
      return priority;
    }
    if (!Files.isDirectory(SELF)) {
      LOG.info("No /proc/self/task (not Linux): the JIT compiler threads keep the process's priority");
      return priority;
    }
    priority.schedule(settings.lowerCompilerPriorityAfter());
    return priority;
  }

  private synchronized void schedule(Duration after) {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "jit-priority");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleWithFixedDelay(this::check, after.toMillis(), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void check() {
    try {
      lowerNow();
    } catch (RuntimeException | Error e) {
      LOG.warn("Lowering the JIT compiler threads' priority failed; they keep the process's priority", e);
      stop();
    }
  }

  /**
   * Lowers the compiler threads still above the process's nice value plus {@code by} (at most {@link #MAX_NICE}) to
   * it, and reads their nice values back.
   *
   * @return the threads lowered by this call; empty when there were none to lower, or when it stopped (renice missing
   *     or refused: logged once)
   */
  public synchronized List<Integer> lowerNow() {
    if (stopped) {
      return List.of();
    }
    int target;
    List<Integer> pending = new ArrayList<>();
    try {
      target = Math.min(MAX_NICE, nice(tasks.getParent().resolve("stat")) + by);
      for (int tid : compilerThreads(tasks)) {
        try {
          if (nice(tasks.resolve(Integer.toString(tid)).resolve("stat")) < target) {
            pending.add(tid);
          }
        } catch (IOException gone) {
          // the thread has exited
        }
      }
    } catch (IOException e) {
      LOG.warn("Cannot read {}: the JIT compiler threads keep the process's priority ({})", tasks, e.toString());
      stop();
      return List.of();
    }
    if (pending.isEmpty()) {
      return List.of();
    }
    List<String> command = new ArrayList<>(List.of(reniceCommand, Integer.toString(target), "-p"));
    pending.forEach(tid -> command.add(Integer.toString(tid)));
    String outcome;
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      // A line per thread fits the pipe's buffer: wait first, so that a renice that hangs is cut off.
      boolean exited = process.waitFor(10, TimeUnit.SECONDS);
      if (!exited) {
        process.destroyForcibly().waitFor(1, TimeUnit.SECONDS);
      }
      String output = new String(process.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
      outcome = (exited ? "exit status " + process.exitValue() : "timed out after 10 s") + ": "
          + (output.length() > 200 ? output.substring(0, 200) + "..." : output);
    } catch (IOException e) {
      LOG.warn("Cannot run {} ({}): the JIT compiler threads keep the process's priority", reniceCommand,
          e.getMessage());
      stop();
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
    // Read back rather than trust the exit code: a compiler thread the JVM stopped meanwhile fails renice harmlessly.
    List<Integer> done = new ArrayList<>();
    List<Integer> refused = new ArrayList<>();
    for (int tid : pending) {
      try {
        (nice(tasks.resolve(Integer.toString(tid)).resolve("stat")) == target ? done : refused).add(tid);
      } catch (IOException gone) {
        // the thread has exited
      }
    }
    if (!refused.isEmpty()) {
      LOG.warn("{} left the JIT compiler threads {} above nice {} ({}); they keep the process's priority",
          reniceCommand, refused, target, outcome);
      stop();
    } else if (!done.isEmpty()) {
      LOG.info("JIT compiler threads {} now at nice {}: late compiles yield the CPU to calls "
          + "(ranker.jit.lower-compiler-priority-by)", done, target);
    }
    return done;
  }

  /** The threads of a {@code /proc/PID/task} directory that run the JIT's compilers, by their names. */
  public static List<Integer> compilerThreads(Path tasks) throws IOException {
    List<Integer> found = new ArrayList<>();
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path thread : (Iterable<Path>) threads::iterator) {
        String comm;
        try {
          comm = Files.readString(thread.resolve("comm"), StandardCharsets.UTF_8).strip();
        } catch (IOException gone) {
          continue;
        }
        // Linux keeps 15 characters of a thread's name: "C2 CompilerThread0" reads "C2 CompilerThre".
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")
            || comm.startsWith("JVMCI CompilerT")) {
          found.add(Integer.parseInt(thread.getFileName().toString()));
        }
      }
    }
    return found;
  }

  /** The nice value in a {@code /proc/.../stat} file, its 19th field. */
  static int nice(Path stat) throws IOException {
    String line = Files.readString(stat, StandardCharsets.UTF_8);
    // The name (field 2) is in parentheses and may hold spaces or parentheses itself.
    String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
    try {
      return Integer.parseInt(fields[16]);
    } catch (RuntimeException e) {
      throw new IOException("no nice value in " + stat, e);
    }
  }

  /** Whether checks are scheduled: not when off, or outside Linux. */
  boolean scheduled() {
    return timer != null;
  }

  /** Whether it has given up (or been closed): no check lowers anything any more. */
  boolean stopped() {
    return stopped;
  }

  private void stop() {
    stopped = true;
    ScheduledExecutorService running = timer;
    if (running != null) {
      running.shutdown();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
