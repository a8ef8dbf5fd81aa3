package dev.bannerranker.scoring;

/** Plain-Java kernels: the default and the reference the Panama kernels are tested against. */
final class ScalarKernels implements MatrixKernels {
  static final ScalarKernels INSTANCE = new ScalarKernels();

  @Override
  public void gemm(float[] x, int xOff, int n, int k, float[] w, int wOff, int m, float[] init, int initOff,
      int initStride, float[] out, int outOff, boolean relu) {
    for (int i = 0; i < n; i++) {
      int o = outOff + i * m;
      System.arraycopy(init, initOff + i * initStride, out, o, m);
      for (int kk = 0; kk < k; kk++) {
        float a = x[xOff + i * k + kk];
        if (a == 0f) {
          continue; // ReLU outputs are often zero; skipping them is exact
        }
        int wr = wOff + kk * m;
        for (int j = 0; j < m; j++) {
          out[o + j] += a * w[wr + j];
        }
      }
      if (relu) {
        relu(out, o, m);
      }
    }
  }

  @Override
  public void addOuterLower(double[] a, int n, double[] x, int[] rows, double[] scales, int count) {
    for (int k = 0; k < count; k++) {
      int r = rows[k] * n;
      for (int i = 0; i < n; i++) {
        double s = scales[k] * x[r + i];
        int row = i * n;
        for (int j = 0; j <= i; j++) {
          a[row + j] += s * x[r + j];
        }
      }
    }
  }

  @Override
  public void addRowsScaled(double[] y, int n, double[] x, int[] rows, double[] scales, int count) {
    for (int k = 0; k < count; k++) {
      int r = rows[k] * n;
      for (int i = 0; i < n; i++) {
        y[i] += scales[k] * x[r + i];
      }
    }
  }

  @Override
  public void scoresTransposed(double[] t, int n, int c, double[] bias, double[] v, double[] out) {
    for (int k = 0; k < c; k++) {
      double s = bias[k];
      for (int i = 0; i < n; i++) {
        s += t[i * c + k] * v[i];
      }
      out[k] = s;
    }
  }

  @Override
  public void addRows(float[] a, float[][] rows, int first, int n, int width, float[] out) {
    for (int i = 0; i < n; i++) {
      float[] r = rows[first + i];
      for (int j = 0; j < width; j++) {
        out[i * width + j] = a[j] + r[j];
      }
    }
  }

  /**
   * {@link #gemm} restricted to rows {@code [i0, i0+rows)} and columns {@code [j0, m)}: the Panama kernels' tail.
   */
  void gemmColumns(float[] x, int xOff, int i0, int rows, int k, float[] w, int wOff, int m, int j0, float[] init,
      int initOff, int initStride, float[] out, int outOff, boolean relu) {
    for (int i = i0; i < i0 + rows; i++) {
      int o = outOff + i * m;
      int in = initOff + i * initStride;
      for (int j = j0; j < m; j++) {
        out[o + j] = init[in + j];
      }
      for (int kk = 0; kk < k; kk++) {
        float a = x[xOff + i * k + kk];
        int wr = wOff + kk * m;
        for (int j = j0; j < m; j++) {
          out[o + j] += a * w[wr + j];
        }
      }
      if (relu) {
        for (int j = j0; j < m; j++) {
          out[o + j] = Math.max(out[o + j], 0f);
        }
      }
    }
  }

  @Override
  public void gemv(float[] x, int xOff, int n, int k, float[] v, float b, float[] out, int outOff) {
    for (int i = 0; i < n; i++) {
      float s = b;
      for (int kk = 0; kk < k; kk++) {
        s += x[xOff + i * k + kk] * v[kk];
      }
      out[outOff + i] = s;
    }
  }

  @Override
  public String name() {
    return "scalar";
  }
}
