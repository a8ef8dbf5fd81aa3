package dev.bannerranker.research;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The taste-ceiling study end to end on a tiny generated world. */
class TasteCeilingTest {
  private static final long SEED = 11;

  @TempDir
  static Path dir;

  private static Path data;

  @BeforeAll
  static void generate() throws IOException {
    data = dir.resolve("data");
    new WorldGenerator(Scale.TINY, SEED).generate(data, null);
  }

  @Test
  void theTasteEstimatedFromTheLogsCarriesTheTrueTaste() throws IOException {
    Map<String, double[]> rows = study("--true-style-fold-in");

    double oracle = rows.get("oracle (true taste)")[0];
    double noTaste = rows.get("no taste (a = t = 0)")[0];
    assertTrue(oracle > noTaste, "the true taste adds to the AUC: " + oracle + " vs " + noTaste);

    // the MAP fit of the generator's browsing model recovers the brand affinity and the category taste
    double[] map = rows.get("history-informed oracle, map_before_test_day");
    assertTrue(map[1] > 0.8, "corr(â, a) " + map[1]);
    assertTrue(map[2] > 0.7, "corr(t̂, t) " + map[2]);
    assertTrue(map[0] > noTaste && map[0] <= oracle, "AUC " + map[0]);

    // the fold-in solved against the world's own styles tracks the true brand affinity too
    double[] foldIn = rows.entrySet().stream().filter(e -> e.getKey().startsWith("fold-in (the world's true styles)")
        && e.getKey().endsWith("style part of the brand score")).findFirst().orElseThrow().getValue();
    assertTrue(foldIn[1] > 0.8, "corr(fold-in brand score, a) " + foldIn[1]);
  }

  @Test
  void refusesTheDataOfAnotherWorld() {
    assertThrows(IllegalArgumentException.class,
        () -> TasteCeiling.run(new String[] {"--data", data.toString(), "--scale", "tiny", "--seed",
            String.valueOf(SEED + 1)}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
  }

  @Test
  void refusesBadArguments() {
    for (String[] args : new String[][] {{"--seed"}, {"--seed", "x"}, {"--train-fold-in", "8"},
        {"--train-fold-in", "8:0"}, {"--bundle", "b", "--true-style-fold-in"}, {"--unknown"}}) {
      assertThrows(IllegalArgumentException.class,
          () -> TasteCeiling.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)),
          String.join(" ", args));
    }
  }

  /** Runs the study on the tiny world; its table rows by first cell, the numeric cells after it ("-" is NaN). */
  private static Map<String, double[]> study(String... extra) throws IOException {
    String[] args = new String[6 + extra.length];
    System.arraycopy(new String[] {"--data", data.toString(), "--scale", "tiny", "--seed", String.valueOf(SEED)}, 0,
        args, 0, 6);
    System.arraycopy(extra, 0, args, 6, extra.length);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    TasteCeiling.run(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
    Map<String, double[]> rows = new HashMap<>();
    for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.startsWith("| ") || line.startsWith("| scorer") || line.startsWith("| feature")) {
        continue;
      }
      String[] cells = line.substring(2, line.length() - 2).split(" \\| ");
      double[] values = new double[cells.length - 1];
      for (int i = 1; i < cells.length; i++) {
        values[i - 1] = cells[i].equals("-") ? Double.NaN : Double.parseDouble(cells[i]);
      }
      assertEquals(null, rows.put(cells[0], values), "one row per scorer: " + cells[0]);
    }
    return rows;
  }
}
