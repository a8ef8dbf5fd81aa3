package dev.bannerranker.features;

/**
 * item2vec vectors of brands, categories and banners, indexed like their vocabularies (row 0, the
 * unknown value, is all zeros). Immutable once built.
 *
 * <p>The cold-banner rule lives here: a banner without a trained vector gets the mean of its brand and
 * category vectors, the same composition that turns a product event into a vector, so cold banners land
 * where shoppers of that brand and category already are.
 */
public final class ItemVectors {
  private final int dim;
  private final float[][] brands;
  private final float[][] categories;
  private final float[][] banners;
  private final boolean[] bannerTrained;
  private final FoldInFactors foldIn;

  public ItemVectors(int dim, float[][] brands, float[][] categories, float[][] banners, boolean[] bannerTrained) {
    this(dim, brands, categories, banners, bannerTrained, null);
  }

  /** @param foldIn the fold-in factors, or null (bundles without them) */
  public ItemVectors(int dim, float[][] brands, float[][] categories, float[][] banners, boolean[] bannerTrained,
      FoldInFactors foldIn) {
    this.foldIn = foldIn;
    this.dim = dim;
    this.brands = brands;
    this.categories = categories;
    this.banners = banners;
    this.bannerTrained = bannerTrained;
    if (banners.length != bannerTrained.length) {
      throw new IllegalArgumentException("banner vectors and trained flags differ in length");
    }
  }

  /** The same vectors with these fold-in factors. */
  public ItemVectors withFoldIn(FoldInFactors factors) {
    return new ItemVectors(dim, brands, categories, banners, bannerTrained, factors);
  }

  /** The fold-in factors, or null. */
  public FoldInFactors foldIn() {
    return foldIn;
  }

  public int dim() {
    return dim;
  }

  public float[] brand(int brandIdx) {
    return brands[brandIdx];
  }

  public float[] category(int categoryIdx) {
    return categories[categoryIdx];
  }

  public float[] banner(int bannerIdx) {
    return banners[bannerIdx];
  }

  public boolean bannerTrained(int bannerIdx) {
    return bannerTrained[bannerIdx];
  }

  public int brandCount() {
    return brands.length;
  }

  public int categoryCount() {
    return categories.length;
  }

  public int bannerCount() {
    return banners.length;
  }

  /**
   * Adds {@code weight} times the vector of a product (brand, category) to {@code acc}: the mean of the
   * two vectors, or the one that is known.
   */
  public void addItemVector(int brandIdx, int categoryIdx, float weight, float[] acc) {
    addItemVector(brandIdx, categoryIdx, weight, acc, 0);
  }

  /** As above, into {@code acc[off .. off + dim]}. */
  public void addItemVector(int brandIdx, int categoryIdx, float weight, float[] acc, int off) {
    boolean hasBrand = brandIdx != Vocabulary.UNKNOWN;
    boolean hasCat = categoryIdx != Vocabulary.UNKNOWN;
    if (hasBrand && hasCat) {
      float[] b = brands[brandIdx];
      float[] c = categories[categoryIdx];
      float h = 0.5f * weight;
      for (int i = 0; i < dim; i++) {
        acc[off + i] += h * (b[i] + c[i]);
      }
    } else if (hasBrand || hasCat) {
      float[] v = hasBrand ? brands[brandIdx] : categories[categoryIdx];
      for (int i = 0; i < dim; i++) {
        acc[off + i] += weight * v[i];
      }
    }
  }

  /** The cold-banner vector: the item vector of the banner's brand and category. */
  public static float[] composeColdBanner(float[] brand, float[] category) {
    float[] out = new float[brand.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = 0.5f * (brand[i] + category[i]);
    }
    return out;
  }

  /** Cosine similarity; 0 when either vector is zero. */
  public static float cosine(float[] a, float[] b) {
    return cosine(dot(a, b), dot(a, a), dot(b, b));
  }

  /**
   * Cosine similarity from a dot product and the two squared norms, each as {@link #dot} computes it; 0 when
   * either norm is zero. Scorers cache the squared norms, so that per candidate only the dot product is left.
   */
  public static float cosine(float dot, float normSqA, float normSqB) {
    if (normSqA == 0f || normSqB == 0f) {
      return 0f;
    }
    return (float) (dot / Math.sqrt((double) normSqA * normSqB));
  }

  /**
   * {@code a · b} over {@code a.length} values, in float with eight partial sums: the fixed summation order every
   * cosine uses, offline and online, and short dependency chains for the scoring hot path.
   */
  public static float dot(float[] a, float[] b) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    float s4 = 0f;
    float s5 = 0f;
    float s6 = 0f;
    float s7 = 0f;
    int n = a.length;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
      s4 += a[i + 4] * b[i + 4];
      s5 += a[i + 5] * b[i + 5];
      s6 += a[i + 6] * b[i + 6];
      s7 += a[i + 7] * b[i + 7];
    }
    for (; i < n; i++) {
      s0 += a[i] * b[i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }
}
