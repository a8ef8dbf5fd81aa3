package dev.bannerranker.serving.log;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.servinglog.ClickRecord;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ServingLogFiles;
import dev.bannerranker.servinglog.ServingLogReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingLogWriterTest {
  @TempDir Path dir;

  static final Instant T = Instant.parse("2026-03-10T12:00:00Z");

  /** A clock the test moves by hand; until opened, the writer thread waits on its first look at it. */
  static final class TestClock extends Clock {
    final AtomicLong millis = new AtomicLong(T.toEpochMilli());
    final CountDownLatch gate;

    TestClock(boolean open) {
      gate = new CountDownLatch(open ? 0 : 1);
    }

    @Override
    public long millis() {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  static LogSettings settings(long maxBytes, Duration maxAge, Duration sync, int queue) {
    return new LogSettings("unused", maxBytes, maxAge, sync, queue);
  }

  static ClickRecord click(int i) {
    return new ClickRecord(T.plusSeconds(i), "u-" + i, "b-" + i, "r-" + i);
  }

  static List<LogRecord> readBack(Path dir) throws IOException {
    List<LogRecord> out = new ArrayList<>();
    ServingLogReader.Summary s = ServingLogReader.read(dir, (r, f, l) -> out.add(r));
    assertEquals(List.of(), s.badLines());
    assertEquals(List.of(), s.tornLines());
    return out;
  }

  @Test
  void rotatesBySizeAndKeepsEveryRecordInOrder() throws IOException {
    int line = click(0).toString().length(); // about a line's size
    ServingLogWriter w = new ServingLogWriter(dir, settings(5L * line, Duration.ofHours(1), Duration.ofSeconds(1),
        1000), new TestClock(true), r -> fail("nothing is dropped"));
    List<LogRecord> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      sent.add(click(i));
      assertTrue(w.offer(click(i)));
    }
    w.close();
    List<Path> files = ServingLogFiles.logFiles(dir);
    assertTrue(files.size() >= 10, "rotated into " + files.size() + " files");
    for (Path f : files) {
      assertTrue(Files.size(f) <= 6L * line + 200, f + " is bounded by the size limit plus one line");
    }
    assertEquals(sent, readBack(dir));
    assertEquals(100, w.written());
  }

  @Test
  void rotatesByAgeAndANewWriterContinuesTheNumbering() throws Exception {
    TestClock clock = new TestClock(true);
    ServingLogWriter w = new ServingLogWriter(dir, settings(1L << 30, Duration.ofMinutes(10), Duration.ofMillis(5),
        100), clock, r -> fail("nothing is dropped"));
    w.offer(click(1));
    waitFor(() -> w.written() == 1);
    clock.millis.addAndGet(Duration.ofMinutes(11).toMillis());
    waitFor(() -> w.currentFile() == null); // closed for its age, without another record
    w.offer(click(2));
    w.close();
    assertEquals(2, ServingLogFiles.logFiles(dir).size());

    ServingLogWriter again = new ServingLogWriter(dir, settings(1L << 30, Duration.ofHours(1), Duration.ofSeconds(1),
        100), new TestClock(true), r -> fail("nothing is dropped"));
    again.offer(click(3));
    again.close();
    List<Path> files = ServingLogFiles.logFiles(dir);
    assertEquals(List.of(1, 2, 3), files.stream().map(ServingLogFiles::sequenceOf).toList());
    assertEquals(List.of(click(1), click(2), click(3)), readBack(dir));
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlocking() throws IOException {
    TestClock clock = new TestClock(false); // the writer thread is held before it takes anything
    AtomicInteger dropped = new AtomicInteger();
    ServingLogWriter w = new ServingLogWriter(dir, settings(1L << 30, Duration.ofHours(1), Duration.ofSeconds(1), 4),
        clock, r -> dropped.incrementAndGet());
    int accepted = 0;
    for (int i = 0; i < 10; i++) {
      accepted += w.offer(click(i)) ? 1 : 0;
    }
    assertEquals(4, accepted);
    assertEquals(6, dropped.get());
    clock.gate.countDown();
    w.close();
    assertEquals(List.of(click(0), click(1), click(2), click(3)), readBack(dir));
    assertFalse(w.offer(click(99)), "a closed writer drops too");
    assertEquals(7, dropped.get());
  }

  @Test
  void linesAreFlushedAndSyncedOnTheIntervalWithoutClosing() throws Exception {
    ServingLogWriter w = new ServingLogWriter(dir, settings(1L << 30, Duration.ofHours(1), Duration.ofMillis(20), 100),
        Clock.systemUTC(), r -> fail("nothing is dropped"));
    try {
      w.offer(click(1));
      waitFor(() -> w.syncs() >= 1);
      assertEquals(List.of(click(1)), readBack(dir), "on disk while the file is still open");
      assertNotNull(w.currentFile());
      long syncs = w.syncs();
      w.offer(click(2));
      waitFor(() -> w.syncs() > syncs);
      assertEquals(List.of(click(1), click(2)), readBack(dir));
      Thread.sleep(100);
      assertEquals(syncs + 1, w.syncs(), "no sync while nothing new was written");
    } finally {
      w.close();
    }
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  static void waitFor(Condition c) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!c.holds()) {
      if (System.nanoTime() > end) {
        fail("condition not reached in 10 s");
      }
      Thread.sleep(2);
    }
  }
}
