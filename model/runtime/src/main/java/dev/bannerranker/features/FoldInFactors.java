package dev.bannerranker.features;

import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.scoring.MatrixKernels;
import java.util.Arrays;

/**
 * Fold-in factorisation of browsing choices: the shopper's taste as a small latent vector solved per request from
 * what they browsed, against brand and category factors learned offline. This is the single definition, used by
 * the trainer (to learn the factors and to build rows), the evaluator and the service.
 *
 * <p>The choice model: each product view of brand b in category c is a choice among the brands that sell in c
 * (those seen browsed in c in the training window), with utility {@code brand_b · v + brandBias_b}; each visit's
 * first and second browsed category (visits split at pauses over {@link #SESSION_GAP_SECONDS}) is a choice among
 * all categories (the second without the first), with utility {@code category_c · v + categoryBias[gender]_c}: the
 * profile's gender shifts category choices directly, so the taste does not spend a dimension on it. The user's
 * taste {@code v} is the maximum a posteriori solution under a standard normal prior, by a fixed number of Newton
 * steps from zero on this convex problem, in double precision: deterministic and the same offline and online.
 * Only {@code view} events count (carts and purchases repeat a view; banner clicks are not browsing choices), over
 * the user's whole history: the history keeps them as compact counts ({@link ChoiceCounts}), not as events.
 *
 * <p>The features are {@code brand_b · v} and {@code category_c · v} for the candidate banner's brand and category.
 */
public final class FoldInFactors {
  /** Events further apart than this start a new visit. */
  public static final long SESSION_GAP_SECONDS = 1_800;
  /** Newton steps per fold-in (the problem is small and convex; 6 reach 1e-6 in practice). */
  public static final int NEWTON_STEPS = 8;
  /**
   * Longest Newton step (Euclidean norm): the damping that keeps a heavy shopper's first steps, where the softmax
   * curvature at zero understates how far the optimum is, from overshooting into saturated probabilities.
   */
  public static final double MAX_STEP = 2.0;

  private final int dim;
  private final float[][] brand;
  private final float[] brandBias;
  private final float[][] category;
  /** {@code [gender.ordinal()][category]}. */
  private final float[][] categoryBias;
  /** Per category, the brands that sell in it, ascending. */
  private final int[][] members;
  private final boolean[][] isMember;
  /** Every known category index (1..). */
  private final int[] allCategories;
  /** The Newton steps' kernels; every choice of them gives the same bits. */
  private final MatrixKernels kernels;
  /** {@code kernels.pad(dim)}: the row stride of the flat factors and of the Newton steps' matrices. */
  private final int stride;
  /**
   * The factors again in double precision, flat and zero-padded ({@code [row · stride + i]}): the conversion is
   * exact, so the kernels' sums are those over the float factors.
   */
  private final double[] brandFlat;
  private final double[] categoryFlat;
  /** Per category, the softmax block of the brands that sell in it. */
  private final Block[] brandBlocks;
  /** The softmax block of every category, with a bias row per gender. */
  private final Block categoryBlock;

  /**
   * A softmax's options with their factors transposed ({@code [i · cols + k]}) and their bias rows, zero-padded to
   * {@code cols} options, for {@link MatrixKernels#scoresTransposed}.
   */
  private record Block(int[] options, int cols, double[] transposed, double[][] bias) {}

  /** The widest block's padded options: the size of {@link Scratch}'s per-option arrays. */
  private final int maxCols;

  /**
   * The working arrays of one fold-in, allocated once per call rather than per category and Newton step: a scored
   * request would otherwise allocate hundreds of small arrays.
   */
  private final class Scratch {
    final double[] p = new double[maxCols];
    final int[] rows = new int[maxCols];
    final double[] probabilities = new double[maxCols];
    final double[] scales = new double[maxCols];
    final double[] mean = new double[stride];
    final double[] w = new double[categoryBlock.cols()];
    final double[] m1 = new double[stride];
    final double[] m2 = new double[stride * stride];
    final double[] groupMean = new double[dim];
  }

  public static final int GENDERS = Gender.values().length;

  /**
   * @param brand brand factors by brand index ({@code [brands][dim]}, row 0 = unknown)
   * @param categoryBias {@code [gender.ordinal()][categories]}
   * @param membership {@code [categories][brands]}: 1 where the brand sells in the category
   */
  public FoldInFactors(float[][] brand, float[] brandBias, float[][] category, float[][] categoryBias,
      float[][] membership) {
    this(brand, brandBias, category, categoryBias, membership, MatrixKernels.get());
  }

  /** As above, with the kernels of the Newton steps (tests compare the scalar and the Panama ones). */
  public FoldInFactors(float[][] brand, float[] brandBias, float[][] category, float[][] categoryBias,
      float[][] membership, MatrixKernels kernels) {
    this.kernels = kernels;
    this.dim = brand.length == 0 ? 0 : brand[0].length;
    this.brand = brand;
    this.brandBias = brandBias;
    this.category = category;
    this.categoryBias = categoryBias;
    if (brandBias.length != brand.length || membership.length != category.length) {
      throw new IllegalArgumentException("fold-in factors: brand, category and membership sizes differ");
    }
    if (categoryBias.length != GENDERS) {
      throw new IllegalArgumentException("fold-in factors: category bias needs " + GENDERS + " gender rows, got "
          + categoryBias.length);
    }
    for (float[] row : categoryBias) {
      if (row.length != category.length) {
        throw new IllegalArgumentException("fold-in factors: a category bias row has " + row.length
            + " entries for " + category.length + " categories");
      }
    }
    allCategories = new int[Math.max(0, category.length - 1)];
    for (int c = 1; c < category.length; c++) {
      allCategories[c - 1] = c;
    }
    members = new int[category.length][];
    isMember = new boolean[category.length][brand.length];
    for (int c = 0; c < category.length; c++) {
      if (membership[c].length != brand.length) {
        throw new IllegalArgumentException("fold-in factors: membership row " + c + " has the wrong length");
      }
      int n = 0;
      int[] m = new int[brand.length];
      for (int b = 1; b < brand.length; b++) {
        if (membership[c][b] != 0f) {
          m[n++] = b;
          isMember[c][b] = true;
        }
      }
      members[c] = Arrays.copyOf(m, n);
    }
    stride = kernels.pad(dim);
    brandFlat = flat(brand);
    categoryFlat = flat(category);
    brandBlocks = new Block[category.length];
    for (int c = 0; c < category.length; c++) {
      brandBlocks[c] = block(members[c], brand, new float[][] {brandBias});
    }
    categoryBlock = block(allCategories, category, categoryBias);
    int widest = categoryBlock.cols();
    for (Block b : brandBlocks) {
      widest = Math.max(widest, b.cols());
    }
    maxCols = widest;
  }

  private double[] flat(float[][] rows) {
    double[] out = new double[rows.length * stride];
    for (int r = 0; r < rows.length; r++) {
      for (int i = 0; i < dim; i++) {
        out[r * stride + i] = rows[r][i];
      }
    }
    return out;
  }

  private Block block(int[] options, float[][] factors, float[][] biasRows) {
    int cols = kernels.pad(options.length);
    double[] t = new double[dim * cols];
    double[][] bias = new double[biasRows.length][cols];
    for (int k = 0; k < options.length; k++) {
      for (int i = 0; i < dim; i++) {
        t[i * cols + k] = factors[options[k]][i];
      }
      for (int r = 0; r < biasRows.length; r++) {
        bias[r][k] = biasRows[r][options[k]];
      }
    }
    return new Block(options, cols, t, bias);
  }

  public int dim() {
    return dim;
  }

  public float[][] brandFactors() {
    return brand;
  }

  public float[] brandBias() {
    return brandBias;
  }

  public float[][] categoryFactors() {
    return category;
  }

  /** {@code [gender.ordinal()][category]}. */
  public float[][] categoryBias() {
    return categoryBias;
  }

  /** The gender row of the category bias; an unknown profile counts as U. */
  public static int genderRow(UserProfile profile) {
    return (profile == null ? Gender.U : profile.gender()).ordinal();
  }

  public int[] brandsOf(int categoryIdx) {
    return members[categoryIdx];
  }

  /** Every known category index, the options of a category choice. */
  public int[] categories() {
    return allCategories;
  }

  public float[][] membership() {
    float[][] m = new float[category.length][brand.length];
    for (int c = 0; c < category.length; c++) {
      for (int b : members[c]) {
        m[c][b] = 1f;
      }
    }
    return m;
  }

  /** {@code brand_b · v}: 0 for the unknown brand or no taste. */
  public float brandScore(float[] v, int brandIdx) {
    return v == null ? 0f : dot(brand[brandIdx], v);
  }

  public float categoryScore(float[] v, int categoryIdx) {
    return v == null ? 0f : dot(category[categoryIdx], v);
  }

  private static float dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return (float) s;
  }

  /**
   * A user's browsing choices: per browsed category its chosen brands and counts, and the visits' category
   * choices (a chosen category, the one excluded because it was chosen first or -1, and how often).
   */
  public record Evidence(int[] categories, int[][] brands, int[][] counts, int[] chosenCategory,
      int[] excludedCategory, int[] choiceCount) {
    public boolean isEmpty() {
      return categories.length == 0 && chosenCategory.length == 0;
    }
  }

  /** The evidence in a history's choice counts (its whole past, see {@link ChoiceCounts}). */
  public Evidence evidence(UserHistory h) {
    ChoiceCounts cc = h.choiceCounts();
    if (cc == null) {
      throw new IllegalStateException("fold-in needs a history that keeps choice counts (UserHistory.forSpec of a "
          + "spec with fold-in)");
    }
    int[][] pairs = cc.brandPairs(); // sorted by category, then brand
    int n = pairs[0].length;
    int[] cats = new int[n];
    int[][] brands = new int[n][];
    int[][] counts = new int[n][];
    int nc = 0;
    int i = 0;
    while (i < n) {
      int c = pairs[0][i] >>> 16;
      int j = i;
      while (j < n && pairs[0][j] >>> 16 == c) {
        j++;
      }
      int[] b = new int[j - i];
      int[] k = new int[j - i];
      int m = 0;
      for (int x = i; x < j; x++) {
        int brandIdx = pairs[0][x] & 0xFFFF;
        if (c < category.length && brandIdx < brand.length && isMember[c][brandIdx]) {
          b[m] = brandIdx;
          k[m++] = pairs[1][x];
        }
      }
      if (m > 0) {
        cats[nc] = c;
        brands[nc] = Arrays.copyOf(b, m);
        counts[nc++] = Arrays.copyOf(k, m);
      }
      i = j;
    }
    int[][] choices = cc.categoryChoices();
    int[] chosen = new int[choices[0].length];
    int[] excluded = new int[chosen.length];
    int[] times = new int[chosen.length];
    int m = 0;
    for (int x = 0; x < chosen.length; x++) {
      int c = choices[0][x] & 0xFFFF;
      int e = (choices[0][x] >>> 16) - 1;
      if (c < category.length && e < category.length) {
        chosen[m] = c;
        excluded[m] = e;
        times[m++] = choices[1][x];
      }
    }
    return new Evidence(Arrays.copyOf(cats, nc), Arrays.copyOf(brands, nc), Arrays.copyOf(counts, nc),
        Arrays.copyOf(chosen, m), Arrays.copyOf(excluded, m), Arrays.copyOf(times, m));
  }

  /**
   * The user's taste from their history and profile (null: unknown); null when the history holds no browsing
   * choice.
   */
  public float[] foldIn(UserHistory h, UserProfile profile) {
    return foldIn(evidence(h), genderRow(profile));
  }

  public float[] foldIn(Evidence e, int genderRow) {
    if (e.isEmpty()) {
      return null;
    }
    // choices with the same excluded category share one softmax; choices come sorted by excluded category
    int[] excluded = new int[e.excludedCategory().length];
    int[] excludedCount = new int[excluded.length];
    int groups = 0;
    for (int i = 0; i < excluded.length; i++) {
      if (groups == 0 || e.excludedCategory()[i] != excluded[groups - 1]) {
        excluded[groups++] = e.excludedCategory()[i];
      }
      excludedCount[groups - 1] += e.choiceCount()[i];
    }
    excluded = Arrays.copyOf(excluded, groups);
    double[] v = new double[dim];
    double[] grad = new double[dim];
    // stride × stride, row-major; only the lower triangle is summed and read (the solve reads no more)
    double[] hess = new double[stride * stride];
    Scratch scratch = new Scratch();
    for (int step = 0; step < NEWTON_STEPS; step++) {
      Arrays.fill(hess, 0);
      for (int i = 0; i < dim; i++) {
        grad[i] = v[i];
        hess[i * stride + i] = 1;
      }
      for (int ci = 0; ci < e.categories().length; ci++) {
        int total = 0;
        for (int n : e.counts()[ci]) {
          total += n;
        }
        int[] chosen = e.brands()[ci];
        for (int k = 0; k < chosen.length; k++) {
          float[] f = brand[chosen[k]];
          for (int i = 0; i < dim; i++) {
            grad[i] -= e.counts()[ci][k] * f[i];
          }
        }
        softmaxTerms(v, brandBlocks[e.categories()[ci]], 0, brandFlat, -1, total, grad, hess, scratch);
      }
      for (int k = 0; k < e.chosenCategory().length; k++) {
        float[] f = category[e.chosenCategory()[k]];
        for (int i = 0; i < dim; i++) {
          grad[i] -= e.choiceCount()[k] * f[i];
        }
      }
      if (excluded.length > 0) {
        categoryTerms(v, genderRow, excluded, excludedCount, grad, hess, scratch);
      }
      double[] delta = Cholesky.solveLower(hess, dim, stride, grad);
      double scale = stepScale(delta, MAX_STEP);
      for (int i = 0; i < dim; i++) {
        v[i] -= scale * delta[i];
      }
    }
    float[] out = new float[dim];
    for (int i = 0; i < dim; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }

  /**
   * The category choices' terms: per group of choices with the same excluded category, {@code count} × (E_p[f],
   * Cov_p[f]) of the softmax over every category but that one. The groups share one pass over the categories: the
   * softmax without category x has the sums of the full one less x's share (a visit's second choice excludes its
   * first, so a shopper has up to one group per category). When x held nearly all the mass the subtraction would
   * lose precision, and that group takes its own pass.
   */
  private void categoryTerms(double[] v, int genderRow, int[] excluded, int[] count, double[] grad, double[] hess,
      Scratch scratch) {
    int n = allCategories.length;
    // w[k] for category allCategories[k] = k + 1
    double[] w = scratch.w;
    kernels.scoresTransposed(categoryBlock.transposed(), dim, categoryBlock.cols(), categoryBlock.bias()[genderRow],
        v, w);
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      max = w[k] > max ? w[k] : max; // not Math.max: the same for the finite scores, and faster
    }
    double z = 0;
    for (int k = 0; k < n; k++) {
      w[k] = Math.exp(w[k] - max);
      z += w[k];
    }
    double[] m1 = scratch.m1;
    Arrays.fill(m1, 0);
    kernels.addRowsScaled(m1, dim, categoryFlat, allCategories, w, n);
    double[] m2 = scratch.m2;
    Arrays.fill(m2, 0);
    kernels.addOuterLower(m2, dim, categoryFlat, allCategories, w, n);
    double[] mean = scratch.groupMean; // each group writes every entry
    for (int g = 0; g < excluded.length; g++) {
      int x = excluded[g];
      boolean drop = x >= 1 && x < category.length;
      double we = drop ? w[x - 1] : 0;
      double zg = z - we;
      if (zg < 1e-9 * z) {
        softmaxTerms(v, categoryBlock, genderRow, categoryFlat, x, count[g], grad, hess, scratch);
        continue;
      }
      float[] fx = drop ? category[x] : null;
      for (int i = 0; i < dim; i++) {
        mean[i] = (m1[i] - (drop ? we * fx[i] : 0)) / zg;
        grad[i] += count[g] * mean[i];
      }
      for (int i = 0; i < dim; i++) {
        for (int j = 0; j <= i; j++) {
          double second = (m2[i * stride + j] - (drop ? we * fx[i] * fx[j] : 0)) / zg;
          hess[i * stride + j] += count[g] * (second - mean[i] * mean[j]);
        }
      }
    }
  }

  /**
   * Adds {@code weight} × (E_p[f], Cov_p[f]) of the softmax over a block's options (less {@code excluded}) to the
   * gradient and Hessian; {@code flat} holds the options' factors by row.
   */
  private void softmaxTerms(double[] v, Block b, int biasRow, double[] flat, int excluded, double weight,
      double[] grad, double[] hess, Scratch scratch) {
    int n = b.options().length;
    double[] p = scratch.p;
    kernels.scoresTransposed(b.transposed(), dim, b.cols(), b.bias()[biasRow], v, p);
    normalise(p, b.options(), excluded);
    int[] rows = scratch.rows;
    double[] probabilities = scratch.probabilities;
    double[] scales = scratch.scales;
    int m = 0;
    for (int k = 0; k < n; k++) {
      if (p[k] != 0) {
        rows[m] = b.options()[k];
        probabilities[m] = p[k];
        scales[m++] = weight * p[k];
      }
    }
    double[] mean = scratch.mean;
    Arrays.fill(mean, 0);
    kernels.addRowsScaled(mean, dim, flat, rows, probabilities, m);
    kernels.addOuterLower(hess, dim, flat, rows, scales, m);
    for (int i = 0; i < dim; i++) {
      grad[i] += weight * mean[i];
      for (int j = 0; j <= i; j++) {
        hess[i * stride + j] -= weight * mean[i] * mean[j];
      }
    }
  }

  /** Softmax probabilities of brand options (0 for {@code excluded}) for taste {@code v} (null: zero taste). */
  public double[] brandProbabilities(float[] v, int[] options, int excluded) {
    return softmax(toDouble(v), brand, brandBias, options, excluded);
  }

  /** Softmax probabilities of category options (0 for {@code excluded}) for taste {@code v} and a gender row. */
  public double[] categoryProbabilities(float[] v, int genderRow, int[] options, int excluded) {
    return softmax(toDouble(v), category, categoryBias[genderRow], options, excluded);
  }

  private double[] toDouble(float[] v) {
    double[] vd = new double[dim];
    for (int i = 0; v != null && i < dim; i++) {
      vd[i] = v[i];
    }
    return vd;
  }

  private double[] softmax(double[] v, float[][] f, float[] bias, int[] options, int excluded) {
    int n = options.length;
    double[] p = new double[n];
    for (int k = 0; k < n; k++) {
      double s = bias[options[k]];
      for (int i = 0; i < dim; i++) {
        s += f[options[k]][i] * v[i];
      }
      p[k] = s;
    }
    normalise(p, options, excluded);
    return p;
  }

  /** Turns the scores {@code p[k]} of {@code options} into softmax probabilities, 0 for {@code excluded}. */
  private static void normalise(double[] p, int[] options, int excluded) {
    int n = options.length;
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      if (options[k] == excluded) {
        p[k] = Double.NEGATIVE_INFINITY;
        continue;
      }
      max = p[k] > max ? p[k] : max; // not Math.max: the same for the finite scores, and faster
    }
    double z = 0;
    for (int k = 0; k < n; k++) {
      p[k] = p[k] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[k] - max);
      z += p[k];
    }
    for (int k = 0; k < n; k++) {
      p[k] /= z;
    }
  }

  /** The factor that shortens {@code step} to at most {@code max} in Euclidean norm (1 when it is short enough). */
  public static double stepScale(double[] step, double max) {
    double norm = 0;
    for (double x : step) {
      norm += x * x;
    }
    return norm > max * max ? max / Math.sqrt(norm) : 1.0;
  }

  /** Dense Cholesky solve of a small symmetric positive definite system. */
  public static final class Cholesky {
    private Cholesky() {}

    /**
     * Solves {@code a · x = g} for the {@code n×n} matrix held row-major in {@code a} with row stride {@code
     * stride}; reads only its lower triangle.
     */
    public static double[] solveLower(double[] a, int n, int stride, double[] g) {
      double[] l = new double[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
          double s = a[i * stride + j];
          for (int k = 0; k < j; k++) {
            s -= l[i * n + k] * l[j * n + k];
          }
          l[i * n + j] = i == j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * n + j];
        }
      }
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        double s = g[i];
        for (int k = 0; k < i; k++) {
          s -= l[i * n + k] * y[k];
        }
        y[i] = s / l[i * n + i];
      }
      double[] x = new double[n];
      for (int i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int k = i + 1; k < n; k++) {
          s -= l[k * n + i] * x[k];
        }
        x[i] = s / l[i * n + i];
      }
      return x;
    }

    /** {@link #solveLower} of a matrix held as rows. */
    public static double[] solve(double[][] a, double[] g) {
      int n = g.length;
      double[] flat = new double[n * n];
      for (int i = 0; i < n; i++) {
        System.arraycopy(a[i], 0, flat, i * n, n);
      }
      return solveLower(flat, n, n, g);
    }
  }
}
