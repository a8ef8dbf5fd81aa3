package dev.bannerranker.trainer.foldin;

import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventType;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Learns the {@link FoldInFactors} from the browsing before {@code until}: alternating maximum a posteriori
 * estimation of the choice model, where each round folds every user in with the runtime's own code (the same
 * solve the service runs) and then takes one Newton step per brand and per category (factor and bias, ridge
 * penalty {@link #FACTOR_L2} on the factors) with the users' tastes fixed. Deterministic given the seed.
 */
public final class FoldInTrainer {
  /** Ridge penalty on the brand and category factors (the users' tastes have a standard normal prior). */
  static final double FACTOR_L2 = 1.0;
  static final double BIAS_L2 = 1e-2;
  static final double INIT_SD = 0.1;
  /** Longest Newton step of a brand's or category's (factor, bias) per round. */
  static final double MAX_STEP = 1.0;

  private FoldInTrainer() {}

  public record Result(FoldInFactors factors, List<Double> lossPerRound, double seconds) {}

  public static Result train(EventLog log, Vocabularies vocab, long until, int dim, int rounds, long seed) {
    long t0 = System.nanoTime();
    int nb = vocab.brands().cardinality();
    int nc = vocab.categories().cardinality();
    float[][] membership = new float[nc][nb];
    for (BehaviourEvent e : log.events()) {
      if (e.timestamp() >= until) {
        continue;
      }
      int b = vocab.brands().indexOf(e.brand());
      int c = vocab.categories().indexOf(e.category());
      if (e.type() == EventType.VIEW && b > 0 && c > 0) {
        membership[c][b] = 1f;
      }
    }
    Map<String, UserHistory> histories = new HashMap<>();
    List<String> order = new ArrayList<>();
    for (BehaviourEvent e : log.events()) {
      if (e.timestamp() >= until) {
        continue;
      }
      UserHistory h = histories.get(e.userId());
      if (h == null) {
        h = new UserHistory(1, 1, true);
        histories.put(e.userId(), h);
        order.add(e.userId());
      }
      DatasetBuilder.applyEvent(h, e, vocab);
    }
    order.sort(null);
    SplittableRandom r = new SplittableRandom(seed);
    float[][] brand = gaussian(r, nb, dim);
    float[][] category = gaussian(r, nc, dim);
    float[] brandBias = new float[nb];
    float[] categoryBias = new float[nc];
    FoldInFactors f = new FoldInFactors(brand, brandBias, category, categoryBias, membership);
    List<FoldInFactors.Evidence> evidence = new ArrayList<>();
    for (String u : order) {
      FoldInFactors.Evidence e = f.evidence(histories.get(u));
      if (!e.isEmpty()) {
        evidence.add(e);
      }
    }
    histories = null;
    List<Double> losses = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      f = new FoldInFactors(brand, brandBias, category, categoryBias, membership);
      float[][] tastes = new float[evidence.size()][];
      for (int u = 0; u < tastes.length; u++) {
        tastes[u] = f.foldIn(evidence.get(u));
      }
      Accumulator ab = new Accumulator(nb, dim);
      Accumulator ac = new Accumulator(nc, dim);
      int[] allCategories = f.categories();
      double loss = 0;
      long choices = 0;
      for (int u = 0; u < tastes.length; u++) {
        float[] v = tastes[u];
        FoldInFactors.Evidence e = evidence.get(u);
        for (int ci = 0; ci < e.categories().length; ci++) {
          int[] options = f.brandsOf(e.categories()[ci]);
          double[] p = f.probabilities(v, true, options, -1);
          int total = 0;
          for (int n : e.counts()[ci]) {
            total += n;
          }
          int k = 0;
          for (int j = 0; j < options.length; j++) {
            int n = 0;
            while (k < e.brands()[ci].length && e.brands()[ci][k] < options[j]) {
              k++;
            }
            if (k < e.brands()[ci].length && e.brands()[ci][k] == options[j]) {
              n = e.counts()[ci][k];
              loss -= n * Math.log(Math.max(p[j], 1e-300));
            }
            ab.add(options[j], v, total * p[j] - n, total * p[j] * (1 - p[j]));
          }
          choices += total;
        }
        for (int k = 0; k < e.chosenCategory().length; k++) {
          double[] p = f.probabilities(v, false, allCategories, e.excludedCategory()[k]);
          int times = e.choiceCount()[k];
          for (int j = 0; j < allCategories.length; j++) {
            boolean chosen = allCategories[j] == e.chosenCategory()[k];
            if (chosen) {
              loss -= times * Math.log(Math.max(p[j], 1e-300));
            }
            if (p[j] > 0) {
              ac.add(allCategories[j], v, times * (p[j] - (chosen ? 1 : 0)), times * p[j] * (1 - p[j]));
            }
          }
          choices += times;
        }
      }
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException("fold-in factor training diverged in round " + (round + 1));
      }
      losses.add(loss / Math.max(1, choices));
      ab.step(brand, brandBias);
      ac.step(category, categoryBias);
    }
    f = new FoldInFactors(brand, brandBias, category, categoryBias, membership);
    return new Result(f, losses, (System.nanoTime() - t0) / 1e9);
  }

  private static float[][] gaussian(SplittableRandom r, int rows, int dim) {
    float[][] m = new float[rows][dim];
    for (int i = 1; i < rows; i++) {
      for (int j = 0; j < dim; j++) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        m[i][j] = (float) (INIT_SD * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
      }
    }
    return m;
  }

  /** Per row: gradient and Hessian of the negative log-likelihood in (factor, bias), users' tastes fixed. */
  private static final class Accumulator {
    final int dim;
    final double[][] grad;
    final double[][][] hess;

    Accumulator(int rows, int dim) {
      this.dim = dim;
      grad = new double[rows][dim + 1];
      hess = new double[rows][][];
    }

    void add(int row, float[] v, double residual, double curvature) {
      if (hess[row] == null) {
        hess[row] = new double[dim + 1][dim + 1];
      }
      double[] g = grad[row];
      double[][] h = hess[row];
      for (int i = 0; i <= dim; i++) {
        double xi = i == dim ? 1 : v == null ? 0 : v[i];
        g[i] += residual * xi;
        for (int j = 0; j <= i; j++) {
          double xj = j == dim ? 1 : v == null ? 0 : v[j];
          h[i][j] += curvature * xi * xj;
        }
      }
    }

    /** One ridge-regularised Newton step per row with data. */
    void step(float[][] factor, float[] bias) {
      for (int row = 0; row < grad.length; row++) {
        if (hess[row] == null) {
          continue;
        }
        double[][] h = hess[row];
        double[] g = grad[row].clone();
        for (int i = 0; i <= dim; i++) {
          for (int j = 0; j < i; j++) {
            h[j][i] = h[i][j];
          }
          double l2 = i == dim ? BIAS_L2 : FACTOR_L2;
          h[i][i] += l2;
          g[i] += l2 * (i == dim ? bias[row] : factor[row][i]);
        }
        double[] delta = FoldInFactors.Cholesky.solve(h, g);
        double scale = FoldInFactors.stepScale(delta, MAX_STEP);
        for (int i = 0; i < dim; i++) {
          factor[row][i] -= (float) (scale * delta[i]);
        }
        bias[row] -= (float) (scale * delta[dim]);
      }
    }
  }
}
