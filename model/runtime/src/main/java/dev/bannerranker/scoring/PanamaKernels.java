package dev.bannerranker.scoring;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. The GEMM is register-blocked: a tile of 4 rows × 2 vectors stays in 8 accumulator
 * registers across the whole reduction, so each weight vector loaded serves 4 rows and each broadcast
 * input serves 2 vectors. Only loaded when {@code jdk.incubator.vector} is present (see {@link KernelChoice}).
 */
final class PanamaKernels implements MatrixKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  public void gemmAccumulate(float[] x, int n, int k, float[] w, int wOff, int m, float[] out) {
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      int j = 0;
      for (; j + 2 * L <= m; j += 2 * L) {
        tile4x2(x, i, k, w, wOff, m, j, out);
      }
      for (; j + L <= m; j += L) {
        tile4x1(x, i, k, w, wOff, m, j, out);
      }
      if (j < m) {
        ScalarKernels.INSTANCE.gemmAccumulateColumns(x, i, 4, k, w, wOff, m, j, out);
      }
    }
    for (; i < n; i++) {
      int j = 0;
      for (; j + L <= m; j += L) {
        FloatVector acc = FloatVector.fromArray(S, out, i * m + j);
        for (int kk = 0; kk < k; kk++) {
          acc = FloatVector.fromArray(S, w, wOff + kk * m + j).fma(FloatVector.broadcast(S, x[i * k + kk]), acc);
        }
        acc.intoArray(out, i * m + j);
      }
      if (j < m) {
        ScalarKernels.INSTANCE.gemmAccumulateColumns(x, i, 1, k, w, wOff, m, j, out);
      }
    }
  }

  private static void tile4x2(float[] x, int i, int k, float[] w, int wOff, int m, int j, float[] out) {
    int o0 = i * m + j;
    int o1 = o0 + m;
    int o2 = o1 + m;
    int o3 = o2 + m;
    FloatVector a00 = FloatVector.fromArray(S, out, o0);
    FloatVector a01 = FloatVector.fromArray(S, out, o0 + L);
    FloatVector a10 = FloatVector.fromArray(S, out, o1);
    FloatVector a11 = FloatVector.fromArray(S, out, o1 + L);
    FloatVector a20 = FloatVector.fromArray(S, out, o2);
    FloatVector a21 = FloatVector.fromArray(S, out, o2 + L);
    FloatVector a30 = FloatVector.fromArray(S, out, o3);
    FloatVector a31 = FloatVector.fromArray(S, out, o3 + L);
    int x0 = i * k;
    for (int kk = 0; kk < k; kk++) {
      int wr = wOff + kk * m + j;
      FloatVector w0 = FloatVector.fromArray(S, w, wr);
      FloatVector w1 = FloatVector.fromArray(S, w, wr + L);
      FloatVector b0 = FloatVector.broadcast(S, x[x0 + kk]);
      FloatVector b1 = FloatVector.broadcast(S, x[x0 + k + kk]);
      FloatVector b2 = FloatVector.broadcast(S, x[x0 + 2 * k + kk]);
      FloatVector b3 = FloatVector.broadcast(S, x[x0 + 3 * k + kk]);
      a00 = w0.fma(b0, a00);
      a01 = w1.fma(b0, a01);
      a10 = w0.fma(b1, a10);
      a11 = w1.fma(b1, a11);
      a20 = w0.fma(b2, a20);
      a21 = w1.fma(b2, a21);
      a30 = w0.fma(b3, a30);
      a31 = w1.fma(b3, a31);
    }
    a00.intoArray(out, o0);
    a01.intoArray(out, o0 + L);
    a10.intoArray(out, o1);
    a11.intoArray(out, o1 + L);
    a20.intoArray(out, o2);
    a21.intoArray(out, o2 + L);
    a30.intoArray(out, o3);
    a31.intoArray(out, o3 + L);
  }

  private static void tile4x1(float[] x, int i, int k, float[] w, int wOff, int m, int j, float[] out) {
    int o0 = i * m + j;
    FloatVector a0 = FloatVector.fromArray(S, out, o0);
    FloatVector a1 = FloatVector.fromArray(S, out, o0 + m);
    FloatVector a2 = FloatVector.fromArray(S, out, o0 + 2 * m);
    FloatVector a3 = FloatVector.fromArray(S, out, o0 + 3 * m);
    int x0 = i * k;
    for (int kk = 0; kk < k; kk++) {
      FloatVector wv = FloatVector.fromArray(S, w, wOff + kk * m + j);
      a0 = wv.fma(FloatVector.broadcast(S, x[x0 + kk]), a0);
      a1 = wv.fma(FloatVector.broadcast(S, x[x0 + k + kk]), a1);
      a2 = wv.fma(FloatVector.broadcast(S, x[x0 + 2 * k + kk]), a2);
      a3 = wv.fma(FloatVector.broadcast(S, x[x0 + 3 * k + kk]), a3);
    }
    a0.intoArray(out, o0);
    a1.intoArray(out, o0 + m);
    a2.intoArray(out, o0 + 2 * m);
    a3.intoArray(out, o0 + 3 * m);
  }

  @Override
  public void gemv(float[] x, int n, int k, float[] v, float b, float[] out) {
    for (int i = 0; i < n; i++) {
      int kk = 0;
      FloatVector acc = FloatVector.zero(S);
      for (; kk + L <= k; kk += L) {
        acc = FloatVector.fromArray(S, x, i * k + kk).fma(FloatVector.fromArray(S, v, kk), acc);
      }
      float s = b + acc.reduceLanes(VectorOperators.ADD);
      for (; kk < k; kk++) {
        s += x[i * k + kk] * v[kk];
      }
      out[i] = s;
    }
  }

  @Override
  public void relu(float[] a, int len) {
    int i = 0;
    FloatVector zero = FloatVector.zero(S);
    for (; i + L <= len; i += L) {
      FloatVector.fromArray(S, a, i).max(zero).intoArray(a, i);
    }
    for (; i < len; i++) {
      if (a[i] < 0f) {
        a[i] = 0f;
      }
    }
  }

  @Override
  public String name() {
    return "panama-" + S.vectorBitSize() + "bit";
  }
}
