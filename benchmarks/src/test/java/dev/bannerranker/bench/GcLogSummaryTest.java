package dev.bannerranker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GcLogSummaryTest {
  /** Serial's lines as JDK 17 writes them with -Xlog:gc*; pauses end at 10.1, 10.5, 10.9 and 11.3 s. */
  private static final List<String> LOG = List.of(
      "[9.000s][info ][gc,start       ] GC(0) Pause Young (Allocation Failure)",
      "[9.004s][info ][gc,heap        ] GC(0) DefNew: 100000K(110000K)->5000K(110000K) Eden: 90000K(90000K)->0K(90000K)",
      "[9.004s][info ][gc             ] GC(0) Pause Young (Allocation Failure) 300M->210M(900M) 4.000ms",
      "[10.100s][info ][gc,heap        ] GC(1) DefNew: 95000K(110000K)->6000K(110000K) Eden: 90000K(90000K)->0K(90000K)",
      "[10.100s][info ][gc             ] GC(1) Pause Young (Allocation Failure) 300M->211M(900M) 8.000ms",
      "[10.500s][info ][gc,heap        ] GC(2) DefNew: 96000K(110000K)->7000K(110000K) Eden: 90000K(90000K)->0K(90000K)",
      "[10.500s][info ][gc             ] GC(2) Pause Young (Allocation Failure) 301M->212M(900M) 6.000ms",
      "[10.900s][info ][gc,heap        ] GC(3) DefNew: 97000K(110000K)->8000K(110000K) Eden: 90000K(90000K)->0K(90000K)",
      "[10.900s][info ][gc             ] GC(3) Pause Young (Allocation Failure) 302M->213M(900M) 10.000ms",
      "[11.300s][info ][gc,heap        ] GC(4) DefNew: 98000K(110000K)->9000K(110000K) Eden: 90000K(90000K)->0K(90000K)",
      "[11.300s][info ][gc             ] GC(4) Pause Young (Allocation Failure) 303M->214M(900M) 2.000ms");

  @Test
  void summarisesTheYoungPausesInTheWindow() {
    List<GcLogSummary.Pause> pauses = GcLogSummary.parse(LOG);
    assertEquals(5, pauses.size());
    assertEquals(9.0, pauses.get(0).at(), 1e-9); // the start: the line's time less the pause
    assertEquals(96000, pauses.get(2).youngBeforeKb());
    Map<String, Object> s = GcLogSummary.summarise(pauses, 10.0, 11.5, 1000L);
    assertEquals(4, s.get("young_pauses"));
    assertEquals(6.0, s.get("young_pause_median_ms"));
    assertEquals(10.0, s.get("young_pause_max_ms"));
    assertEquals(8000L, s.get("young_after_median_kb")); // the upper median of 6,000 to 9,000
    // 90,000 KiB filled between each two of the four, whose starts are 1.206 s apart
    assertEquals(3 * 90000.0 / 1024 / 1.206, (double) s.get("allocated_mb_per_s"), 0.01);
    assertEquals(3 * 90000.0 / 1.206 / (1000 / 1.5), (double) s.get("allocated_kb_per_request"), 0.01);
  }

  @TempDir Path dir;

  @Test
  void refusesAFileWithoutPausesAndBadWindows() throws Exception {
    Path notGc = Files.writeString(dir.resolve("app.log"), "12:00:01 INFO started\n");
    assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new GcLogSummary()).execute(notGc.toString()));
    Path gc = Files.writeString(dir.resolve("gc.log"),
        "[2.000s][info][gc] GC(0) Pause Young (Allocation Failure) 300M->20M(1000M) 3.000ms\n");
    assertEquals(0, new CommandLine(new GcLogSummary()).execute(gc.toString()));
    assertEquals(CommandLine.ExitCode.USAGE,
        new CommandLine(new GcLogSummary()).execute(gc.toString(), "--from", "5", "--to", "1"));
    assertEquals(CommandLine.ExitCode.USAGE,
        new CommandLine(new GcLogSummary()).execute(gc.toString(), "--requests", "0"));
  }
}
