package dev.bannerranker.trainer.sessions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Next-item prediction and its judgement. Every predictor sees the items before position t of a session and lists
 * up to {@link #K} items, best first:
 * <ul>
 *   <li>popularity: the items most frequent in the training sessions;
 *   <li>item-KNN: the items that co-occurred most often with the prefix's last item within a window of positions in
 *       the training sessions;
 *   <li>item2vec: by {@link Scoring}, either the last item's nearest items by cosine of their input vectors, or the
 *       recent items' input vectors against each candidate's output (context) vector.
 * </ul>
 * Items already in the prefix are never listed, and item-KNN and item2vec fill the places they cannot fill (the last
 * item is unknown, has no vector or too few neighbours) from popularity. A position whose item already occurs in
 * the prefix is not judged (the task is the next new item); one whose item was never seen in training is judged and
 * is a miss for every predictor.
 */
public final class NextItem {
  private NextItem() {}

  public static final int K = 20;

  /** A ranking of next items for a prefix of known item indices (-1 for an item unknown to training). */
  public interface Predictor {
    int[] top(int[] prefix, int k);
  }

  /** The items of the training sessions, indexed in id order, with their counts. */
  public static final class Catalog {
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> ids;
    private final long[] counts;
    private final int[] byPopularity;

    public Catalog(List<SessionLog.Session> training) {
      TreeSet<String> all = new TreeSet<>();
      training.forEach(s -> all.addAll(s.items()));
      ids = List.copyOf(all);
      for (int i = 0; i < ids.size(); i++) {
        index.put(ids.get(i), i);
      }
      counts = new long[ids.size()];
      for (SessionLog.Session s : training) {
        for (String item : s.items()) {
          counts[index.get(item)]++;
        }
      }
      byPopularity = sortedBy(counts, ids.size());
    }

    public int size() {
      return ids.size();
    }

    public String id(int i) {
      return ids.get(i);
    }

    public int indexOf(String item) {
      return index.getOrDefault(item, -1);
    }

    public int[] indices(List<String> items) {
      int[] out = new int[items.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = indexOf(items.get(i));
      }
      return out;
    }

    /** Item indices by count, most frequent first; equal counts by id. */
    public int[] byPopularity() {
      return byPopularity;
    }

    private static int[] sortedBy(long[] counts, int n) {
      return java.util.stream.IntStream.range(0, n).boxed()
          .sorted((a, b) -> counts[a] != counts[b] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b))
          .mapToInt(Integer::intValue).toArray();
    }
  }

  /** The most frequent training items. */
  public static Predictor popularity(Catalog catalog) {
    return (prefix, k) -> fill(new int[0], catalog, excluded(prefix), k);
  }

  /**
   * Co-occurrence counts: items i and j co-occur when they sit at most {@code window} positions apart in a training
   * session (each such pair of positions counts once, both ways; an item never counts with itself).
   */
  public static Predictor itemKnn(Catalog catalog, List<SessionLog.Session> training, int window) {
    if (window < 1) {
      throw new IllegalArgumentException("the item-KNN window must be >= 1, got " + window);
    }
    List<Map<Integer, Long>> co = new ArrayList<>(catalog.size());
    for (int i = 0; i < catalog.size(); i++) {
      co.add(new HashMap<>());
    }
    for (SessionLog.Session s : training) {
      int[] x = catalog.indices(s.items());
      for (int a = 0; a < x.length; a++) {
        for (int b = a + 1; b < x.length && b - a <= window; b++) {
          if (x[a] != x[b]) {
            co.get(x[a]).merge(x[b], 1L, Long::sum);
            co.get(x[b]).merge(x[a], 1L, Long::sum);
          }
        }
      }
    }
    int[][] neighbours = new int[catalog.size()][];
    for (int i = 0; i < neighbours.length; i++) {
      Map<Integer, Long> row = co.get(i);
      neighbours[i] = row.keySet().stream()
          .sorted((a, b) -> !row.get(a).equals(row.get(b)) ? Long.compare(row.get(b), row.get(a)) : Integer.compare(a, b))
          .mapToInt(Integer::intValue).toArray();
    }
    return (prefix, k) -> {
      BitSet excluded = excluded(prefix);
      int last = prefix.length == 0 ? -1 : prefix[prefix.length - 1];
      int[] chosen = new int[0];
      if (last >= 0) {
        chosen = Arrays.stream(neighbours[last]).filter(j -> !excluded.get(j)).limit(k).toArray();
      }
      return fill(chosen, catalog, excluded, k);
    };
  }

  /**
   * How item2vec ranks candidates: {@code cosine} between the last item's input vector and each candidate's input
   * vector (items used alike), or {@code input_output}: the dot product of a query, the input vectors of the last
   * {@code recent} items weighted by {@code decay} per step back, with each candidate's output (context) vector, the
   * skip-gram score of the candidate appearing next to them.
   */
  public record Scoring(String method, int recent, double decay) {
    public static final String COSINE_METHOD = "cosine";
    public static final String INPUT_OUTPUT_METHOD = "input_output";
    public static final Scoring COSINE = new Scoring(COSINE_METHOD, 1, 1.0);
    public static final Scoring LAST_ITEM = new Scoring(INPUT_OUTPUT_METHOD, 1, 1.0);
    public static final Scoring LAST_THREE = new Scoring(INPUT_OUTPUT_METHOD, 3, 0.5);
    /** The choices the tuning search scores on each trained configuration. */
    public static final List<Scoring> CHOICES = List.of(COSINE, LAST_ITEM, LAST_THREE);

    public Scoring {
      if (!COSINE_METHOD.equals(method) && !INPUT_OUTPUT_METHOD.equals(method)) {
        throw new IllegalArgumentException("item2vec scoring method must be " + COSINE_METHOD + " or "
            + INPUT_OUTPUT_METHOD + ", got " + method);
      }
      if (recent < 1 || !(decay > 0 && decay <= 1)) {
        throw new IllegalArgumentException("item2vec scoring needs recent >= 1 and decay in (0, 1], got " + recent
            + " and " + decay);
      }
    }
  }

  /** item2vec with the given scoring; {@code outputs} may be null only for {@link Scoring#COSINE}. */
  public static Predictor item2vec(Catalog catalog, float[][] inputs, float[][] outputs, Scoring scoring) {
    if (Scoring.COSINE_METHOD.equals(scoring.method())) {
      return item2vec(catalog, inputs);
    }
    if (outputs == null) {
      throw new IllegalArgumentException("input_output scoring needs the items' output vectors");
    }
    return (prefix, k) -> {
      BitSet excluded = excluded(prefix);
      float[] q = null;
      double w = 1;
      for (int age = 0; age < scoring.recent() && age < prefix.length; age++, w *= scoring.decay()) {
        int i = prefix[prefix.length - 1 - age];
        if (i < 0 || inputs[i] == null) {
          continue;
        }
        if (q == null) {
          q = new float[inputs[i].length];
        }
        for (int d = 0; d < q.length; d++) {
          q[d] += (float) (w * inputs[i][d]);
        }
      }
      int last = prefix.length == 0 ? -1 : prefix[prefix.length - 1];
      // with no known last item the list is popularity's, as for item-KNN
      if (q == null || last < 0 || inputs[last] == null) {
        return fill(new int[0], catalog, excluded, k);
      }
      return fill(best(q, outputs, excluded, last, k), catalog, excluded, k);
    };
  }

  /**
   * The last item's nearest items by cosine. {@code vectors[i]} is item i's vector, or null when item2vec gave it none
   * (too rare for its minimum count).
   */
  public static Predictor item2vec(Catalog catalog, float[][] vectors) {
    int n = catalog.size();
    float[][] unit = new float[n][];
    for (int i = 0; i < n; i++) {
      float[] v = vectors[i];
      if (v == null) {
        continue;
      }
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      if (norm > 0) {
        unit[i] = new float[v.length];
        for (int d = 0; d < v.length; d++) {
          unit[i][d] = (float) (v[d] / Math.sqrt(norm));
        }
      }
    }
    return (prefix, k) -> {
      BitSet excluded = excluded(prefix);
      int last = prefix.length == 0 ? -1 : prefix[prefix.length - 1];
      if (last < 0 || unit[last] == null) {
        return fill(new int[0], catalog, excluded, k);
      }
      return fill(best(unit[last], unit, excluded, last, k), catalog, excluded, k);
    };
  }

  /** The k candidates with the highest dot product with q, best first; ties go to the lower index. */
  private static int[] best(float[] q, float[][] candidates, BitSet excluded, int skip, int k) {
    int[] best = new int[k];
    float[] bestScore = new float[k];
    int size = 0;
    for (int j = 0; j < candidates.length; j++) {
      float[] v = candidates[j];
      if (v == null || excluded.get(j) || j == skip) {
        continue;
      }
      float s = 0;
      for (int d = 0; d < v.length; d++) {
        s += q[d] * v[d];
      }
      if (size == k && s <= bestScore[k - 1]) {
        continue;
      }
      int pos = size < k ? size++ : k - 1;
      while (pos > 0 && bestScore[pos - 1] < s) {
        best[pos] = best[pos - 1];
        bestScore[pos] = bestScore[pos - 1];
        pos--;
      }
      best[pos] = j;
      bestScore[pos] = s;
    }
    return Arrays.copyOf(best, size);
  }

  private static BitSet excluded(int[] prefix) {
    BitSet b = new BitSet();
    for (int i : prefix) {
      if (i >= 0) {
        b.set(i);
      }
    }
    return b;
  }

  /** {@code chosen} followed by the most popular items not excluded nor chosen, up to k. */
  private static int[] fill(int[] chosen, Catalog catalog, BitSet excluded, int k) {
    if (chosen.length >= k) {
      return chosen.length == k ? chosen : Arrays.copyOf(chosen, k);
    }
    int[] out = Arrays.copyOf(chosen, k);
    BitSet taken = new BitSet();
    for (int c : chosen) {
      taken.set(c);
    }
    int size = chosen.length;
    for (int j : catalog.byPopularity()) {
      if (size == k) {
        break;
      }
      if (!excluded.get(j) && !taken.get(j)) {
        out[size++] = j;
      }
    }
    return size == k ? out : Arrays.copyOf(out, size);
  }

  /**
   * Hit rate and MRR at k of one predictor over sessions, with each session's sums kept for a paired bootstrap.
   *
   * @param hits per session, the judged positions whose item was in the list
   * @param reciprocalRanks per session, the sum of 1/rank over those positions
   * @param judged per session, the positions judged
   */
  public record Scores(double hitRate, double mrr, long predictions, double[] hits, double[] reciprocalRanks,
      double[] judged) {}

  public static Scores judge(Predictor predictor, Catalog catalog, List<SessionLog.Session> sessions, int k) {
    int n = sessions.size();
    double[] hits = new double[n];
    double[] rr = new double[n];
    double[] judged = new double[n];
    long predictions = 0;
    double hitSum = 0;
    double rrSum = 0;
    for (int s = 0; s < n; s++) {
      List<String> items = sessions.get(s).items();
      int[] x = catalog.indices(items);
      java.util.Set<String> seen = new java.util.HashSet<>();
      seen.add(items.get(0));
      for (int t = 1; t < x.length; t++) {
        if (!seen.add(items.get(t))) {
          continue; // a repeat of an item already in the prefix
        }
        judged[s]++;
        predictions++;
        if (x[t] < 0) {
          continue; // never seen in training: a miss for every predictor
        }
        int[] top = predictor.top(Arrays.copyOf(x, t), k);
        for (int r = 0; r < top.length; r++) {
          if (top[r] == x[t]) {
            hits[s]++;
            rr[s] += 1.0 / (r + 1);
            break;
          }
        }
      }
      hitSum += hits[s];
      rrSum += rr[s];
    }
    return new Scores(predictions == 0 ? Double.NaN : hitSum / predictions,
        predictions == 0 ? Double.NaN : rrSum / predictions, predictions, hits, rr, judged);
  }
}
