package dev.bannerranker.scoring;

/** Plain-Java kernels: the default and the reference the Panama kernels are tested against. */
final class ScalarKernels implements MatrixKernels {
  static final ScalarKernels INSTANCE = new ScalarKernels();

  @Override
  public void gemmAccumulate(float[] x, int n, int k, float[] w, int wOff, int m, float[] out) {
    for (int i = 0; i < n; i++) {
      int o = i * m;
      for (int kk = 0; kk < k; kk++) {
        float a = x[i * k + kk];
        if (a == 0f) {
          continue; // ReLU outputs are often zero; skipping them is exact
        }
        int wr = wOff + kk * m;
        for (int j = 0; j < m; j++) {
          out[o + j] += a * w[wr + j];
        }
      }
    }
  }

  /** The GEMM restricted to rows {@code [i0, i0+rows)} and columns {@code [j0, m)}: the Panama kernels' tail. */
  void gemmAccumulateColumns(float[] x, int i0, int rows, int k, float[] w, int wOff, int m, int j0, float[] out) {
    for (int i = i0; i < i0 + rows; i++) {
      for (int kk = 0; kk < k; kk++) {
        float a = x[i * k + kk];
        int wr = wOff + kk * m;
        for (int j = j0; j < m; j++) {
          out[i * m + j] += a * w[wr + j];
        }
      }
    }
  }

  @Override
  public void gemv(float[] x, int n, int k, float[] v, float b, float[] out) {
    for (int i = 0; i < n; i++) {
      float s = b;
      for (int kk = 0; kk < k; kk++) {
        s += x[i * k + kk] * v[kk];
      }
      out[i] = s;
    }
  }

  @Override
  public String name() {
    return "scalar";
  }
}
