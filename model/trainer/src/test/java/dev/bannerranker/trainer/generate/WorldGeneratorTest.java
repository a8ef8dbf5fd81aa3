package dev.bannerranker.trainer.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.CsvSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldGeneratorTest {

  private static final List<String> FILES = List.of(CsvSchemas.BANNERS_FILE, CsvSchemas.USERS_FILE,
      CsvSchemas.EVENTS_FILE, CsvSchemas.IMPRESSIONS_FILE, CsvSchemas.TRUTH_FILE, CsvSchemas.CONVERSION_TRUTH_FILE);

  @TempDir
  Path tmp;

  @Test
  void sameSeedGivesByteIdenticalFiles() throws Exception {
    GenerationSummary a = new WorldGenerator(Scale.TINY, 11).generate(tmp.resolve("a"), null);
    GenerationSummary b = new WorldGenerator(Scale.TINY, 11).generate(tmp.resolve("b"), null);
    assertEquals(a, b);
    for (String file : FILES) {
      assertArrayEquals(sha256(tmp.resolve("a").resolve(file)), sha256(tmp.resolve("b").resolve(file)), file);
    }
  }

  /**
   * The conversions draw from a stream of their own: the tiny world of seed 42 is, but for the impressions' converted
   * column and the conversion truth file, byte for byte the world the generator wrote before it had conversions
   * (SHA-256 of those files as written then), so every figure measured on such worlds still holds.
   */
  @Test
  void conversionsLeaveTheWorldWithoutThemAsItWas() throws Exception {
    Path dir = tmp.resolve("w");
    new WorldGenerator(Scale.TINY, 42).generate(dir, null);
    assertEquals("5c2c27e44138a03cd1ca9cf355329aa396a4486f1ca46b981368d5087592d43c",
        hex(sha256(dir.resolve(CsvSchemas.BANNERS_FILE))));
    assertEquals("e6ae7be5752b5d10b4a5c003b696a4e08afda7c1c1d362cf9891a018663a560b",
        hex(sha256(dir.resolve(CsvSchemas.EVENTS_FILE))));
    assertEquals("2c3a071e11a4948c8162a1ed8f2734cd3f63d77e4175a898e190d6979e9071c4",
        hex(sha256(dir.resolve(CsvSchemas.TRUTH_FILE))));
    // impressions.csv without its last column, converted
    Path imps = dir.resolve(CsvSchemas.IMPRESSIONS_FILE);
    StringBuilder without = new StringBuilder();
    for (String line : Files.readAllLines(imps)) {
      without.append(line, 0, line.lastIndexOf(',')).append('\n');
    }
    Path stripped = tmp.resolve("impressions-without-converted.csv");
    Files.writeString(stripped, without);
    assertEquals("3b9510a566d20788d9c18f188e1a0d43fec0b40185a1075a2b72f6fd9bbeb386", hex(sha256(stripped)));
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }

  @Test
  void generatingTwiceFromOneInstanceGivesTheSameFiles() throws Exception {
    WorldGenerator g = new WorldGenerator(Scale.TINY, 5);
    g.generate(tmp.resolve("a"), null);
    g.generate(tmp.resolve("b"), null);
    for (String file : FILES) {
      assertArrayEquals(sha256(tmp.resolve("a").resolve(file)), sha256(tmp.resolve("b").resolve(file)), file);
    }
  }

  @Test
  void differentSeedGivesDifferentFiles() throws Exception {
    new WorldGenerator(Scale.TINY, 11).generate(tmp.resolve("a"), null);
    new WorldGenerator(Scale.TINY, 12).generate(tmp.resolve("b"), null);
    for (String file : FILES) {
      assertFalse(MessageDigest.isEqual(sha256(tmp.resolve("a").resolve(file)), sha256(tmp.resolve("b").resolve(file))),
          file);
    }
  }

  @Test
  void createsMissingDirectoriesAndReportsProgress() throws Exception {
    WorldGenerator g = new WorldGenerator(Scale.TINY, 3);
    List<Long> calls = new ArrayList<>();
    Path out = tmp.resolve("x").resolve("y");
    GenerationSummary s = g.generate(out, calls::add);
    for (String file : FILES) {
      assertTrue(Files.isRegularFile(out.resolve(file)), file);
    }
    assertFalse(calls.isEmpty());
    assertEquals(s.impressions(), calls.get(calls.size() - 1));
    for (int i = 1; i < calls.size(); i++) {
      assertTrue(calls.get(i) >= calls.get(i - 1));
    }
  }

  @Test
  void expectedImpressionsIsKnownBeforehand() throws Exception {
    WorldGenerator g = new WorldGenerator(Scale.TINY, TinyWorld.SEED);
    long expected = g.expectedImpressions();
    AtomicLong last = new AtomicLong();
    GenerationSummary s = g.generate(tmp, last::set);
    assertEquals(expected, s.impressions());
    assertEquals(expected, last.get());
  }

  @Test
  void summaryCountsMatchScaleAndFiles() throws Exception {
    GenerationSummary s = new WorldGenerator(Scale.TINY, 9).generate(tmp, null);
    assertEquals(Scale.TINY.brands(), s.brands());
    assertEquals(Scale.TINY.categories(), s.categories());
    assertEquals(Scale.TINY.banners(), s.banners());
    assertEquals(Scale.TINY.users(), s.users());
    assertEquals(s.banners() + 1, lines(tmp.resolve(CsvSchemas.BANNERS_FILE)));
    assertEquals(s.users() + 1, lines(tmp.resolve(CsvSchemas.USERS_FILE)));
    assertEquals(s.events() + 1, lines(tmp.resolve(CsvSchemas.EVENTS_FILE)));
    assertEquals(s.impressions() + 1, lines(tmp.resolve(CsvSchemas.IMPRESSIONS_FILE)));
    assertEquals(s.impressions() + 1, lines(tmp.resolve(CsvSchemas.TRUTH_FILE)));
    assertTrue(s.impressions() > 20_000 && s.impressions() < 45_000, "tiny impressions: " + s.impressions());
    assertTrue(s.events() > 5_000, "tiny events: " + s.events());
  }

  @Test
  void demoAndLargeShareTheCatalogAndTheirFirstUsers() {
    World demo = new WorldGenerator(Scale.DEMO, 1).world();
    World large = new WorldGenerator(Scale.LARGE, 1).world();
    assertEquals(demo.catalog.banners.length, large.catalog.banners.length);
    for (int i = 0; i < demo.catalog.banners.length; i++) {
      assertEquals(demo.catalog.banners[i].id, large.catalog.banners[i].id);
      assertEquals(demo.catalog.banners[i].brand, large.catalog.banners[i].brand);
      assertEquals(demo.catalog.banners[i].quality, large.catalog.banners[i].quality);
    }
    for (int u = 0; u < 100; u++) {
      assertEquals(demo.population.brandAffinity(u, 7), large.population.brandAffinity(u, 7));
    }
  }

  @Test
  void parsesScale() {
    assertEquals(Scale.TINY, Scale.parse("tiny"));
    assertEquals(Scale.DEMO, Scale.parse("DEMO"));
    assertEquals(Scale.LARGE, Scale.parse(" large "));
    assertEquals("demo", Scale.DEMO.code());
    assertThrows(IllegalArgumentException.class, () -> Scale.parse("huge"));
    assertThrows(IllegalArgumentException.class, () -> Scale.parse(null));
  }

  @Test
  void roundsProbabilitiesToSixSignificantDigits() {
    assertEquals("0.0123457", Fmt.sixDigits(0.01234567).text());
    assertEquals(0.0123457, Fmt.sixDigits(0.01234567).value());
    assertEquals("0.1", Fmt.sixDigits(0.1).text());
    assertEquals("0.999999", Fmt.sixDigits(0.9999991).text());
    assertEquals("0.000123457", Fmt.sixDigits(0.000123456789).text());
    assertEquals("0.5", Fmt.sixDigits(0.49999999).text());
  }

  @Test
  void formatsTimestamps() {
    Fmt fmt = new Fmt();
    assertEquals("2026-03-02T00:00:00Z", fmt.timestamp(Timeline.START_EPOCH_SECONDS));
    assertEquals("2026-03-02T08:15:30Z", fmt.timestamp(Timeline.START_EPOCH_SECONDS + 8 * 3600 + 15 * 60 + 30));
    assertEquals("2026-02-28T23:00:00Z", fmt.timestamp(Timeline.START_EPOCH_SECONDS - 25 * 3600));
  }

  private static long lines(Path file) throws IOException {
    try (var s = Files.lines(file)) {
      return s.count();
    }
  }

  private static byte[] sha256(Path file) throws IOException, NoSuchAlgorithmException {
    return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
  }
}
