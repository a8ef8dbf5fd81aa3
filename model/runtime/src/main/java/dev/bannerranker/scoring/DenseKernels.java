package dev.bannerranker.scoring;

/** Small scalar helpers of the scorer; the batched matrix work is in {@link MatrixKernels}. */
public final class DenseKernels {
  private DenseKernels() {}

  /** {@code acc += a * row}. */
  public static void axpy(float a, float[] row, int rowOff, float[] acc, int accOff, int m) {
    for (int j = 0; j < m; j++) {
      acc[accOff + j] += a * row[rowOff + j];
    }
  }

  public static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + Math.exp(-x)));
  }
}
