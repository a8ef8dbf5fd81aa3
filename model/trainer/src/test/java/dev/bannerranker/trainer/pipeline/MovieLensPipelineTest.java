package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.trainer.eval.ReportWriter;
import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.movielens.MovieLensReader;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train and evaluate on MovieLens-format data, written here so that the test does not need the shared MovieLens
 * 100K copy (the tests that read it skip without it).
 */
class MovieLensPipelineTest {
  private static final int USERS = 100;
  private static final int MOVIES = 120;
  private static final int SESSIONS = 6;
  private static final int PER_SESSION = 5;
  /** Four genres; movie m has genre (m - 1) % 4, every tenth movie Romance as well. */
  private static final List<String> GENRES = List.of("Action", "Comedy", "Drama", "Horror");

  @TempDir Path dir;

  @Test
  void trainsAndEvaluatesMovieLensData() throws IOException {
    Path data = dir.resolve("ml");
    writeMovieLens(data, 11);
    Path bundle = dir.resolve("bundle");
    TrainOptions o = new TrainOptions(data, DataFormat.MOVIELENS, bundle, false, 0.0,
        new Item2VecConfig(16, 5, 5, 5, 2, 1e-3, 0.025, 30, 1, 7),
        new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(16, 8), WideDeepConfig.defaultEmbeddingDims(), 256,
            2, 1, 2, 2e-3, 0.05, 1e-5, 0.9, 7),
        168, 50, 3, 12, 6, 4, 1, 1, 0.1, 0.1, false, 4, FeatureEncoder.WIDE_CROSSES, 1.0);
    TrainingPipeline.run(o, quiet(), quiet());

    Path report = dir.resolve("report");
    EvaluationPipeline.run(data, DataFormat.MOVIELENS, bundle, report, 0.0, false, quiet(), quiet());
    var json = BundleIO.json().readTree(report.resolve(ReportWriter.JSON_FILE).toFile());
    double auc = json.path("auc").asDouble(Double.NaN);
    assertTrue(auc > 0 && auc < 1, "auc " + auc);
    assertTrue(json.path("oracle_auc").isMissingNode(), "MovieLens has no true click probabilities");
    var ml = json.path("movielens");
    for (String key : new String[] {"genre_consistency_at_10", "genre_consistency_at_10_chance",
        "next_item_hit_rate_at_10", "next_item_hit_rate_at_10_item2vec", "next_item_hit_rate_at_10_popularity"}) {
      assertTrue(ml.path(key).isNumber(), key + " in " + ml);
      double v = ml.path(key).asDouble();
      assertTrue(v >= 0 && v <= 1, key + " " + v);
    }
    // Each movie has one of four genres (a tenth have two), so about a quarter of the others share one.
    double chance = ml.path("genre_consistency_at_10_chance").asDouble();
    assertTrue(chance > 0.2 && chance < 0.35, "chance " + chance);
    // The planted genre taste is there to be found: item2vec's neighbours share genres far above chance, and its next
    // picks beat popularity, which knows nothing of taste (seen about 0.997 vs 0.25, and 0.88 vs 0.02).
    assertTrue(ml.path("genre_consistency_at_10").asDouble() > chance + 0.3, ml.toString());
    assertTrue(ml.path("next_item_hit_rate_at_10_item2vec").asDouble()
        > ml.path("next_item_hit_rate_at_10_popularity").asDouble() + 0.2, ml.toString());
    int users = ml.path("next_item_test_users").asInt();
    assertTrue(users > 10 && users <= USERS, "test users " + users);
  }

  /**
   * A MovieLens 100K copy in MovieLensReader's format (pipe-separated, with a header line): each user prefers one
   * genre, picks 80 % of their movies from it and rates those higher, in six sessions of five ratings a minute apart.
   * Sessions are five days apart and users ten minutes apart within them, so the test tenth is the last session of
   * most users, who all have earlier ratings.
   */
  static void writeMovieLens(Path dir, long seed) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom rng = new SplittableRandom(seed);
    List<String> items = new ArrayList<>(List.of(String.join("|", MovieLensReader.MOVIES_HEADER)));
    for (int m = 1; m <= MOVIES; m++) {
      String[] flags = new String[MovieLensReader.GENRES.size()];
      java.util.Arrays.fill(flags, "0");
      flags[MovieLensReader.GENRES.indexOf(genre(m))] = "1";
      if (m % 10 == 0) {
        flags[MovieLensReader.GENRES.indexOf("Romance")] = "1";
      }
      items.add(m + "|Movie " + m + " (1995)|01-Jan-1995||http://example/" + m + "|" + String.join("|", flags));
    }
    Files.write(dir.resolve(MovieLensReader.MOVIES_FILE), items, StandardCharsets.ISO_8859_1);

    List<String> users = new ArrayList<>(List.of(String.join("|", MovieLensReader.USERS_HEADER)));
    for (int u = 1; u <= USERS; u++) {
      users.add(u + "|" + (18 + rng.nextInt(50)) + "|" + (rng.nextBoolean() ? "F" : "M") + "|other|00000");
    }
    Files.write(dir.resolve(MovieLensReader.USERS_FILE), users, StandardCharsets.ISO_8859_1);

    List<String> ratings = new ArrayList<>(List.of(String.join("|", MovieLensReader.RATINGS_HEADER)));
    long start = 880_000_000L;
    for (int u = 1; u <= USERS; u++) {
      String liked = GENRES.get(u % GENRES.size());
      List<Integer> likedMovies = new ArrayList<>();
      List<Integer> others = new ArrayList<>();
      for (int m = 1; m <= MOVIES; m++) {
        (genre(m).equals(liked) ? likedMovies : others).add(m);
      }
      Collections.shuffle(likedMovies, new java.util.Random(rng.nextLong()));
      Collections.shuffle(others, new java.util.Random(rng.nextLong()));
      int l = 0;
      int o = 0;
      for (int s = 0; s < SESSIONS; s++) {
        for (int r = 0; r < PER_SESSION; r++) {
          boolean likes = rng.nextDouble() < 0.8;
          int movie = likes ? likedMovies.get(l++) : others.get(o++);
          int rating = likes ? 3 + rng.nextInt(3) : 1 + rng.nextInt(4);
          long time = start + s * 5 * 86_400L + u * 600L + r * 60L;
          ratings.add(u + "|" + movie + "|" + rating + "|" + time);
        }
      }
    }
    Files.write(dir.resolve(MovieLensReader.RATINGS_FILE), ratings, StandardCharsets.ISO_8859_1);
  }

  /** Not TinyWorld's: this test does not need the tiny world trained. */
  private static java.io.PrintStream quiet() {
    return new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
  }

  private static String genre(int movie) {
    return GENRES.get((movie - 1) % GENRES.size());
  }
}
