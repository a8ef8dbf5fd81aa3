package dev.bannerranker.scoring;

/**
 * The matrix kernels of the scorer, over row-major float arrays. This is the scalar implementation; it is
 * written as rank-1 updates over contiguous rows so that C2 auto-vectorises the inner loop.
 */
public final class DenseKernels {
  private DenseKernels() {}

  /**
   * {@code out[i, :] = relu(in[i, :] · w + b)} for {@code n} rows; {@code in} is {@code n×k}, {@code w} is
   * {@code k×m}, {@code out} is {@code n×m}.
   */
  public static void denseRelu(float[] in, int n, int k, float[] w, float[] b, int m, float[] out) {
    for (int i = 0; i < n; i++) {
      int o = i * m;
      System.arraycopy(b, 0, out, o, m);
      int r = i * k;
      for (int kk = 0; kk < k; kk++) {
        float a = in[r + kk];
        if (a == 0f) {
          continue; // ReLU outputs are often zero; skipping them is exact
        }
        int wr = kk * m;
        for (int j = 0; j < m; j++) {
          out[o + j] += a * w[wr + j];
        }
      }
      for (int j = 0; j < m; j++) {
        if (out[o + j] < 0f) {
          out[o + j] = 0f;
        }
      }
    }
  }

  /** {@code out[i] = in[i, :] · w + b}. */
  public static void denseOut(float[] in, int n, int k, float[] w, float b, float[] out) {
    for (int i = 0; i < n; i++) {
      float s = b;
      int r = i * k;
      for (int kk = 0; kk < k; kk++) {
        s += in[r + kk] * w[kk];
      }
      out[i] = s;
    }
  }

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
