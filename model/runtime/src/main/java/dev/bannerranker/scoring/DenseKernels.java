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

  /** Below this, e^x is under float's normal range and {@link #expNonPositive} gives 0. */
  static final float EXP_MIN = -87f;
  static final float LOG2E = 1.44269504f;
  /** ln 2 in two parts, so that x - n ln 2 is exact enough. */
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = 2.12194440e-4f;
  /** Added and subtracted, rounds a float below 2^22 in magnitude to the nearest integer (ties to even). */
  static final float ROUNDER = 12582912f; // 1.5 × 2^23
  /** The Cephes expf polynomial, highest degree first. */
  static final float P0 = 1.9875691500e-4f;
  static final float P1 = 1.3981999507e-3f;
  static final float P2 = 8.3334519073e-3f;
  static final float P3 = 4.1665795894e-2f;
  static final float P4 = 1.6666665459e-1f;
  static final float P5 = 5.0000001201e-1f;

  /**
   * e^x for x ≤ 0 in float precision (relative error about 1e-7, the Cephes expf polynomial), several times cheaper
   * than {@link Math#exp}: the attention's softmax takes one per event and candidate. The Panama kernels compute the
   * same steps lane by lane ({@code PanamaKernels.exp}), so both kernels give the same values.
   */
  public static float expNonPositive(float x) {
    if (x < EXP_MIN) {
      return 0f;
    }
    float n = (x * LOG2E + ROUNDER) - ROUNDER; // round(x / ln 2)
    float r = x - n * LN2_HI + n * LN2_LO;
    float p = P0;
    p = p * r + P1;
    p = p * r + P2;
    p = p * r + P3;
    p = p * r + P4;
    p = p * r + P5;
    float y = p * r * r + r + 1f;
    return y * Float.intBitsToFloat(((int) n + 127) << 23);
  }

  /** The {@code len} values at {@code off} replaced by their softmax. */
  static void softmax(float[] a, int off, int len) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = off; j < off + len; j++) {
      max = Math.max(max, a[j]);
    }
    float sum = 0f;
    for (int j = off; j < off + len; j++) {
      float p = expNonPositive(a[j] - max);
      a[j] = p;
      sum += p;
    }
    float inv = 1f / sum;
    for (int j = off; j < off + len; j++) {
      a[j] *= inv;
    }
  }
}
