package dev.bannerranker.trainer.dataset;

/**
 * One row per impression, columnar, with every feature in raw (unstandardised) form, computed
 * point-in-time: a row sees only what happened strictly before its impression. Training, the baselines
 * and evaluation all read rows from here.
 */
public final class ImpressionDataset {
  public final int size;
  public final int dim;
  public final int wideCount;
  public final float[] userVector;      // size * dim
  public final double[] userScalars;    // size * USER_SCALARS
  public final int[] userCats;          // size * USER_FIELDS
  public final int[] bannerIdx;         // size
  public final double[] bannerScalars;  // size * BANNER_SCALARS (leave-one-out CTR on train rows)
  public final double[] crossScalars;   // size * CROSS_SCALARS
  public final int[] wide;              // size * wideCount
  public final int tasteCount;
  public final int[] tasteBrands;       // size * tasteCount: the user's ranked brands for the taste tower
  public final boolean[] clicked;
  public final boolean[] converted;    // false when the data has no conversions
  public final byte[] part;             // TimeSplit.TRAIN / VALID / TEST
  public final long[] time;
  public final int[] userIdx;           // dense user number, for per-user metrics
  public final int[] slot;
  public final float[] trueCtr;         // NaN when the data has no truth
  public final float[] trueCvr;         // the true probability that a click converts; NaN without that truth
  /** Sequence attention's events per row (0 without it), and their brand, category and code, size * sequenceLength. */
  public final int sequenceLength;
  public final int[] sequenceBrands;
  public final int[] sequenceCategories;
  public final int[] sequenceCodes;

  public ImpressionDataset(int size, int dim, int wideCount, int userFields, int userScalarCount, int bannerScalarCount,
      int crossCount, int tasteCount) {
    this(size, dim, wideCount, userFields, userScalarCount, bannerScalarCount, crossCount, tasteCount, 0);
  }

  public ImpressionDataset(int size, int dim, int wideCount, int userFields, int userScalarCount, int bannerScalarCount,
      int crossCount, int tasteCount, int sequenceLength) {
    this.sequenceLength = sequenceLength;
    sequenceBrands = new int[size * sequenceLength];
    sequenceCategories = new int[size * sequenceLength];
    sequenceCodes = new int[size * sequenceLength];
    this.tasteCount = tasteCount;
    tasteBrands = new int[size * tasteCount];
    this.size = size;
    this.dim = dim;
    this.wideCount = wideCount;
    userVector = new float[size * dim];
    userScalars = new double[size * userScalarCount];
    userCats = new int[size * userFields];
    bannerIdx = new int[size];
    bannerScalars = new double[size * bannerScalarCount];
    crossScalars = new double[size * crossCount];
    wide = new int[size * wideCount];
    clicked = new boolean[size];
    converted = new boolean[size];
    part = new byte[size];
    time = new long[size];
    userIdx = new int[size];
    slot = new int[size];
    trueCtr = new float[size];
    trueCvr = new float[size];
    java.util.Arrays.fill(trueCvr, Float.NaN);
  }

  private ImpressionDataset(ImpressionDataset base, boolean[] labels) {
    size = base.size;
    dim = base.dim;
    wideCount = base.wideCount;
    userVector = base.userVector;
    userScalars = base.userScalars;
    userCats = base.userCats;
    bannerIdx = base.bannerIdx;
    bannerScalars = base.bannerScalars;
    crossScalars = base.crossScalars;
    wide = base.wide;
    tasteCount = base.tasteCount;
    tasteBrands = base.tasteBrands;
    clicked = labels;
    converted = base.converted;
    part = base.part;
    time = base.time;
    userIdx = base.userIdx;
    slot = base.slot;
    trueCtr = base.trueCtr;
    trueCvr = base.trueCvr;
    sequenceLength = base.sequenceLength;
    sequenceBrands = base.sequenceBrands;
    sequenceCategories = base.sequenceCategories;
    sequenceCodes = base.sequenceCodes;
  }

  /**
   * The same rows (sharing every array) whose label, the {@code clicked} a click model trains on, is {@code labels}
   * instead: e.g. the conversions, for a conversion model trained the way of a click model.
   */
  public ImpressionDataset withLabels(boolean[] labels) {
    if (labels.length != size) {
      throw new IllegalArgumentException(labels.length + " labels for " + size + " rows");
    }
    return new ImpressionDataset(this, labels);
  }

  /** Row indices of one part, in time order. */
  public int[] rowsOf(int wantedPart) {
    int n = 0;
    for (byte p : part) {
      if (p == wantedPart) {
        n++;
      }
    }
    int[] out = new int[n];
    int k = 0;
    for (int i = 0; i < size; i++) {
      if (part[i] == wantedPart) {
        out[k++] = i;
      }
    }
    return out;
  }
}
