package dev.bannerranker.trainer.generate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: a generated tiny world and a minimal reader for its (unquoted) CSV files. */
final class TinyWorld {
  static final long SEED = 20260302L;

  final WorldGenerator generator;
  final GenerationSummary summary;
  final Path dir;

  private TinyWorld(WorldGenerator generator, GenerationSummary summary, Path dir) {
    this.generator = generator;
    this.summary = summary;
    this.dir = dir;
  }

  static TinyWorld generate(Path dir, long seed) throws IOException {
    WorldGenerator g = new WorldGenerator(Scale.TINY, seed);
    return new TinyWorld(g, g.generate(dir, null), dir);
  }

  String headerLine(String file) throws IOException {
    try (var lines = Files.lines(dir.resolve(file), StandardCharsets.UTF_8)) {
      return lines.findFirst().orElseThrow();
    }
  }

  /** Data rows (header skipped), split on commas; the generator never writes quoted cells. */
  List<String[]> rows(String file) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8);
    List<String[]> rows = new ArrayList<>(lines.size());
    for (int i = 1; i < lines.size(); i++) {
      rows.add(lines.get(i).split(",", -1));
    }
    return rows;
  }
}
