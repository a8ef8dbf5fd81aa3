package dev.bannerranker.trainer.movielens;

import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.Impression;
import dev.bannerranker.features.ItemVectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Offline checks of the item2vec vectors on MovieLens, each next to a baseline: are a movie's nearest
 * movies of the same genre more often than chance, and does the user vector find the next movie a user
 * likes better than popularity does. Pure functions over plain inputs; ties are always broken by id, so
 * results do not depend on map iteration order.
 */
public final class MovieLensMetrics {
  private MovieLensMetrics() {}

  /** The cut-off of the {@code ...At10} metrics. */
  public static final int K = 10;

  /**
   * Genre consistency of nearest neighbours.
   *
   * @param model  mean over query movies of the share of their {@code k} nearest movies (cosine) that
   *               share at least one genre with them
   * @param chance the same for {@code k} neighbours drawn uniformly at random (exact expected value)
   * @param movies number of query movies averaged over
   * @param k      neighbours per movie actually used ({@code min(k, pool - 1)})
   */
  public record GenreConsistency(double model, double chance, int movies, int k) {}

  /**
   * Next-item hit rate.
   *
   * @param model              share of test users whose held-out movie is in the model's top {@code k}
   * @param popularity         the same for the most-rated-in-training ranking
   * @param users              test users counted (NaN rates when 0)
   * @param usersWithoutHistory users with a test positive but no rating before the test start; skipped
   * @param k                  the cut-off
   */
  public record HitRate(double model, double popularity, int users, int usersWithoutHistory, int k) {}

  /** {@link #genreConsistency} at {@link #K}. */
  public static GenreConsistency genreConsistencyAt10(Map<String, float[]> movieVectors,
      Map<String, Set<String>> genres) {
    return genreConsistency(movieVectors, genres, K);
  }

  /**
   * For each movie with a vector, the share of its {@code k} nearest other movies (cosine, ties by id)
   * that share at least one genre with it, averaged over movies; and the chance value of that share.
   *
   * <p>The pool is the movies that have a non-zero vector and an entry in {@code genres} (movies without
   * one cannot be judged; all-zero vectors are untrained). Every pool movie is a possible neighbour; a
   * movie with an empty genre set is never a query (it can share nothing) and never matches. Chance for
   * one query is exactly the share of the other pool movies that share a genre with it, the expected share
   * of {@code k} neighbours drawn without replacement.
   *
   * @throws IllegalArgumentException when fewer than two pool movies are left or none of them has a genre
   */
  public static GenreConsistency genreConsistency(Map<String, float[]> movieVectors, Map<String, Set<String>> genres,
      int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    List<String> ids = new ArrayList<>();
    List<float[]> vecs = new ArrayList<>();
    for (Map.Entry<String, float[]> e : new TreeMap<>(movieVectors).entrySet()) {
      if (genres.containsKey(e.getKey()) && !isZero(e.getValue())) {
        ids.add(e.getKey());
        vecs.add(e.getValue());
      }
    }
    int n = ids.size();
    checkDims(vecs);
    if (n < 2) {
      throw new IllegalArgumentException("genre consistency needs at least two movies with a vector and genres, got " + n);
    }
    int kk = Math.min(k, n - 1);
    List<Set<String>> g = new ArrayList<>(n);
    ids.forEach(id -> g.add(genres.get(id)));

    double modelSum = 0;
    double chanceSum = 0;
    int queries = 0;
    double[] sim = new double[n];
    Integer[] order = new Integer[n];
    for (int q = 0; q < n; q++) {
      if (g.get(q).isEmpty()) {
        continue;
      }
      queries++;
      int sharing = 0;
      for (int j = 0; j < n; j++) {
        order[j] = j;
        if (j != q) {
          sim[j] = ItemVectors.cosine(vecs.get(q), vecs.get(j));
          if (sharesGenre(g.get(q), g.get(j))) {
            sharing++;
          }
        } else {
          sim[j] = Double.NEGATIVE_INFINITY; // sorts last, never among the k
        }
      }
      chanceSum += (double) sharing / (n - 1);
      // ids are sorted, so index order is id order: ties go to the smaller id.
      Arrays.sort(order, (a, b) -> sim[a] != sim[b] ? Double.compare(sim[b], sim[a]) : Integer.compare(a, b));
      int hits = 0;
      for (int r = 0; r < kk; r++) {
        if (sharesGenre(g.get(q), g.get(order[r]))) {
          hits++;
        }
      }
      modelSum += (double) hits / kk;
    }
    if (queries == 0) {
      throw new IllegalArgumentException("genre consistency needs at least one movie with a genre");
    }
    return new GenreConsistency(modelSum / queries, chanceSum / queries, queries, kk);
  }

  /** {@link #nextItemHitRate} at {@link #K}. */
  public static HitRate nextItemHitRateAt10(EventLog log, long testStart, Function<String, float[]> userVectors,
      Map<String, float[]> movieVectors) {
    return nextItemHitRate(log, testStart, userVectors, movieVectors, K);
  }

  /** Scores one user's candidate movies; a higher score ranks first. */
  @FunctionalInterface
  public interface UserScorer {
    /** One score per movie of {@code movies}, in order. */
    double[] score(String user, List<String> movies);
  }

  /**
   * Next-item hit rate at {@code k} of the user vector against popularity: {@link #nextItemHitRate(EventLog, long,
   * UserScorer, int)} with the model's score {@code cosine(userVectors.apply(user), movieVectors.get(movie))}; a
   * movie without a vector ranks below every movie with one; a null user vector counts as all zeros (every score 0).
   *
   * @param userVectors the user vector from the user's history before {@code testStart} (for the project,
   *                    {@code UserFeatures.compute(..., testStart, ...).vector}); called once per test user
   * @param movieVectors banner id → item vector
   */
  public static HitRate nextItemHitRate(EventLog log, long testStart, Function<String, float[]> userVectors,
      Map<String, float[]> movieVectors, int k) {
    List<float[]> all = new ArrayList<>(movieVectors.values());
    checkDims(all);
    int dim = all.isEmpty() ? -1 : all.get(0).length;
    return nextItemHitRate(log, testStart, (user, movies) -> {
      float[] u = userVectors.apply(user);
      if (u != null && dim >= 0 && u.length != dim) {
        throw new IllegalArgumentException("user vector of " + user + " has length " + u.length
            + ", movie vectors " + dim);
      }
      double[] scores = new double[movies.size()];
      for (int i = 0; i < scores.length; i++) {
        float[] v = movieVectors.get(movies.get(i));
        scores[i] = v == null ? Double.NEGATIVE_INFINITY : u == null ? 0.0 : (double) ItemVectors.cosine(u, v);
      }
      return scores;
    }, k);
  }

  /**
   * Next-item hit rate at {@code k} of a model's ranking against popularity.
   *
   * <p>Training is every impression (rating) before {@code testStart}, test every one at or after it. For
   * each user, the held-out movie is that of the user's first clicked test impression (rating ≥ 4 for
   * MovieLens; earliest by time, then log order) on a movie the user had not rated in training. Users with
   * no training rating are skipped and counted in {@link HitRate#usersWithoutHistory()}. The candidates are
   * all banners of the log the user did not rate in training (the held-out movie is always one), ranked by
   * the model's scores and by popularity (number of training ratings), both with ties broken by banner id; a
   * hit is the held-out movie within the first {@code k}.
   *
   * @param model called once per test user, with that user's candidates
   */
  public static HitRate nextItemHitRate(EventLog log, long testStart, UserScorer model, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    Map<String, Set<String>> seen = new HashMap<>();
    Map<String, Integer> popularity = new HashMap<>();
    Map<String, String> heldOut = new TreeMap<>(); // user → movie; sorted users for a fixed call order
    for (Impression imp : log.impressions()) {
      if (imp.timestamp() < testStart) {
        seen.computeIfAbsent(imp.userId(), u -> new HashSet<>()).add(imp.bannerId());
        popularity.merge(imp.bannerId(), 1, Integer::sum);
      }
    }
    List<Impression> test = new ArrayList<>();
    for (Impression imp : log.impressions()) {
      if (imp.timestamp() >= testStart && imp.clicked()) {
        test.add(imp);
      }
    }
    // Stable: equal times keep log order, whether or not the log was sorted.
    test.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
    Set<String> withoutHistory = new HashSet<>();
    for (Impression imp : test) {
      String user = imp.userId();
      if (heldOut.containsKey(user)) {
        continue;
      }
      Set<String> s = seen.get(user);
      if (s == null) {
        withoutHistory.add(user);
      } else if (!s.contains(imp.bannerId())) {
        heldOut.put(user, imp.bannerId());
      }
    }

    int modelHits = 0;
    int popHits = 0;
    for (Map.Entry<String, String> e : heldOut.entrySet()) {
      Set<String> s = seen.get(e.getKey());
      List<String> candidates = new ArrayList<>();
      for (Banner b : log.banners()) {
        if (!s.contains(b.id())) {
          candidates.add(b.id());
        }
      }
      String target = e.getValue();
      double[] modelScores = model.score(e.getKey(), candidates);
      if (modelScores.length != candidates.size()) {
        throw new IllegalStateException("the model scored " + modelScores.length + " of " + candidates.size()
            + " candidates of " + e.getKey());
      }
      double[] popScores = new double[candidates.size()];
      for (int i = 0; i < popScores.length; i++) {
        popScores[i] = popularity.getOrDefault(candidates.get(i), 0);
      }
      if (rank(target, candidates, modelScores) < k) {
        modelHits++;
      }
      if (rank(target, candidates, popScores) < k) {
        popHits++;
      }
    }
    int users = heldOut.size();
    return new HitRate(users == 0 ? Double.NaN : (double) modelHits / users,
        users == 0 ? Double.NaN : (double) popHits / users, users, withoutHistory.size(), k);
  }

  /** 0-based rank of {@code target} among the candidates: how many come before it (ties by id). */
  private static int rank(String target, List<String> candidates, double[] scores) {
    double t = scores[candidates.indexOf(target)];
    int before = 0;
    for (int i = 0; i < scores.length; i++) {
      String c = candidates.get(i);
      if (c.equals(target)) {
        continue;
      }
      if (scores[i] > t || (scores[i] == t && c.compareTo(target) < 0)) {
        before++;
      }
    }
    return before;
  }

  private static boolean sharesGenre(Set<String> a, Set<String> b) {
    Set<String> small = a.size() <= b.size() ? a : b;
    Set<String> large = small == a ? b : a;
    for (String x : small) {
      if (large.contains(x)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isZero(float[] v) {
    for (float x : v) {
      if (x != 0f) {
        return false;
      }
    }
    return true;
  }

  private static void checkDims(List<float[]> vecs) {
    for (float[] v : vecs) {
      if (v.length != vecs.get(0).length) {
        throw new IllegalArgumentException("movie vectors differ in length: " + vecs.get(0).length + " and " + v.length);
      }
    }
  }
}
