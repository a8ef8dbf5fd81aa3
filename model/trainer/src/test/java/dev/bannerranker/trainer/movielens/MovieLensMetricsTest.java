package dev.bannerranker.trainer.movielens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.trainer.movielens.MovieLensMetrics.GenreConsistency;
import dev.bannerranker.trainer.movielens.MovieLensMetrics.HitRate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MovieLensMetricsTest {
  private static final double EPS = 1e-12;

  // ---------------------------------------------------------------- genre consistency

  @Test
  void twoGenreClustersAreFullyConsistent() {
    Map<String, float[]> vectors = new HashMap<>();
    Map<String, Set<String>> genres = new HashMap<>();
    for (int i = 1; i <= 11; i++) {
      vectors.put(String.format("a%02d", i), new float[] {1f, 0.01f * i});
      genres.put(String.format("a%02d", i), Set.of("Action"));
      vectors.put(String.format("c%02d", i), new float[] {0.01f * i, 1f});
      genres.put(String.format("c%02d", i), Set.of("Comedy"));
    }
    GenreConsistency gc = MovieLensMetrics.genreConsistencyAt10(vectors, genres);
    assertEquals(1.0, gc.model(), EPS);
    assertEquals(10.0 / 21.0, gc.chance(), EPS); // 10 of the 21 others share the genre
    assertEquals(22, gc.movies());
    assertEquals(10, gc.k());
  }

  @Test
  void chanceIsExactAndPoolRulesHold() {
    Map<String, float[]> vectors = new HashMap<>();
    Map<String, Set<String>> genres = new HashMap<>();
    vectors.put("A", new float[] {1, 0, 0});
    genres.put("A", Set.of("Action"));
    vectors.put("B", new float[] {1, 1, 0});
    genres.put("B", Set.of("Action", "Comedy"));
    vectors.put("C", new float[] {0, 1, 0});
    genres.put("C", Set.of("Comedy"));
    vectors.put("D", new float[] {0, 0, 1});
    genres.put("D", Set.of("Drama"));
    vectors.put("E", new float[] {0, 0, 1}); // no genre: a neighbour (D's nearest) but never a query
    genres.put("E", Set.of());
    vectors.put("F", new float[] {0, 0, 0}); // untrained: left out
    genres.put("F", Set.of("Drama"));
    vectors.put("G", new float[] {0, 0, 1}); // no genre entry: left out
    genres.put("H", Set.of("Drama")); // no vector: left out

    GenreConsistency gc = MovieLensMetrics.genreConsistency(vectors, genres, 1);
    // A→B yes; B→A (tie with C, smaller id) yes; C→B yes; D→E no.
    assertEquals(0.75, gc.model(), EPS);
    // Others sharing a genre out of 4: A 1 (B), B 2 (A, C), C 1 (B), D 0.
    assertEquals((1 + 2 + 1 + 0) / 4.0 / 4.0, gc.chance(), EPS);
    assertEquals(4, gc.movies());
    assertEquals(1, gc.k());

    // k larger than the pool: every other movie is a neighbour, so model equals chance.
    GenreConsistency all = MovieLensMetrics.genreConsistencyAt10(vectors, genres);
    assertEquals(4, all.k());
    assertEquals(all.chance(), all.model(), EPS);
  }

  @Test
  void genreConsistencyRejectsTooSmallPools() {
    assertThrows(IllegalArgumentException.class,
        () -> MovieLensMetrics.genreConsistencyAt10(Map.of("A", new float[] {1}), Map.of("A", Set.of("x"))));
    assertThrows(IllegalArgumentException.class, () -> MovieLensMetrics.genreConsistencyAt10(
        Map.of("A", new float[] {1}, "B", new float[] {1}), Map.of("A", Set.of(), "B", Set.of())));
  }

  // ---------------------------------------------------------------- next-item hit rate

  private static final long TEST_START = 1000;

  private static Banner movie(String id) {
    return new Banner(id, id, "Drama", "home", "image", "light", 0, "ml", 1, 0, 10_000, 1.0, 0, Set.of(), Set.of(), Set.of());
  }

  private static final class LogBuilder {
    final List<Impression> impressions = new ArrayList<>();
    final Set<String> users = new TreeSet<>();
    final Set<String> movies = new TreeSet<>();

    LogBuilder rate(String user, String movie, long time, int rating) {
      impressions.add(new Impression("r" + (impressions.size() + 1), user, time, movie, "home", 1, Platform.WEB, rating >= 4));
      users.add(user);
      movies.add(movie);
      return this;
    }

    LogBuilder catalogue(String... ids) {
      movies.addAll(List.of(ids));
      return this;
    }

    EventLog build() {
      List<Impression> sorted = new ArrayList<>(impressions);
      sorted.sort(Comparator.comparingLong(Impression::timestamp));
      List<Banner> banners = new ArrayList<>();
      movies.forEach(m -> banners.add(movie(m)));
      List<UserProfile> profiles = new ArrayList<>();
      users.forEach(u -> profiles.add(new UserProfile(u, Gender.U, "25-34", 2)));
      return new EventLog(banners, profiles, List.of(), sorted, Map.of(), new DataProblems(0));
    }
  }

  /**
   * 15 popular movies m1..m15 (five training ratings each, m3 a sixth) and m20, never rated in training.
   * Vectors: m1 = [1, 0] like the user vectors; m_i = [i/15, 1] otherwise; m20 = [1, 0].
   */
  private static LogBuilder popularWorld() {
    LogBuilder b = new LogBuilder().catalogue("m20");
    for (int p = 1; p <= 5; p++) {
      for (int i = 1; i <= 15; i++) {
        b.rate("p" + p, "m" + i, 10L * p + i, 3);
      }
    }
    b.rate("p6", "m3", 99, 5);
    return b;
  }

  private static Map<String, float[]> movieVectors() {
    Map<String, float[]> v = new HashMap<>();
    for (int i = 2; i <= 15; i++) {
      v.put("m" + i, new float[] {i / 15f, 1f});
    }
    v.put("m1", new float[] {1f, 0f});
    v.put("m20", new float[] {1f, 0f});
    return v;
  }

  @Test
  void modelHitsANichePickThatPopularityMisses() {
    EventLog log = popularWorld()
        .rate("u1", "m1", 100, 5)     // training: the only thing u1 has seen
        .rate("u1", "m12", 1100, 3)   // first test rating, but not a positive
        .rate("u1", "m20", 1200, 5)   // first test positive: held out
        .rate("u1", "m5", 1300, 5)    // later positive: ignored
        .build();
    List<String> asked = new ArrayList<>();
    HitRate hr = MovieLensMetrics.nextItemHitRateAt10(log, TEST_START, u -> {
      asked.add(u);
      return new float[] {1f, 0f};
    }, movieVectors());
    assertEquals(1.0, hr.model(), EPS);      // m20 has cosine 1: rank 0
    assertEquals(0.0, hr.popularity(), EPS); // m20 has no training rating: behind the 14 unseen popular movies
    assertEquals(1, hr.users());
    assertEquals(0, hr.usersWithoutHistory());
    assertEquals(10, hr.k());
    assertEquals(List.of("u1"), asked);
  }

  @Test
  void popularityHitsAMainstreamPickThatTheModelMisses() {
    EventLog log = popularWorld()
        .rate("u2", "m2", 200, 4)
        .rate("u2", "m3", 1150, 4) // m3: most rated, but low cosine ([0.2, 1] vs [1, 0])
        .build();
    HitRate hr = MovieLensMetrics.nextItemHitRateAt10(log, TEST_START, u -> new float[] {1f, 0f}, movieVectors());
    assertEquals(0.0, hr.model(), EPS); // m1, m20 and m4..m15 (14 movies) all score higher
    assertEquals(1.0, hr.popularity(), EPS);
    assertEquals(1, hr.users());
  }

  @Test
  void countsUsersAndSkipsColdUsersAndSeenMovies() {
    EventLog log = popularWorld()
        .rate("u1", "m1", 100, 5).rate("u1", "m12", 1100, 3).rate("u1", "m20", 1200, 5)
        .rate("u2", "m2", 200, 4).rate("u2", "m3", 1150, 4)
        .rate("u3", "m20", 1100, 5)                        // no training rating: skipped, counted
        .rate("u4", "m5", 300, 2).rate("u4", "m5", 1400, 5) // only test positive is a seen movie: not a test user
        .build();
    HitRate hr = MovieLensMetrics.nextItemHitRateAt10(log, TEST_START, u -> new float[] {1f, 0f}, movieVectors());
    assertEquals(2, hr.users());
    assertEquals(1, hr.usersWithoutHistory());
    assertEquals(0.5, hr.model(), EPS);
    assertEquals(0.5, hr.popularity(), EPS);
  }

  @Test
  void seenMoviesAreNotCandidates() {
    // At k = 1, u1 only hits because m1 (same vector as m20, smaller id) was seen in training.
    EventLog log = popularWorld().rate("u1", "m1", 100, 5).rate("u1", "m20", 1200, 5).build();
    HitRate hr = MovieLensMetrics.nextItemHitRate(log, TEST_START, u -> new float[] {1f, 0f}, movieVectors(), 1);
    assertEquals(1.0, hr.model(), EPS);
    EventLog unseen = popularWorld().rate("u1", "m2", 100, 5).rate("u1", "m20", 1200, 5).build();
    assertEquals(0.0, MovieLensMetrics.nextItemHitRate(unseen, TEST_START, u -> new float[] {1f, 0f}, movieVectors(), 1)
        .model(), EPS);
  }

  @Test
  void moviesWithoutVectorsRankLastAndNoTestUserGivesNaN() {
    Map<String, float[]> vectors = movieVectors();
    vectors.remove("m20");
    EventLog log = popularWorld().rate("u1", "m1", 100, 5).rate("u1", "m20", 1200, 5).build();
    HitRate hr = MovieLensMetrics.nextItemHitRateAt10(log, TEST_START, u -> new float[] {1f, 0f}, vectors);
    assertEquals(0.0, hr.model(), EPS);

    HitRate none = MovieLensMetrics.nextItemHitRateAt10(popularWorld().build(), TEST_START, u -> null, vectors);
    assertEquals(0, none.users());
    assertTrue(Double.isNaN(none.model()) && Double.isNaN(none.popularity()));
  }

  @Test
  void anyScorerRanksTheUnseenCandidatesOnce() {
    EventLog log = popularWorld().rate("u1", "m1", 100, 5).rate("u1", "m20", 1200, 5).build();
    List<List<String>> asked = new ArrayList<>();
    HitRate hr = MovieLensMetrics.nextItemHitRate(log, TEST_START, (user, movies) -> {
      asked.add(movies);
      double[] s = new double[movies.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = movies.get(i).equals("m20") ? 1 : 0; // the held-out movie first
      }
      return s;
    }, 1);
    assertEquals(1.0, hr.model(), EPS);
    assertEquals(1, asked.size());
    assertFalse(asked.get(0).contains("m1"), "a movie rated in training is not a candidate");
    assertTrue(asked.get(0).contains("m20"));

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> MovieLensMetrics.nextItemHitRate(log, TEST_START, (user, movies) -> new double[1], 10));
    assertTrue(e.getMessage().contains("u1"), e.getMessage());
  }

  // ---------------------------------------------------------------- real data (skips when absent)

  /**
   * Runs both metrics on the real files with a content baseline instead of item2vec: a movie's vector is
   * its 19 genre flags, a user's the mean over the movies they rated before the test start. This checks
   * the metrics at full size and gives reference numbers; it says nothing about item2vec.
   */
  @Test
  void genreFlagBaselineOnRealData() {
    java.nio.file.Path dir = SharedData.movieLensOrSkip();
    EventLog log = MovieLensReader.read(dir, 0.0);
    Map<String, Set<String>> genres = MovieLensReader.genres(dir);
    Map<String, float[]> vectors = new HashMap<>();
    genres.forEach((id, g) -> {
      float[] v = new float[MovieLensReader.GENRES.size()];
      g.forEach(name -> v[MovieLensReader.GENRES.indexOf(name)] = 1f);
      vectors.put(id, v);
    });
    long testStart = dev.bannerranker.trainer.dataset.TimeSplit.fractions(log.impressions(), 0.1, 0.1).testStart();
    Map<String, float[]> users = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (Impression imp : log.impressions()) {
      if (imp.timestamp() < testStart) {
        float[] u = users.computeIfAbsent(imp.userId(), k -> new float[MovieLensReader.GENRES.size()]);
        float[] m = vectors.get(imp.bannerId());
        for (int i = 0; i < u.length; i++) {
          u[i] += m[i];
        }
        counts.merge(imp.userId(), 1, Integer::sum);
      }
    }

    GenreConsistency gc = MovieLensMetrics.genreConsistencyAt10(vectors, genres);
    HitRate hr = MovieLensMetrics.nextItemHitRateAt10(log, testStart, users::get, vectors);
    System.out.printf("movielens-100k genre-flag baseline: genre consistency@10 %.4f (chance %.4f, %d movies); "
        + "test start %d; hit rate@10 genre-profile %.4f, popularity %.4f, %d test users, %d without history%n",
        gc.model(), gc.chance(), gc.movies(), testStart, hr.model(), hr.popularity(), hr.users(), hr.usersWithoutHistory());

    assertEquals(1682, gc.movies());
    assertTrue(gc.model() > 0.95 && gc.chance() < 0.6, gc.toString());
    assertTrue(hr.users() > 50, hr.toString());
    assertTrue(hr.model() >= 0 && hr.model() <= 1 && hr.popularity() > 0 && hr.popularity() <= 1, hr.toString());
  }
}
