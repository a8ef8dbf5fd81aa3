package dev.bannerranker.servinglog;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.RowProblem;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingLogTest {
  @TempDir Path dir;

  private static final Instant T = Instant.parse("2026-03-15T12:00:00Z");

  private static List<LogRecord> oneOfEach() {
    return List.of(
        new StartRecord(T, "0.1.0", "catalog/banners-0123456789abcdef.csv"),
        new DecisionRecord(T.plusMillis(123), "req-1", "u-1", "home_hero", "web", "control", "v7",
            "catalog/banners-0123456789abcdef.csv", "personalized", "softmax", 2,
            List.of(new LoggedBanner("b-1", 1, 0.12, 0.031, "MODEL", 0.95),
                new LoggedBanner("b-2", 2, -0.5, 0.01, "EXPLORATION", 0.25))),
        new ImpressionRecord(T, "u-1", "b-1", "req-1", 1),
        new ImpressionRecord(T, "u-1", "b-2", null, null),
        new ClickRecord(T, "u-1", "b-1", null),
        new ProductEventRecord(T, "u-1", "view", "Velora", "dresses", 2, 12.5),
        new ProductEventRecord(T, "u-1", "purchase", "Velora", "dresses", null, null),
        new ProfileRecord(T, "u-1", "F", "25-34", 1),
        new ConversionRecord(T.plusSeconds(600), "u-1", "b-1", "req-1"),
        new ConversionRecord(T.plusSeconds(700), "u-1", "b-1", null));
  }

  @Test
  void everyRecordTypeSurvivesARoundTrip() {
    for (LogRecord r : oneOfEach()) {
      assertEquals(r, ServingLogCodec.decode(ServingLogCodec.encode(r)), r.type());
    }
  }

  @Test
  void linesStartWithTheTypeAndCarryMillisecondUtcTimes() {
    String line = ServingLogCodec.encode(oneOfEach().get(1));
    assertTrue(line.startsWith("{\"type\":\"decision\",\"time\":\"2026-03-15T12:00:00.123Z\""), line);
    assertFalse(line.contains("\n"));
    assertTrue(ServingLogCodec.encode(oneOfEach().get(0)).contains("\"time\":\"2026-03-15T12:00:00.000Z\""));
    assertTrue(ServingLogCodec.encode(oneOfEach().get(3)).contains("\"request_id\":null,\"slot_position\":null"));
  }

  @Test
  void aConversionModelsDecisionCarriesEachBannersPredictedCvrAndOldLinesStillRead() {
    DecisionRecord d = new DecisionRecord(T, "req-2", "u-1", "home_hero", "web", "control", "v8",
        "catalog/banners-0123456789abcdef.csv", 4, "personalized", "greedy", 2,
        List.of(new LoggedBanner("b-1", 1, 0.4, 0.031, "personalized", 1.0, 0.2),
            new LoggedBanner("b-2", 2, 0.01, 0.01, "popular_fallback", 1.0)));
    String line = ServingLogCodec.encode(d);
    assertTrue(line.contains("\"propensity\":1.0,\"predicted_cvr\":0.2}"), line);
    assertEquals(1, line.split("predicted_cvr", -1).length - 1, "only the banner that has one: " + line);
    DecisionRecord back = (DecisionRecord) ServingLogCodec.decode(line);
    assertEquals(d, back);
    assertEquals(0.2, back.banners().get(0).predictedCvr());
    assertFalse(back.banners().get(1).hasPredictedCvr());

    String old = "{\"type\":\"decision\",\"time\":\"2026-03-15T12:00:00.000Z\",\"request_id\":\"r\","
        + "\"user_id\":\"u\",\"placement\":\"p\",\"platform\":\"web\",\"arm\":\"control\","
        + "\"model_version\":\"m\",\"catalog\":null,\"path\":\"personalized\",\"policy\":\"greedy\","
        + "\"slot_count\":1,\"banners\":[{\"banner_id\":\"b\",\"position\":1,\"score\":0.1,"
        + "\"predicted_ctr\":0.05,\"reason\":\"personalized\",\"propensity\":1.0}]}";
    assertFalse(((DecisionRecord) ServingLogCodec.decode(old)).banners().get(0).hasPredictedCvr());
    for (String bad : List.of("\"x\"", "1.5", "-0.1")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServingLogCodec.decode(
          old.replace("\"propensity\":1.0}", "\"propensity\":1.0,\"predicted_cvr\":" + bad + "}")));
      assertTrue(e.getMessage().contains("banners[0].predicted_cvr"), e.getMessage());
    }
  }

  @Test
  void aConversionLineCarriesItsBannerAndRequestIdAndNeedsTheBanner() {
    assertEquals("{\"type\":\"conversion\",\"time\":\"2026-03-15T12:10:00.000Z\",\"user_id\":\"u-1\","
        + "\"banner_id\":\"b-1\",\"request_id\":\"req-1\"}", ServingLogCodec.encode(oneOfEach().get(8)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServingLogCodec.decode(
        "{\"type\":\"conversion\",\"time\":\"2026-03-15T12:00:00.000Z\",\"user_id\":\"u\",\"request_id\":\"r\"}"));
    assertTrue(e.getMessage().contains("banner_id"), e.getMessage());
  }

  @Test
  void unknownFieldsAreIgnored() {
    LogRecord r = ServingLogCodec.decode(
        "{\"type\":\"click\",\"time\":\"2026-03-15T12:00:00.000Z\",\"user_id\":\"u\",\"banner_id\":\"b\","
            + "\"request_id\":null,\"added_later\":[1,2]}");
    assertEquals(new ClickRecord(T, "u", "b", null), r);
  }

  @Test
  void aBadLineNamesTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServingLogCodec.decode(
        "{\"type\":\"impression\",\"time\":\"2026-03-15T12:00:00.000Z\",\"user_id\":\"u\",\"banner_id\":7}"));
    assertTrue(e.getMessage().contains("banner_id"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ServingLogCodec.decode(
        "{\"type\":\"decision\",\"time\":\"2026-03-15T12:00:00.000Z\",\"request_id\":\"r\",\"user_id\":\"u\","
            + "\"placement\":\"p\",\"platform\":\"web\",\"arm\":\"a\",\"model_version\":\"m\",\"path\":\"x\","
            + "\"policy\":\"greedy\",\"slot_count\":1,\"banners\":[{\"banner_id\":\"b\",\"position\":1}]}"));
    assertTrue(e.getMessage().contains("banners[0].score"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ServingLogCodec.decode("{\"type\":\"nope\",\"time\":"
        + "\"2026-03-15T12:00:00.000Z\"}"));
    assertTrue(e.getMessage().contains("type"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ServingLogCodec.decode("{\"type\":\"click\",\"time\":"
        + "\"yesterday\"}"));
    assertTrue(e.getMessage().contains("time"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ServingLogCodec.decode("{\"type\":\"cli"));
  }

  private Path writeLog(String name, String content) throws IOException {
    return Files.write(dir.resolve(name), content.getBytes(StandardCharsets.UTF_8));
  }

  private static String lines(List<LogRecord> records) {
    StringBuilder sb = new StringBuilder();
    records.forEach(r -> sb.append(ServingLogCodec.encode(r)).append('\n'));
    return sb.toString();
  }

  private record Collected(List<LogRecord> records, List<String> where, List<RowProblem> bad, List<RowProblem> torn,
      ServingLogReader.Summary summary) {}

  private Collected readAll() throws IOException {
    List<LogRecord> records = new ArrayList<>();
    List<String> where = new ArrayList<>();
    List<RowProblem> bad = new ArrayList<>();
    List<RowProblem> torn = new ArrayList<>();
    ServingLogReader.Summary s = ServingLogReader.read(dir, new ServingLogReader.Visitor() {
      @Override
      public void record(LogRecord record, String file, long line) {
        records.add(record);
        where.add(file + ":" + line);
      }

      @Override
      public void badLine(RowProblem problem) {
        bad.add(problem);
      }

      @Override
      public void tornLine(RowProblem problem) {
        torn.add(problem);
      }
    });
    return new Collected(records, where, bad, torn, s);
  }

  @Test
  void readsFilesInWritingOrderAndSkipsATornLastLine() throws IOException {
    List<LogRecord> all = oneOfEach();
    String first = ServingLogFiles.logFileName(T, 1);
    // The clock stepped back before the second file: order comes from the sequence numbers.
    String second = ServingLogFiles.logFileName(T.minusSeconds(3600), 2);
    String complete = ServingLogCodec.encode(all.get(4));
    writeLog(second, lines(all.subList(5, 8)) + complete.substring(0, complete.length() / 2));
    writeLog(first, lines(all.subList(0, 5)));
    writeLog("notes.txt", "not a log file\n");

    Collected c = readAll();
    assertEquals(all.subList(0, 8), c.records);
    assertEquals(first + ":1", c.where.get(0));
    assertEquals(second + ":3", c.where.get(7));
    assertEquals(List.of(), c.bad);
    assertEquals(1, c.torn.size());
    assertEquals(second, c.torn.get(0).file());
    assertEquals(4, c.torn.get(0).line());
    assertEquals(2, c.summary.files());
    assertEquals(8, c.summary.lines());
    assertEquals(8, c.summary.records());
  }

  @Test
  void aCompleteLastLineWithoutLineBreakIsARecord() throws IOException {
    List<LogRecord> all = oneOfEach();
    writeLog(ServingLogFiles.logFileName(T, 1), lines(all.subList(0, 2)) + ServingLogCodec.encode(all.get(2)));
    Collected c = readAll();
    assertEquals(all.subList(0, 3), c.records);
    assertEquals(List.of(), c.torn);
  }

  @Test
  void aBadLineInTheMiddleIsReportedWithFileAndLineAndReadingGoesOn() throws IOException {
    List<LogRecord> all = oneOfEach();
    String name = ServingLogFiles.logFileName(T, 1);
    Path file = writeLog(name, lines(all.subList(0, 2)) + "{\"type\":\"click\",\"ti\n");
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, '\n'}, StandardOpenOption.APPEND);
    Files.writeString(file, "\n" + lines(all.subList(2, 4)), StandardOpenOption.APPEND);

    Collected c = readAll();
    assertEquals(all.subList(0, 4), c.records);
    assertEquals(List.of(3L, 4L, 5L), c.bad.stream().map(RowProblem::line).toList());
    assertTrue(c.bad.stream().allMatch(p -> p.file().equals(name)));
    assertEquals(List.of(), c.torn);
    assertEquals(7, c.summary.lines());
    assertEquals(3, c.summary.badLines().size());
  }

  @Test
  void catalogSnapshotsAreCopiedOncePerContent() throws IOException {
    Path csv = Files.writeString(dir.resolve("banners.csv"), "banner_id\nb-1\n");
    Path logDir = dir.resolve("log");
    String name = ServingLogFiles.snapshotCatalog(logDir, csv);
    assertTrue(name.matches("catalog/banners-[0-9a-f]{16}\\.csv"), name);
    assertArrayEquals(Files.readAllBytes(csv), Files.readAllBytes(logDir.resolve(name)));
    assertEquals(name, ServingLogFiles.snapshotCatalog(logDir, csv));
    Files.writeString(csv, "banner_id\nb-2\n");
    assertNotEquals(name, ServingLogFiles.snapshotCatalog(logDir, csv));
    try (var s = Files.list(logDir.resolve("catalog"))) {
      assertEquals(2, s.count());
    }
  }

  @Test
  void logFileNamesSortInWritingOrderAndCarryTheirSequence() throws IOException {
    String a = ServingLogFiles.logFileName(T, 9);
    assertEquals("serving-20260315T120000Z-000009.jsonl", a);
    writeLog(a, "");
    writeLog(ServingLogFiles.logFileName(T.plusSeconds(1), 10), "");
    assertEquals(10, ServingLogFiles.lastSequence(dir));
    assertEquals(0, ServingLogFiles.lastSequence(dir.resolve("missing")));
  }
}
