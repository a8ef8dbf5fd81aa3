package dev.bannerranker.trainer.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final long MS = 1_000_000L;

  private static List<String> run(long steps, long nanosPerStep, String unit) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicLong clock = new AtomicLong(123 * MS);
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = Progress.start(Progress.Style.LINES, "task", steps, unit, out, clock::get)) {
      for (long i = 0; i < steps; i++) {
        clock.addAndGet(nanosPerStep);
        p.step();
      }
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertFalse(text.contains("\r"), "plain lines, no redrawn frames");
    return text.lines().toList();
  }

  /** 100,000 steps over 100 s: a line per 5 s and one at the end, not a frame per step. */
  @Test
  void withoutATerminalALineEveryFewSecondsAtMost() {
    List<String> lines = run(100_000, MS, "batches");
    assertTrue(lines.size() <= 100 / Progress.LINE_INTERVAL_SECONDS + 1, lines.size() + " lines");
    assertTrue(lines.size() >= 100 / Progress.LINE_INTERVAL_SECONDS - 1, "still shows progress: " + lines);
    assertTrue(lines.get(0).contains("100,000"), lines.get(0));
  }

  @Test
  void aQuickTaskPrintsOneLine() {
    assertEquals(1, run(1000, 1000, "batches").size());
    assertEquals(1, run(100, MS, null).size());
  }

  @Test
  void aSharedTaskCountsStepsFromSeveralThreads() throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicLong clock = new AtomicLong();
    Progress p = Progress.start(Progress.Style.LINES, "shared", 0, "batches",
        new PrintStream(bytes, true, StandardCharsets.UTF_8), clock::get);
    Thread[] threads = new Thread[2];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        p.addToMax(10_000);
        for (int i = 0; i < 10_000; i++) {
          p.step();
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    clock.addAndGet(10_000 * MS);
    p.close();
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("20,000"), "no step lost: " + lines.get(0));
  }

  @Test
  void theStyleFollowsTheProperty() {
    String old = System.getProperty(Progress.STYLE_PROPERTY);
    try {
      System.setProperty(Progress.STYLE_PROPERTY, "lines");
      assertEquals(Progress.Style.LINES, Progress.style());
      System.setProperty(Progress.STYLE_PROPERTY, "none");
      assertEquals(Progress.Style.NONE, Progress.style());
      System.setProperty(Progress.STYLE_PROPERTY, "bar");
      assertEquals(Progress.Style.BAR, Progress.style());
      System.clearProperty(Progress.STYLE_PROPERTY);
      assertEquals(System.console() == null ? Progress.Style.LINES : Progress.Style.BAR, Progress.style());
    } finally {
      if (old == null) {
        System.clearProperty(Progress.STYLE_PROPERTY);
      } else {
        System.setProperty(Progress.STYLE_PROPERTY, old);
      }
    }
  }
}
