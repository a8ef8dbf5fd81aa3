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

  /**
   * e^x for x ≤ 0 in float precision (relative error about 1e-7, the Cephes expf polynomial), several times cheaper
   * than {@link Math#exp}: the attention's softmax takes one per event and candidate.
   */
  public static float expNonPositive(float x) {
    if (x < -87f) {
      return 0f;
    }
    int n = Math.round(x * 1.44269504f); // x / ln 2
    float r = x - n * 0.693359375f + n * 2.12194440e-4f; // x - n ln 2, ln 2 in two parts
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1f;
    return y * Float.intBitsToFloat((n + 127) << 23);
  }
}
