package dev.bannerranker.trainer.foldin;

import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * Learns the {@link FoldInFactors} from the browsing before {@code until}: alternating maximum a posteriori
 * estimation of the choice model, where each round folds every user in with the runtime's own code (the same
 * solve the service runs) and then takes one Newton step per brand (factor and bias) and per category (factor and
 * one bias per gender), with ridge penalty {@link #FACTOR_L2} on the factors and the users' tastes fixed. The users
 * are folded in and accumulated in parallel, in fixed chunks merged in order: deterministic given the seed,
 * whatever the number of threads.
 */
public final class FoldInTrainer {
  /** Ridge penalty on the brand and category factors (the users' tastes have a standard normal prior). */
  static final double FACTOR_L2 = 1.0;
  static final double BIAS_L2 = 1e-2;
  static final double INIT_SD = 0.1;
  /** Longest Newton step of a brand's or category's (factor, bias) per round. */
  static final double MAX_STEP = 1.0;
  /**
   * Fixed factor dimensions for the brand's price tier, after the learned ones: {@code x} and {@code x² − 1/2} with
   * {@code x = (tier − 2.5) / 1.5}, so a shopper's taste can hold a preferred tier (a quadratic utility over the
   * tiers, peaking where the two weights put it). Without them the learned dimensions had to explain price-driven
   * brand choices as style: on the demo world they lower the validation logloss on all five training seeds
   * (research/taste-ceiling.md). Categories have 0 there; a brand whose tier is unknown has 0 in both.
   */
  public static final int PRICE_TIER_DIMS = 2;

  private FoldInTrainer() {}

  public record Result(FoldInFactors factors, List<Double> lossPerRound, double seconds) {}

  /** One user's evidence and the gender row it is folded in with. */
  private record UserEvidence(FoldInFactors.Evidence evidence, int genderRow) {}

  /**
   * Users are split into this many fixed chunks, each with its own accumulators, merged in chunk order: the
   * result does not depend on how many threads run the chunks.
   */
  private static final int CHUNKS = 16;

  /**
   * Writes a brand's fixed price-tier dimensions at {@code from}: {@code x} and {@code x² − ½} with
   * {@code x = (tier − 2.5) / 1.5}, so that a taste's two weights there are a quadratic utility over the tiers 1..4;
   * 0 and 0 for an unknown tier (0).
   */
  public static void setPriceTierDims(float[] factor, int from, int tier) {
    double x = tier == 0 ? 0 : (tier - 2.5) / 1.5;
    factor[from] = (float) x;
    factor[from + 1] = tier == 0 ? 0f : (float) (x * x - 0.5);
  }

  /** The size of the factors for {@code styleDim} learned dimensions: they add {@link #PRICE_TIER_DIMS}. */
  public static int factorDim(int styleDim) {
    return styleDim + PRICE_TIER_DIMS;
  }

  /**
   * Learns factors of {@link #factorDim}({@code styleDim}) dimensions: {@code styleDim} learned, then the fixed
   * price-tier ones.
   */
  public static Result train(EventLog log, Vocabularies vocab, long until, int styleDim, int rounds, long seed) {
    return train(log, vocab, until, styleDim, rounds, seed, () -> false);
  }

  /** As {@link #train(Input, List, Vocabularies, int, int, long, BooleanSupplier)}, gathering the log first. */
  public static Result train(EventLog log, Vocabularies vocab, long until, int styleDim, int rounds, long seed,
      BooleanSupplier besideOtherTraining) {
    Input in = new Input(vocab, until);
    log.events().forEach(in::add);
    return train(in, log.users(), vocab, styleDim, rounds, seed, besideOtherTraining);
  }

  /**
   * What the training reads from the browsing: which brands each category holds, the brands' price tiers and each
   * user's history. Events of one user must come in time order; users may come in any order, or interleaved.
   */
  public static final class Input {
    private final Vocabularies vocab;
    private final long until;
    private final float[][] membership;
    private final int[][] tierCounts;
    private final Map<String, UserHistory> histories = new HashMap<>();

    public Input(Vocabularies vocab, long until) {
      this.vocab = vocab;
      this.until = until;
      membership = new float[vocab.categories().cardinality()][vocab.brands().cardinality()];
      tierCounts = new int[vocab.brands().cardinality()][5];
    }

    public void add(BehaviourEvent e) {
      if (e.timestamp() >= until) {
        return;
      }
      int b = vocab.brands().indexOf(e.brand());
      int c = vocab.categories().indexOf(e.category());
      if (e.type() == EventType.VIEW && b > 0 && c > 0) {
        membership[c][b] = 1f;
      }
      if (e.type() == EventType.VIEW && e.priceTier() >= 1 && e.priceTier() <= 4 && b > 0) {
        tierCounts[b][e.priceTier()]++;
      }
      DatasetBuilder.applyEvent(histories.computeIfAbsent(e.userId(), u -> new UserHistory(1, 1, true)), e, vocab);
    }
  }

  /**
   * Trains on what {@code in} gathered; {@code users} are the profiles (for the gender rows). A round that starts
   * while {@code besideOtherTraining} is true runs on the calling thread alone, so that single-threaded training beside it (item2vec)
   * keeps a core; the others use every core. The factors are the same either way: each user's fold-in and each chunk's
   * sums do not depend on the thread, and the chunks are merged in order.
   */
  public static Result train(Input in, List<UserProfile> userProfiles, Vocabularies vocab, int styleDim, int rounds,
      long seed, BooleanSupplier besideOtherTraining) {
    long t0 = System.nanoTime();
    int dim = factorDim(styleDim);
    int nb = vocab.brands().cardinality();
    int nc = vocab.categories().cardinality();
    float[][] membership = in.membership;
    Map<String, UserHistory> histories = in.histories;
    List<String> order = new ArrayList<>(histories.keySet());
    order.sort(null);
    Map<String, UserProfile> profiles = new HashMap<>();
    for (UserProfile p : userProfiles) {
      profiles.put(p.id(), p);
    }
    SplittableRandom r = new SplittableRandom(seed);
    float[][] brand = gaussian(r, nb, dim);
    float[][] category = gaussian(r, nc, dim);
    int[] tier = brandTiers(in.tierCounts);
    for (int b = 0; b < nb; b++) {
      setPriceTierDims(brand[b], styleDim, tier[b]);
    }
    for (int c = 0; c < nc; c++) {
      category[c][styleDim] = 0f;
      category[c][styleDim + 1] = 0f;
    }
    float[] brandBias = new float[nb];
    float[][] categoryBias = new float[FoldInFactors.GENDERS][nc];
    FoldInFactors f = new FoldInFactors(brand, brandBias, category, categoryBias, membership);
    List<UserEvidence> users = new ArrayList<>();
    for (String u : order) {
      FoldInFactors.Evidence e = f.evidence(histories.get(u));
      if (!e.isEmpty()) {
        UserProfile p = profiles.get(u);
        users.add(new UserEvidence(e, FoldInFactors.genderRow(p)));
      }
    }
    histories.clear();
    List<Double> losses = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      FoldInFactors current = new FoldInFactors(brand, brandBias, category, categoryBias, membership);
      float[][] tastes = new float[users.size()][];
      boolean parallel = !besideOtherTraining.getAsBoolean();
      IntStream userRange = IntStream.range(0, users.size());
      (parallel ? userRange.parallel() : userRange).forEach(u -> {
        UserEvidence ue = users.get(u);
        tastes[u] = current.foldIn(ue.evidence(), ue.genderRow());
      });
      Round[] chunks = new Round[CHUNKS];
      IntStream chunkRange = IntStream.range(0, CHUNKS);
      (parallel ? chunkRange.parallel() : chunkRange).forEach(k -> chunks[k] = Round.of(current, users, tastes,
          k * users.size() / CHUNKS, (k + 1) * users.size() / CHUNKS, nb, nc, dim));
      Round total = chunks[0];
      for (int k = 1; k < CHUNKS; k++) {
        total.merge(chunks[k]);
      }
      if (!Double.isFinite(total.loss)) {
        throw new IllegalStateException("fold-in factor training diverged in round " + (round + 1));
      }
      losses.add(total.loss / Math.max(1, total.choices));
      total.brands.step(brand, new float[][] {brandBias}, styleDim);
      total.categories.step(category, categoryBias, styleDim);
    }
    f = new FoldInFactors(brand, brandBias, category, categoryBias, membership);
    return new Result(f, losses, (System.nanoTime() - t0) / 1e9);
  }

  /** The gradients, curvatures and loss of one chunk of users in one round. */
  private static final class Round {
    final Accumulator brands;
    final Accumulator categories;
    double loss;
    long choices;

    Round(int nb, int nc, int dim) {
      brands = new Accumulator(nb, dim, 1);
      categories = new Accumulator(nc, dim, FoldInFactors.GENDERS);
    }

    static Round of(FoldInFactors f, List<UserEvidence> users, float[][] tastes, int from, int to, int nb, int nc,
        int dim) {
      Round round = new Round(nb, nc, dim);
      int[] allCategories = f.categories();
      for (int u = from; u < to; u++) {
        float[] v = tastes[u];
        FoldInFactors.Evidence e = users.get(u).evidence();
        int g = users.get(u).genderRow();
        for (int ci = 0; ci < e.categories().length; ci++) {
          int[] options = f.brandsOf(e.categories()[ci]);
          double[] p = f.brandProbabilities(v, options, -1);
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
              round.loss -= n * Math.log(Math.max(p[j], 1e-300));
            }
            round.brands.add(options[j], v, 0, total * p[j] - n, total * p[j] * (1 - p[j]));
          }
          round.choices += total;
        }
        for (int k = 0; k < e.chosenCategory().length; k++) {
          double[] p = f.categoryProbabilities(v, g, allCategories, e.excludedCategory()[k]);
          int times = e.choiceCount()[k];
          for (int j = 0; j < allCategories.length; j++) {
            boolean chosen = allCategories[j] == e.chosenCategory()[k];
            if (chosen) {
              round.loss -= times * Math.log(Math.max(p[j], 1e-300));
            }
            if (p[j] > 0) {
              round.categories.add(allCategories[j], v, g, times * (p[j] - (chosen ? 1 : 0)),
                  times * p[j] * (1 - p[j]));
            }
          }
          round.choices += times;
        }
      }
      return round;
    }

    void merge(Round o) {
      brands.merge(o.brands);
      categories.merge(o.categories);
      loss += o.loss;
      choices += o.choices;
    }
  }

  /**
   * Each brand's price tier (1..4): the most frequent tier of its products viewed before {@code until}, the lower on
   * a tie; 0 when none has a known tier.
   */
  static int[] brandTiers(int[][] counts) {
    int nb = counts.length;
    int[] tier = new int[nb];
    for (int b = 0; b < nb; b++) {
      for (int t = 1; t <= 4; t++) {
        if (counts[b][t] > counts[b][tier[b]]) {
          tier[b] = t;
        }
      }
    }
    return tier;
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

  /**
   * Per row: gradient and Hessian of the negative log-likelihood in (factor, bias), users' tastes fixed. A row has
   * {@code biases} biases (one per gender for categories), of which each observation touches one.
   */
  private static final class Accumulator {
    final int dim;
    final int biases;
    final double[][] grad;
    final double[][][] hess;

    Accumulator(int rows, int dim, int biases) {
      this.dim = dim;
      this.biases = biases;
      grad = new double[rows][dim + biases];
      hess = new double[rows][][];
    }

    void add(int row, float[] v, int biasIdx, double residual, double curvature) {
      if (hess[row] == null) {
        hess[row] = new double[dim + biases][dim + biases];
      }
      double[] g = grad[row];
      double[][] h = hess[row];
      int b = dim + biasIdx;
      for (int i = 0; i < dim; i++) {
        double xi = v == null ? 0 : v[i];
        g[i] += residual * xi;
        for (int j = 0; j <= i; j++) {
          h[i][j] += curvature * xi * (v == null ? 0 : v[j]);
        }
        h[b][i] += curvature * xi;
      }
      g[b] += residual;
      h[b][b] += curvature;
    }

    void merge(Accumulator o) {
      for (int row = 0; row < grad.length; row++) {
        if (o.hess[row] == null) {
          continue;
        }
        if (hess[row] == null) {
          hess[row] = new double[dim + biases][dim + biases];
        }
        for (int i = 0; i < dim + biases; i++) {
          grad[row][i] += o.grad[row][i];
          for (int j = 0; j < dim + biases; j++) {
            hess[row][i][j] += o.hess[row][i][j];
          }
        }
      }
    }

    /**
     * One ridge-regularised Newton step per row with data, over the learned dimensions ({@code 0..learned-1}) and
     * the biases; the fixed dimensions after them stay as they are. {@code bias[k][row]} is the row's k-th bias.
     */
    void step(float[][] factor, float[][] bias, int learned) {
      int n = dim + biases;
      for (int row = 0; row < grad.length; row++) {
        if (hess[row] == null) {
          continue;
        }
        double[][] h = hess[row];
        double[] g = grad[row].clone();
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < i; j++) {
            h[j][i] = h[i][j];
          }
        }
        for (int i = 0; i < n; i++) {
          if (i >= learned && i < dim) { // a fixed dimension: a unit row with no gradient, so its step is 0
            for (int j = 0; j < n; j++) {
              h[i][j] = 0;
              h[j][i] = 0;
            }
            h[i][i] = 1;
            g[i] = 0;
            continue;
          }
          boolean isBias = i >= dim;
          double l2 = isBias ? BIAS_L2 : FACTOR_L2;
          h[i][i] += l2;
          g[i] += l2 * (isBias ? bias[i - dim][row] : factor[row][i]);
        }
        double[] delta = FoldInFactors.Cholesky.solve(h, g);
        double scale = FoldInFactors.stepScale(delta, MAX_STEP);
        for (int i = 0; i < dim; i++) {
          factor[row][i] -= (float) (scale * delta[i]);
        }
        for (int k = 0; k < biases; k++) {
          bias[k][row] -= (float) (scale * delta[dim + k]);
        }
      }
    }
  }
}
