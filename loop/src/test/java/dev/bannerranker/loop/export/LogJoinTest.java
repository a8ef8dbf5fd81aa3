package dev.bannerranker.loop.export;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.cli.ExitCodes;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.RowProblem;
import dev.bannerranker.loop.LoopCli;
import dev.bannerranker.servinglog.ClickRecord;
import dev.bannerranker.servinglog.ConversionRecord;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import dev.bannerranker.servinglog.ImpressionRecord;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ProductEventRecord;
import dev.bannerranker.servinglog.ProfileRecord;
import dev.bannerranker.servinglog.ServingLogCodec;
import dev.bannerranker.servinglog.ServingLogFiles;
import dev.bannerranker.servinglog.StartRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LogJoinTest {
  @TempDir Path tmp;

  static final Instant T0 = Instant.parse("2026-03-16T10:00:00Z");
  static final String CATALOG = "catalog/banners-0123456789abcdef.csv";
  static final LogJoin.Options DEFAULT = new LogJoin.Options(null, null, Duration.ofMinutes(30), 0.0);

  static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  /** A log dir with the catalog snapshot, two known users and one file of the given records. */
  static Path logDir(Path root, List<LogRecord> records) throws IOException {
    Path dir = Files.createDirectories(root.resolve("logs"));
    Files.createDirectories(dir.resolve("catalog"));
    Files.writeString(dir.resolve(CATALOG), String.join(",", CsvSchemas.BANNERS_HEADER) + "\n"
        + "bn-1,Velora,dresses,home_hero,image,light,10,cmp-1,2,2026-03-02T00:00:00Z,2026-04-20T00:00:00Z,1.5,3,,,\n"
        + "bn-2,Orvik,shoes,home_hero,video,dark,0,cmp-2,3,2026-03-02T00:00:00Z,2026-04-20T00:00:00Z,0.8,1,,,\n");
    List<LogRecord> all = new ArrayList<>();
    all.add(new StartRecord(at(-10), "test", CATALOG));
    all.add(new ProfileRecord(at(-5), "u-1", "F", "25-34", 1));
    all.add(new ProfileRecord(at(-5), "u-2", "M", "35-44", 2));
    all.addAll(records);
    StringBuilder text = new StringBuilder();
    for (LogRecord r : all) {
      text.append(ServingLogCodec.encode(r)).append('\n');
    }
    Files.writeString(dir.resolve(ServingLogFiles.logFileName(T0, 1)), text.toString());
    return dir;
  }

  static DecisionRecord decision(long t, String request, String user, String... banners) {
    List<LoggedBanner> list = new ArrayList<>();
    for (int i = 0; i < banners.length; i++) {
      list.add(new LoggedBanner(banners[i], i + 1, 0.1, 0.05, "MODEL", i == 0 ? 0.8 : 1.0));
    }
    return new DecisionRecord(at(t), request, user, "home_hero", "web", "control", "v1", CATALOG, "personalized",
        "epsilon_greedy", banners.length, list);
  }

  static ImpressionRecord impression(long t, String user, String banner, String request, Integer slot) {
    return new ImpressionRecord(at(t), user, banner, request, slot);
  }

  static ClickRecord click(long t, String user, String banner, String request) {
    return new ClickRecord(at(t), user, banner, request);
  }

  static ConversionRecord conversion(long t, String user, String banner, String request) {
    return new ConversionRecord(at(t), user, banner, request);
  }

  @SuppressWarnings("unchecked")
  static long count(LogJoin.Joined j, String group, String key) {
    return ((Number) ((Map<String, Object>) j.counts().get(group)).get(key)).longValue();
  }

  @Test
  void aClickJoinsTheLatestImpressionInTheWindowPreferringTheSameRequest() throws IOException {
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1", "bn-2"),
        impression(1, "u-1", "bn-1", "r1", 1),
        decision(60, "r2", "u-1", "bn-1"),
        impression(61, "u-1", "bn-1", "r2", 1),
        click(120, "u-1", "bn-1", "r1"), // the older impression, by its request id
        decision(200, "r3", "u-2", "bn-2"),
        impression(201, "u-2", "bn-2", "r3", 1),
        decision(300, "r4", "u-2", "bn-2"),
        impression(301, "u-2", "bn-2", "r4", 1),
        click(400, "u-2", "bn-2", null))); // no request id: the latest impression
    LogJoin.Joined j = LogJoin.join(dir, DEFAULT);
    List<Impression> imps = j.impressions();
    assertEquals(4, imps.size());
    assertTrue(imps.get(0).clicked(), "r1's impression");
    assertFalse(imps.get(1).clicked(), "r2's impression");
    assertFalse(imps.get(2).clicked(), "r3's impression");
    assertTrue(imps.get(3).clicked(), "r4's impression, the latest");
    assertEquals(1, count(j, "clicks", "joined_by_request_id"));
    assertEquals(1, count(j, "clicks", "joined_by_time"));
    assertEquals("r1", imps.get(0).requestId());
    assertEquals(0.8, imps.get(0).propensity(), "the decision's propensity of the banner at its slot");
  }

  @Test
  void aClickWithAnUnknownRequestIdStillJoinsTheLatestImpressionInTheWindow() throws IOException {
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1"),
        impression(1, "u-1", "bn-1", "r1", 1),
        click(30, "u-1", "bn-1", "r-unknown")));
    LogJoin.Joined j = LogJoin.join(dir, DEFAULT);
    assertTrue(j.impressions().get(0).clicked());
    assertEquals(1, count(j, "clicks", "joined_by_time"));
  }

  @Test
  void duplicateRecordsAndRepeatedClicksCountOnce() throws IOException {
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1"),
        decision(0, "r1", "u-1", "bn-1"), // the same decision logged twice
        impression(1, "u-1", "bn-1", "r1", 1),
        impression(1, "u-1", "bn-1", "r1", 1), // a retried RecordEvents
        click(5, "u-1", "bn-1", "r1"),
        click(5, "u-1", "bn-1", "r1"), // the same click again
        click(9, "u-1", "bn-1", "r1"), // a second click on the same impression
        new ProductEventRecord(at(2), "u-1", "view", "Velora", "dresses", 2, 12.5),
        new ProductEventRecord(at(2), "u-1", "view", "Velora", "dresses", 2, 12.5)));
    LogJoin.Joined j = LogJoin.join(dir, DEFAULT);
    assertEquals(1, j.impressions().size());
    assertTrue(j.impressions().get(0).clicked());
    assertEquals(1, j.decisions().size());
    assertEquals(1, j.events().size());
    assertEquals(4, count(j, "read", "duplicate_records"));
    assertEquals(1, count(j, "clicks", "duplicate"));
    assertEquals(1, count(j, "clicks", "joined_by_request_id"));
  }

  @Test
  void aClickWithoutImpressionIsReportedNotInvented() throws IOException {
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1"),
        impression(1, "u-1", "bn-1", "r1", 1),
        click(10, "u-1", "bn-2", "r1"), // line 6: bn-2 was never shown to u-1
        click(11, "u-2", "bn-1", null), // line 7: nor bn-1 to u-2
        click(0, "u-1", "bn-1", null))); // line 8: before the impression
    LogJoin.Joined j = LogJoin.join(dir, DEFAULT);
    assertEquals(1, j.impressions().size(), "no impression is made up");
    assertFalse(j.impressions().get(0).clicked());
    assertEquals(3, count(j, "clicks", "without_impression"));
    List<Long> lines = j.joinProblems().stream().map(RowProblem::line).sorted().toList();
    assertEquals(List.of(6L, 7L, 8L), lines);
    assertTrue(j.joinProblems().stream().allMatch(p -> p.file().startsWith("serving-")));
  }

  @Test
  void aLateClickOutsideTheWindowIsReported() throws IOException {
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1"),
        impression(1, "u-1", "bn-1", "r1", 1),
        click(1 + 30 * 60 + 1, "u-1", "bn-1", "r1"))); // line 6: one second past the window
    LogJoin.Joined j = LogJoin.join(dir, DEFAULT);
    assertFalse(j.impressions().get(0).clicked());
    assertEquals(1, count(j, "clicks", "late"));
    assertEquals(0, count(j, "clicks", "without_impression"));
    assertEquals(6, j.joinProblems().get(0).line());
    // a longer window takes it
    LogJoin.Joined wide = LogJoin.join(dir, new LogJoin.Options(null, null, Duration.ofHours(1), 0.0));
    assertTrue(wide.impressions().get(0).clicked());
  }

  @Test
  void aClickJustAfterUntilStillJoinsAnImpressionInsideTheRange() throws IOException {
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1"),
        impression(50, "u-1", "bn-1", "r1", 1),
        click(150, "u-1", "bn-1", "r1"),
        impression(200, "u-1", "bn-2", null, 1))); // after --until: not exported
    LogJoin.Joined j = LogJoin.join(dir, new LogJoin.Options(at(0), at(100), Duration.ofMinutes(30), 0.0));
    assertEquals(1, j.impressions().size());
    assertTrue(j.impressions().get(0).clicked());
  }

  @Test
  void exportWritesTablesThatTrainReadsAsTheyAre() throws IOException {
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1", "bn-2"),
        new ProductEventRecord(at(-1), "u-1", "view", "Velora", "dresses", null, null),
        impression(1, "u-1", "bn-1", "r1", 1),
        impression(1, "u-1", "bn-2", "r1", null), // slot from the decision
        click(4, "u-1", "bn-1", "r1"),
        impression(3, "u-9", "bn-1", null, 1))); // u-9 has no profile: skipped and counted
    Path out = tmp.resolve("data");
    int code = run("logs", "export", "--logs", dir.toString(), "--out", out.toString());
    assertEquals(0, code);
    EventLog log = EventLogReader.read(out, 0.0);
    assertEquals(2, log.banners().size());
    assertEquals(2, log.users().size());
    assertEquals(1, log.events().size());
    assertEquals(2, log.impressions().size());
    assertEquals(2, log.impressions().get(1).slotPosition());
    assertEquals(1, log.impressions().stream().filter(Impression::clicked).count());
    assertEquals(0, log.problems().badRows());
    String report = Files.readString(out.resolve(ExportWriter.REPORT_FILE));
    assertTrue(report.contains("\"user_without_profile\" : 1"), report);
    // A log without conversion records (a client that sends none, or a log from before conversions) has no
    // conversion labels: no converted column, rather than one saying nothing converted.
    assertFalse(log.conversions());
    assertFalse(Files.readAllLines(out.resolve(CsvSchemas.IMPRESSIONS_FILE)).get(0).contains(CsvSchemas.CONVERTED));
  }

  @Test
  void aConversionMarksTheClickedImpressionItFollowsWithinTheConversionWindow() throws IOException {
    long day = 86_400;
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1", "bn-2"),
        impression(1, "u-1", "bn-1", "r1", 1),
        impression(1, "u-1", "bn-2", "r1", 2),
        click(5, "u-1", "bn-1", "r1"),
        conversion(605, "u-1", "bn-1", "r1"), // by its request id
        conversion(700, "u-1", "bn-2", "r1"), // line 9: shown, never clicked
        decision(1000, "r2", "u-2", "bn-1"),
        impression(1001, "u-2", "bn-1", "r2", 1),
        click(1003, "u-2", "bn-1", "r2"),
        conversion(1003 + 7 * day + 1, "u-2", "bn-1", "r2"), // line 13: one second past the window
        conversion(610, "u-1", "bn-1", null), // the same click converting again counts once
        decision(2000, "r3", "u-1", "bn-1"),
        impression(2001, "u-1", "bn-1", "r3", 1),
        click(2002, "u-1", "bn-1", null),
        conversion(3000, "u-1", "bn-1", null), // no request id: the latest click, r3's
        conversion(3100, "u-2", "bn-2", null))); // line 19: u-2 never clicked bn-2
    LogJoin.Joined j = LogJoin.join(dir, DEFAULT);
    assertTrue(j.conversions());
    List<Impression> imps = j.impressions();
    assertEquals(4, imps.size());
    assertEquals(List.of(true, false, false, true), imps.stream().map(Impression::converted).toList(),
        "r1's bn-1, r1's bn-2, r2's bn-1, r3's bn-1");
    assertEquals(1, count(j, "conversions", "joined_by_request_id"));
    assertEquals(1, count(j, "conversions", "joined_by_time"));
    assertEquals(1, count(j, "conversions", "duplicate"));
    assertEquals(2, count(j, "conversions", "without_click"));
    assertEquals(1, count(j, "conversions", "late"));
    assertEquals(2, count(j, "impressions", "converted"));
    assertEquals(List.of(9L, 13L, 19L), j.joinProblems().stream().map(RowProblem::line).sorted().toList());
    // a longer conversion window takes the late one
    LogJoin.Joined wide = LogJoin.join(dir, new LogJoin.Options(null, null, Duration.ofMinutes(30),
        Duration.ofDays(8), 0.0));
    assertTrue(wide.impressions().get(2).converted());
    assertEquals(0, count(wide, "conversions", "late"));
  }

  @Test
  void aConversionAfterUntilStillMarksAClickedImpressionInsideTheRange() throws IOException {
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1"),
        impression(50, "u-1", "bn-1", "r1", 1),
        click(150, "u-1", "bn-1", "r1"), // after --until, inside the attribution window
        conversion(150 + 3600, "u-1", "bn-1", "r1"),
        conversion(100 + 30 * 60 + 86_400 + 1, "u-1", "bn-1", "r1"))); // past until + both windows
    LogJoin.Joined j = LogJoin.join(dir, new LogJoin.Options(at(0), at(100), Duration.ofMinutes(30),
        Duration.ofDays(1), 0.0));
    assertEquals(1, j.impressions().size());
    assertTrue(j.impressions().get(0).converted());
    assertEquals(1, count(j, "conversions", "read"));
    assertEquals(1, count(j, "read", "outside_time_range"));
  }

  @Test
  void exportWritesTheConvertedColumnThatTrainReads() throws IOException {
    Path dir = logDir(tmp, List.of(
        decision(0, "r1", "u-1", "bn-1", "bn-2"),
        impression(1, "u-1", "bn-1", "r1", 1),
        impression(1, "u-1", "bn-2", "r1", 2),
        click(4, "u-1", "bn-1", "r1"),
        click(6, "u-1", "bn-2", "r1"),
        conversion(1000, "u-1", "bn-1", "r1"),
        conversion(2 * 86_400, "u-1", "bn-2", "r1"))); // two days later: past --conversion-window 1d
    Path out = tmp.resolve("data");
    StringWriter stdout = new StringWriter();
    CommandLine cl = LoopCli.commandLine();
    cl.setOut(new PrintWriter(stdout));
    cl.setErr(new PrintWriter(new StringWriter()));
    assertEquals(0, cl.execute("logs", "export", "--logs", dir.toString(), "--out", out.toString(),
        "--conversion-window", "1d"));
    String header = Files.readAllLines(out.resolve(CsvSchemas.IMPRESSIONS_FILE)).get(0);
    assertEquals("impression_id,user_id,timestamp,banner_id,placement,slot_position,platform,clicked,converted,"
        + "request_id,propensity", header);
    EventLog log = EventLogReader.read(out, 0.0);
    assertTrue(log.conversions(), "train --objective click+conversion finds its column");
    assertEquals(0, log.problems().badRows());
    assertEquals(List.of(true, false), log.impressions().stream().map(Impression::converted).toList());
    assertEquals(List.of(true, true), log.impressions().stream().map(Impression::clicked).toList());
    var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve(ExportWriter.REPORT_FILE)
        .toFile());
    assertEquals(86_400, report.path("conversion_window_seconds").asLong());
    assertEquals(1, report.path("conversions").path("late").asLong());
    assertTrue(report.path("join_problems").get(0).asText().startsWith(ServingLogFiles.logFileName(T0, 1) + ":10"),
        report.path("join_problems").toString());
    assertTrue(stdout.toString().contains("conversions:"), stdout.toString());
  }

  @Test
  void tornAndBadLinesAreReportedWithFileAndLineAndFailPastTheLimit() throws IOException {
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      records.add(decision(i * 10, "r" + i, "u-1", "bn-1"));
      records.add(impression(i * 10 + 1, "u-1", "bn-1", "r" + i, 1));
    }
    Path dir = logDir(tmp, records);
    Path file = dir.resolve(ServingLogFiles.logFileName(T0, 1));
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(10, "{\"type\":\"impression\",\"time\":\"not a time\"}"); // line 11: r3's impression
    Files.writeString(file, String.join("\n", lines) + "\n");
    // a second file whose writer was killed mid-line
    Path second = dir.resolve(ServingLogFiles.logFileName(T0.plusSeconds(3600), 2));
    Files.writeString(second, ServingLogCodec.encode(decision(500, "r99", "u-2", "bn-2")) + "\n"
        + ServingLogCodec.encode(impression(501, "u-2", "bn-2", "r99", 1)).substring(0, 30), StandardCharsets.UTF_8);

    Path out = tmp.resolve("data");
    assertEquals(0, run("logs", "export", "--logs", dir.toString(), "--out", out.toString(),
        "--max-bad-fraction", "0.05"));
    String report = Files.readString(out.resolve(ExportWriter.REPORT_FILE));
    assertTrue(report.contains(file.getFileName() + ":11:"), report);
    assertTrue(report.contains(second.getFileName() + ":2:"), report);
    EventLog log = EventLogReader.read(out, 0.0);
    assertEquals(19, log.impressions().size(), "the bad line's impression is lost, the torn one too");

    StringWriter err = new StringWriter();
    int code = run(err, "logs", "export", "--logs", dir.toString(), "--out", tmp.resolve("data2").toString(),
        "--max-bad-fraction", "0.01");
    assertEquals(ExitCodes.BAD_DATA, code);
    assertTrue(err.toString().contains(file.getFileName() + ":11"), err.toString());
  }

  @Test
  void badOptionsAreUsageErrors() throws IOException {
    Path dir = logDir(tmp, List.of());
    assertEquals(ExitCodes.USAGE, run("logs", "export", "--logs", dir.toString(), "--out", tmp.resolve("o").toString(),
        "--attribution-window", "soon"));
    assertEquals(ExitCodes.USAGE, run("logs", "export", "--logs", dir.toString(), "--out", tmp.resolve("o").toString(),
        "--conversion-window", "0s"));
    assertEquals(ExitCodes.USAGE, run("logs", "export", "--logs", dir.toString(), "--out", tmp.resolve("o").toString(),
        "--conversion-window", "a week"));
    assertEquals(ExitCodes.USAGE, run("logs", "export", "--logs", dir.toString(), "--out", tmp.resolve("o").toString(),
        "--since", "2026-03-17", "--until", "2026-03-16"));
    assertEquals(ExitCodes.USAGE, run("logs", "export", "--logs", tmp.resolve("none").toString(), "--out",
        tmp.resolve("o").toString()));
  }

  @Test
  void aMissingCatalogSnapshotIsBadData() throws IOException {
    Path dir = logDir(tmp, List.of(decision(0, "r1", "u-1", "bn-1")));
    Files.delete(dir.resolve(CATALOG));
    assertEquals(ExitCodes.BAD_DATA, run("logs", "export", "--logs", dir.toString(), "--out",
        tmp.resolve("o").toString()));
  }

  static int run(String... args) {
    return run(new StringWriter(), args);
  }

  static int run(StringWriter err, String... args) {
    CommandLine cl = LoopCli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }
}
