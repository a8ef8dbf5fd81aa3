package dev.bannerranker.bench;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.servinglog.ClickRecord;
import dev.bannerranker.servinglog.ConversionRecord;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import dev.bannerranker.servinglog.ImpressionRecord;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ProductEventRecord;
import dev.bannerranker.servinglog.ProfileRecord;
import dev.bannerranker.servinglog.ServingLogEncoder;
import dev.bannerranker.servinglog.StartRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written encoder writes the very bytes the Jackson generator the log had before wrote. */
class ServingLogEncoderParityTest {
  private static final Instant T = Instant.parse("2026-03-15T12:00:00Z");
  private static final String NASTY = "q\"b\\s/\b\t\n\f\r\u0000\u0001\u001f\u007f é 中 \uD83D\uDE00 end";

  private static byte[] jackson(List<LogRecord> records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JacksonLogEncoder j = new JacksonLogEncoder(out)) {
      for (LogRecord r : records) {
        j.line(r);
      }
    }
    return out.toByteArray();
  }

  private static byte[] direct(List<LogRecord> records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ServingLogEncoder e = new ServingLogEncoder(1024);
    for (LogRecord r : records) {
      e.line(r);
    }
    e.writeTo(Channels.newChannel(out));
    return out.toByteArray();
  }

  private static void assertSameBytes(List<LogRecord> records) throws IOException {
    byte[] expected = jackson(records);
    byte[] actual = direct(records);
    if (!java.util.Arrays.equals(expected, actual)) {
      String[] e = new String(expected, java.nio.charset.StandardCharsets.UTF_8).split("\n");
      String[] a = new String(actual, java.nio.charset.StandardCharsets.UTF_8).split("\n");
      for (int i = 0; i < Math.min(e.length, a.length); i++) {
        assertEquals(e[i], a[i], "line " + (i + 1));
      }
      fail("lengths differ: " + expected.length + " bytes against " + actual.length);
    }
  }

  @Test
  void everyRecordTypeIsByteForByteTheJacksonLine() throws IOException {
    assertSameBytes(List.of(
        new StartRecord(T, NASTY, "catalog/banners-0123456789abcdef.csv"),
        new StartRecord(T, null, null),
        new DecisionRecord(T.plusMillis(123), "req-1", NASTY, "home_hero", "web", "control", "v7",
            "catalog/banners-0123456789abcdef.csv", 42, "personalized", "softmax", 2,
            List.of(new LoggedBanner("b-1", 1, 0.12, 0.031, "personalized", 0.95, 0.004),
                new LoggedBanner(NASTY, 2, -0.5, 0.01, "exploration", 0.25),
                new LoggedBanner("b-3", 3, Double.NaN, Double.POSITIVE_INFINITY, "pinned", Double.NEGATIVE_INFINITY,
                    Float.MIN_VALUE))),
        new DecisionRecord(T.plusMillis(999), null, "u-1", "home_hero", null, "treatment", "v1", null,
            "cold_start", "greedy", 0, List.of()),
        new ImpressionRecord(T.plusSeconds(1), "u-1", "b-1", "req-1", 1),
        new ImpressionRecord(T.plusSeconds(1), "u-1", "b-2", null, null),
        new ClickRecord(T.plusSeconds(2), "u-1", NASTY, null),
        new ClickRecord(T.plusSeconds(2), "lone \uD83D high", "lone \uDE00 low", "\uDE00\uD83D"),
        new ConversionRecord(T.plusSeconds(600), "u-1", "b-1", "req-1"),
        new ProductEventRecord(T, "u-1", "view", "Velora", "dresses", 2, 12.5),
        new ProductEventRecord(T, "u-1", "purchase", NASTY, "dresses", null, null),
        new ProductEventRecord(T, "u-1", "view", "b", "c", -3, Double.NaN),
        new ProfileRecord(T, "u-1", "F", "25-34", 1),
        new ProfileRecord(T, "u-2", "U", "", -7),
        new ClickRecord(Instant.parse("+10000-01-01T00:00:00.001Z"), "u", "b", null),
        new ClickRecord(Instant.EPOCH.minusMillis(1), "u", "b", null)));
  }

  @Test
  void numbersAcrossTheirRangeAreTheJacksonDigits() throws IOException {
    SplittableRandom rnd = new SplittableRandom(11);
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      List<LoggedBanner> banners = new ArrayList<>();
      for (int b = 0; b < 4; b++) {
        banners.add(new LoggedBanner("bn-" + rnd.nextInt(400), b + 1, Float.intBitsToFloat(rnd.nextInt()),
            rnd.nextDouble(), "personalized", Double.longBitsToDouble(rnd.nextLong()),
            i % 3 == 0 ? Double.NaN : rnd.nextDouble() * 1e-3));
      }
      records.add(new DecisionRecord(T.plusMillis(rnd.nextInt(10_000_000)), Long.toHexString(rnd.nextLong()),
          "u-" + i, "home_carousel", null, "control", "v", "c", rnd.nextInt(3), "personalized", "greedy",
          rnd.nextInt(-5, 100), banners));
      records.add(new ProductEventRecord(T, "u", "view", "b", "c", rnd.nextInt(5), rnd.nextDouble() * 600));
    }
    assertSameBytes(records);
  }
}
