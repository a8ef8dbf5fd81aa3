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
    boolean hasBrand = brandIdx != Vocabulary.UNKNOWN;
    boolean hasCat = categoryIdx != Vocabulary.UNKNOWN;
    if (hasBrand && hasCat) {
      float[] b = brands[brandIdx];
      float[] c = categories[categoryIdx];
      float h = 0.5f * weight;
      for (int i = 0; i < dim; i++) {
        acc[i] += h * (b[i] + c[i]);
      }
    } else if (hasBrand || hasCat) {
      float[] v = hasBrand ? brands[brandIdx] : categories[categoryIdx];
      for (int i = 0; i < dim; i++) {
        acc[i] += weight * v[i];
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
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    if (na == 0 || nb == 0) {
      return 0f;
    }
    return (float) (dot / Math.sqrt(na * nb));
  }
}
