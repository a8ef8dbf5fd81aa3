package dev.bannerranker.trainer.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress of one task on stderr, made in one place for every command: a redrawn bar on a terminal, and a plain
 * line every {@value #LINE_INTERVAL_SECONDS} s otherwise, because a bar's frames fill a log file (CI, {@code nohup},
 * {@code > run.log 2>&1}) with megabytes of carriage returns. Thread-safe: two trainings may share one.
 */
public abstract class Progress implements AutoCloseable {
  /** How progress is shown. */
  public enum Style { BAR, LINES, NONE }

  /**
   * System property choosing the style: {@code bar}, {@code lines} or {@code none}. {@code bin/ranker} sets it to
   * {@code lines} when stderr is not a terminal; without it the JVM's own test applies ({@link System#console()}).
   */
  public static final String STYLE_PROPERTY = "ranker.progress";
  /** Seconds between two lines in the {@link Style#LINES} style. */
  public static final int LINE_INTERVAL_SECONDS = 5;

  /** The style of this JVM (see {@link #STYLE_PROPERTY}). */
  public static Style style() {
    String v = System.getProperty(STYLE_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "bar": return Style.BAR;
      case "lines": return Style.LINES;
      case "none": return Style.NONE;
      default: return System.console() == null ? Style.LINES : Style.BAR;
    }
  }

  /**
   * Starts showing a task of {@code max} steps, or nothing when {@code show} is false.
   *
   * @param unit what a step is, plural ("batches"), or null for a task counted in percent ({@code max} 100)
   */
  public static Progress start(boolean show, String task, long max, String unit) {
    return start(show ? style() : Style.NONE, task, max, unit, System.err, System::nanoTime);
  }

  static Progress start(Style style, String task, long max, String unit, PrintStream out, LongSupplier nanoClock) {
    switch (style) {
      case BAR: return new Bar(task, max, unit);
      case LINES: return new Lines(task, max, unit, out, nanoClock);
      default: return NONE;
    }
  }

  /** Shows nothing. */
  public static final Progress NONE = new Progress() {
    @Override public void step() {}
    @Override public void stepTo(long n) {}
    @Override public void addToMax(long n) {}
    @Override public void close() {}
  };

  /** One more step done. */
  public abstract void step();

  /** {@code n} steps done in all. */
  public abstract void stepTo(long n);

  /** The task grew by {@code n} steps (a shared task whose users each add their own). */
  public abstract void addToMax(long n);

  /** The task ended: a bar is finished; a line says how long it took. */
  @Override
  public abstract void close();

  /** The redrawn terminal bar. */
  private static final class Bar extends Progress {
    private final ProgressBar bar;

    Bar(String task, long max, String unit) {
      ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500);
      if (unit != null) {
        b.setUnit(" " + unit, 1).showSpeed();
      }
      bar = b.build();
    }

    @Override public void step() {
      bar.step();
    }

    @Override public void stepTo(long n) {
      bar.stepTo(n);
    }

    @Override public synchronized void addToMax(long n) {
      bar.maxHint(Math.max(bar.getMax(), 0) + n);
    }

    @Override public void close() {
      bar.close();
    }
  }

  /** A plain line now and then, for output that is not a terminal. */
  static final class Lines extends Progress {
    private static final long INTERVAL_NANOS = LINE_INTERVAL_SECONDS * 1_000_000_000L;
    private final String task;
    private final String unit;
    private final PrintStream out;
    private final LongSupplier clock;
    private final long start;
    private long lastLine;
    private long max;
    private long done;
    private boolean closed;

    Lines(String task, long max, String unit, PrintStream out, LongSupplier clock) {
      this.task = task;
      this.max = max;
      this.unit = unit;
      this.out = out;
      this.clock = clock;
      this.start = clock.getAsLong();
      this.lastLine = start;
    }

    @Override public synchronized void step() {
      done++;
      maybePrint();
    }

    @Override public synchronized void stepTo(long n) {
      done = n;
      maybePrint();
    }

    @Override public synchronized void addToMax(long n) {
      max += n;
    }

    @Override public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      long elapsed = clock.getAsLong() - start;
      out.println(task + ": done" + (unit == null ? "" : String.format(Locale.ROOT, ", %,d %s", done, unit))
          + " in " + duration(elapsed));
      out.flush();
    }

    private void maybePrint() {
      long now = clock.getAsLong();
      if (now - lastLine < INTERVAL_NANOS || closed) {
        return;
      }
      lastLine = now;
      StringBuilder s = new StringBuilder(task).append(':');
      if (max > 0) {
        s.append(String.format(Locale.ROOT, " %d%%", Math.min(100, 100 * done / max)));
      }
      if (unit != null) {
        s.append(max > 0 ? String.format(Locale.ROOT, " %,d/%,d %s", done, max, unit)
            : String.format(Locale.ROOT, " %,d %s", done, unit));
      }
      long elapsed = now - start;
      s.append(", ").append(duration(elapsed)).append(" elapsed");
      if (done > 0 && max > done) {
        s.append(", ETA ").append(duration((long) ((double) elapsed / done * (max - done))));
      }
      out.println(s);
      out.flush();
    }

    /** h:mm:ss, or m:ss under an hour. */
    static String duration(long nanos) {
      long seconds = Math.round(nanos / 1e9);
      long h = seconds / 3600;
      long m = seconds / 60 % 60;
      long sec = seconds % 60;
      return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }
  }
}
