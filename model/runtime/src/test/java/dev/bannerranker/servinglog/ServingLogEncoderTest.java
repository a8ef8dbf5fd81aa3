package dev.bannerranker.servinglog;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.RowProblem;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingLogEncoderTest {
  @TempDir Path dir;

  private static final Instant T = Instant.parse("2026-03-15T12:00:00Z");
  /** Quotes, backslash, every kind of control character, DEL, 2-, 3- and 4-byte UTF-8. */
  private static final String NASTY = "q\"b\\s/\b\t\n\f\r\u0000\u0001\u001f\u007f é 中 \uD83D\uDE00 end";

  private static List<LogRecord> oneOfEachEscaped() {
    return List.of(
        new StartRecord(T, NASTY, "catalog/" + NASTY),
        new DecisionRecord(T.plusMillis(7), NASTY, "u-" + NASTY, "home_hero", null, "control", NASTY, null, 12,
            "personalized", "softmax", 3,
            List.of(new LoggedBanner("b-" + NASTY, 1, 0.12, 0.031, NASTY, 0.95, 0.25),
                new LoggedBanner("b-2", 2, -0.5, 0.01, "exploration", 0.25))),
        new DecisionRecord(T.plusMillis(999), null, "u-1", "home_hero", "ios", "treatment", "v1", "c.csv",
            "cold_start", "greedy", 0, List.of()),
        new ImpressionRecord(T.plusSeconds(1), NASTY, NASTY, NASTY, 3),
        new ImpressionRecord(T.plusSeconds(2), "u", "b", null, null),
        new ClickRecord(T.plusSeconds(3), NASTY, NASTY, null),
        new ConversionRecord(T.plusSeconds(4), NASTY, "b", NASTY),
        new ProductEventRecord(T.plusSeconds(5), NASTY, "view", NASTY, NASTY, 4, 0.1),
        new ProductEventRecord(T.plusSeconds(5), "u", "purchase", "", "", null, null),
        new ProfileRecord(T.plusMillis(5001), NASTY, "U", "", 0));
  }

  private Path writeFile(List<LogRecord> records) throws IOException {
    Path file = dir.resolve(ServingLogFiles.logFileName(T, 1));
    ServingLogEncoder e = new ServingLogEncoder(1024);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (LogRecord r : records) {
        e.line(r);
        if (e.size() > 2000) {
          e.writeTo(ch);
        }
      }
      e.writeTo(ch);
    }
    return file;
  }

  private record Read(List<LogRecord> records, List<RowProblem> bad) {}

  private Read read() throws IOException {
    List<LogRecord> records = new ArrayList<>();
    List<RowProblem> bad = new ArrayList<>();
    ServingLogReader.Summary s = ServingLogReader.read(dir, new ServingLogReader.Visitor() {
      @Override
      public void record(LogRecord record, String file, long line) {
        records.add(record);
      }

      @Override
      public void badLine(RowProblem problem) {
        bad.add(problem);
      }
    });
    assertEquals(List.of(), s.tornLines());
    return new Read(records, bad);
  }

  @Test
  void everyRecordTypeWithStringsNeedingEscapesReadsBackThroughTheReader() throws IOException {
    List<LogRecord> sent = oneOfEachEscaped();
    writeFile(sent);
    Read back = read();
    assertEquals(List.of(), back.bad());
    assertEquals(sent, back.records());
  }

  @Test
  void controlCharactersAndSurrogatesAreEscapedAndOtherNonAsciiIsPlainUtf8() {
    String line = ServingLogCodec.encode(new ClickRecord(T, "a\"\\\n\u0001\u001f\u007fé中\uD83D\uDE00", "b", null));
    assertTrue(line.contains("\"user_id\":\"a\\\"\\\\\\n\\u0001\\u001F\u007fé中\\uD83D\\uDE00\""), line);
    assertEquals(1, line.lines().count());
  }

  @Test
  void aLoneSurrogateIsEscapedAndReadsBackAsItWas() {
    ClickRecord c = new ClickRecord(T, "a\uD83Db", "x\uDE00", null);
    String line = ServingLogCodec.encode(c);
    assertTrue(line.contains("a\\uD83Db"), line);
    assertEquals(c, ServingLogCodec.decode(line));
  }

  @Test
  void scoresReadBackAsTheSameFloatAndPropensitiesAsTheSameDouble() {
    SplittableRandom rnd = new SplittableRandom(7);
    ServingLogEncoder e = new ServingLogEncoder();
    for (int i = 0; i < 20_000; i++) {
      float score = Float.intBitsToFloat(rnd.nextInt()); // every exponent, subnormals included
      if (!Float.isFinite(score)) {
        continue;
      }
      float ctr = (float) rnd.nextDouble();
      double propensity = i % 2 == 0 ? rnd.nextDouble() : 1.0 / (1 + rnd.nextInt(1000));
      float cvr = (float) rnd.nextDouble() / 1000;
      e.clear();
      e.line(new DecisionRecord(T, "r", "u", "p", null, "control", "v", null, "personalized", "greedy", 1,
          List.of(new LoggedBanner("b", 1, score, ctr, "personalized", propensity, cvr))));
      LoggedBanner b = ((DecisionRecord) ServingLogCodec.decode(e.text().strip())).banners().get(0);
      assertEquals(score, (float) b.score(), "score " + i);
      assertEquals(ctr, (float) b.predictedCtr());
      assertEquals(propensity, b.propensity());
      assertEquals(cvr, (float) b.predictedCvr());
    }
  }

  @Test
  void aNonFiniteNumberIsWrittenAsAStringWhichTheReaderReportsNamingTheField() throws IOException {
    writeFile(List.of(
        new DecisionRecord(T, "r", "u", "p", null, "control", "v", null, "personalized", "greedy", 1,
            List.of(new LoggedBanner("b", 1, Double.NaN, 0.1, "personalized", 1.0))),
        new DecisionRecord(T, "r", "u", "p", null, "control", "v", null, "personalized", "greedy", 1,
            List.of(new LoggedBanner("b", 1, 0.5, 0.1, "personalized", Double.POSITIVE_INFINITY))),
        new ProductEventRecord(T, "u", "view", "b", "c", null, Double.NEGATIVE_INFINITY),
        new ClickRecord(T, "u", "b", null)));
    String text = Files.readString(dir.resolve(ServingLogFiles.logFileName(T, 1)), StandardCharsets.UTF_8);
    assertTrue(text.contains("\"score\":\"NaN\""), text);
    assertTrue(text.contains("\"propensity\":\"Infinity\""), text);
    assertTrue(text.contains("\"dwell_seconds\":\"-Infinity\""), text);
    Read back = read();
    assertEquals(List.of(new ClickRecord(T, "u", "b", null)), back.records(), "the other lines still read");
    assertEquals(List.of(1L, 2L, 3L), back.bad().stream().map(RowProblem::line).toList());
    assertTrue(back.bad().get(0).reason().contains("banners[0].score"), back.bad().get(0).reason());
    assertTrue(back.bad().get(1).reason().contains("banners[0].propensity"), back.bad().get(1).reason());
    assertTrue(back.bad().get(2).reason().contains("dwell_seconds"), back.bad().get(2).reason());
  }

  @Test
  void aNaNPredictedCvrIsLeftOut() {
    String line = ServingLogCodec.encode(new DecisionRecord(T, "r", "u", "p", null, "control", "v", null,
        "personalized", "greedy", 1, List.of(new LoggedBanner("b", 1, 0.5, 0.1, "personalized", 1.0))));
    assertFalse(line.contains("predicted_cvr"), line);
  }

  @Test
  void timesMatchTheFormatterAcrossSecondsMillisecondsAndYears() {
    ServingLogEncoder e = new ServingLogEncoder();
    List<Instant> times = List.of(T, T.plusMillis(1), T.plusMillis(999), T.plusSeconds(1), T.plusNanos(1_500_000),
        T.plusSeconds(86_400 * 400L), Instant.EPOCH, Instant.EPOCH.minusMillis(1),
        Instant.parse("0001-01-01T00:00:00.010Z"), Instant.parse("9999-12-31T23:59:59.999Z"), T, T);
    for (Instant t : times) {
      e.clear();
      e.line(new ClickRecord(t, "u", "b", null));
      assertTrue(e.text().startsWith("{\"type\":\"click\",\"time\":\"" + ServingLogCodec.formatTime(t) + "\","),
          t + ": " + e.text());
    }
  }

  @Test
  void theDecisionCallsWriteWhatTheRecordDoes() {
    DecisionRecord d = (DecisionRecord) oneOfEachEscaped().get(1);
    ServingLogEncoder byParts = new ServingLogEncoder();
    byParts.decisionStart(d.time(), d.requestId(), d.userId(), d.placement(), d.platform(), d.arm(),
        d.modelVersion(), d.catalog(), d.catalogVersion(), d.path(), d.policy(), d.slotCount());
    for (LoggedBanner b : d.banners()) {
      byParts.banner(b.bannerId(), b.position(), b.score(), b.predictedCtr(), b.reason(), b.propensity(),
          b.predictedCvr());
    }
    byParts.decisionEnd();
    assertEquals(ServingLogCodec.encode(d) + "\n", byParts.text());
  }

  @Test
  void truncateDropsAHalfWrittenRecordAndTheBufferGrowsPastItsStart() {
    ServingLogEncoder e = new ServingLogEncoder(1024);
    e.line(new ClickRecord(T, "u", "b", null));
    int mark = e.size();
    e.line(new ClickRecord(T, "x".repeat(5000), "b", null));
    assertTrue(e.size() > 5000);
    e.truncate(mark);
    assertEquals(ServingLogCodec.encode(new ClickRecord(T, "u", "b", null)) + "\n", e.text());
  }
}
