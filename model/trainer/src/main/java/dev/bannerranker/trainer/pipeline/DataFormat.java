package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.trainer.movielens.MovieLensReader;
import java.nio.file.Path;

/** Input adapters: the project's own four tables, or MovieLens 100K mapped onto them. */
public enum DataFormat {
  OWN, MOVIELENS;

  public EventLog read(Path dir, double maxBadFraction) {
    return this == OWN ? EventLogReader.read(dir, maxBadFraction) : MovieLensReader.read(dir, maxBadFraction);
  }

  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static DataFormat parse(String s) {
    switch (s) {
      case "own": return OWN;
      case "movielens": return MOVIELENS;
      default: throw new IllegalArgumentException("--format must be 'own' or 'movielens', got '" + s + "'");
    }
  }
}
