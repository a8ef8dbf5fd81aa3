package dev.bannerranker.scoring;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. The GEMM is register-blocked: a tile of output rows × output vectors stays in accumulator
 * registers across the whole reduction, so each weight vector loaded serves every row of the tile and each broadcast
 * input serves every vector; the tile starts from its init rows and applies the ReLU before its only store. With
 * 512-bit vectors (32 registers) the tiles hold 16 accumulators: 4 rows × 4 vectors for wide layers, 8 rows × 2
 * vectors for narrow ones; with narrower vectors (16 registers) they stay at 4 × 2 so nothing spills. Only loaded when
 * {@code jdk.incubator.vector} is present (see {@link KernelChoice}).
 *
 * <p>Each tile shape is written out accumulator by accumulator: C2 keeps named {@code FloatVector} locals in
 * registers across the loop, but not the elements of an array of vectors, so a generic tile would spill every FMA.
 */
final class PanamaKernels implements MatrixKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** 512-bit vectors come with 32 registers (AVX-512), room for 16 accumulators. */
  private static final boolean BIG_TILES = S.vectorBitSize() >= 512;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final int DL = D.length();

  @Override
  public void gemm(float[] x, int xOff, int n, int k, float[] w, int wOff, int m, float[] init, int initOff,
      int initStride, float[] out, int outOff, boolean relu) {
    int i = 0;
    if (BIG_TILES) {
      for (; i + 8 <= n; i += 8) {
        int xr = xOff + i * k;
        int ir = initOff + i * initStride;
        int or = outOff + i * m;
        int j = 0;
        for (; j + 4 * L <= m; j += 4 * L) {
          tile4x4(x, xr, k, w, wOff + j, m, init, ir + j, initStride, out, or + j, relu);
          tile4x4(x, xr + 4 * k, k, w, wOff + j, m, init, ir + 4 * initStride + j, initStride, out, or + 4 * m + j,
              relu);
        }
        for (; j + 2 * L <= m; j += 2 * L) {
          tile8x2(x, xr, k, w, wOff + j, m, init, ir + j, initStride, out, or + j, relu);
        }
        for (; j + L <= m; j += L) {
          tile4x1(x, xr, k, w, wOff + j, m, init, ir + j, initStride, out, or + j, relu);
          tile4x1(x, xr + 4 * k, k, w, wOff + j, m, init, ir + 4 * initStride + j, initStride, out, or + 4 * m + j,
              relu);
        }
        if (j < m) {
          ScalarKernels.INSTANCE.gemmColumns(x, xOff, i, 8, k, w, wOff, m, j, init, initOff, initStride, out, outOff,
              relu);
        }
      }
    }
    for (; i + 4 <= n; i += 4) {
      int xr = xOff + i * k;
      int ir = initOff + i * initStride;
      int or = outOff + i * m;
      int j = 0;
      if (BIG_TILES) {
        for (; j + 4 * L <= m; j += 4 * L) {
          tile4x4(x, xr, k, w, wOff + j, m, init, ir + j, initStride, out, or + j, relu);
        }
      }
      for (; j + 2 * L <= m; j += 2 * L) {
        tile4x2(x, xr, k, w, wOff + j, m, init, ir + j, initStride, out, or + j, relu);
      }
      for (; j + L <= m; j += L) {
        tile4x1(x, xr, k, w, wOff + j, m, init, ir + j, initStride, out, or + j, relu);
      }
      if (j < m) {
        ScalarKernels.INSTANCE.gemmColumns(x, xOff, i, 4, k, w, wOff, m, j, init, initOff, initStride, out, outOff,
            relu);
      }
    }
    for (; i < n; i++) {
      int xr = xOff + i * k;
      int ir = initOff + i * initStride;
      int or = outOff + i * m;
      int j = 0;
      for (; j + L <= m; j += L) {
        FloatVector acc = FloatVector.fromArray(S, init, ir + j);
        for (int kk = 0; kk < k; kk++) {
          acc = FloatVector.fromArray(S, w, wOff + kk * m + j).fma(FloatVector.broadcast(S, x[xr + kk]), acc);
        }
        if (relu) {
          acc = acc.max(FloatVector.zero(S));
        }
        acc.intoArray(out, or + j);
      }
      if (j < m) {
        ScalarKernels.INSTANCE.gemmColumns(x, xOff, i, 1, k, w, wOff, m, j, init, initOff, initStride, out, outOff,
            relu);
      }
    }
  }

  /** 4 rows × 4 vectors: 16 accumulators. */
  private static void tile4x4(float[] x, int x0, int k, float[] w, int w0, int m, float[] init, int i0, int is,
      float[] out, int o0, boolean relu) {
    FloatVector a00 = FloatVector.fromArray(S, init, i0);
    FloatVector a01 = FloatVector.fromArray(S, init, i0 + L);
    FloatVector a02 = FloatVector.fromArray(S, init, i0 + 2 * L);
    FloatVector a03 = FloatVector.fromArray(S, init, i0 + 3 * L);
    FloatVector a10 = FloatVector.fromArray(S, init, i0 + is);
    FloatVector a11 = FloatVector.fromArray(S, init, i0 + is + L);
    FloatVector a12 = FloatVector.fromArray(S, init, i0 + is + 2 * L);
    FloatVector a13 = FloatVector.fromArray(S, init, i0 + is + 3 * L);
    FloatVector a20 = FloatVector.fromArray(S, init, i0 + 2 * is);
    FloatVector a21 = FloatVector.fromArray(S, init, i0 + 2 * is + L);
    FloatVector a22 = FloatVector.fromArray(S, init, i0 + 2 * is + 2 * L);
    FloatVector a23 = FloatVector.fromArray(S, init, i0 + 2 * is + 3 * L);
    FloatVector a30 = FloatVector.fromArray(S, init, i0 + 3 * is);
    FloatVector a31 = FloatVector.fromArray(S, init, i0 + 3 * is + L);
    FloatVector a32 = FloatVector.fromArray(S, init, i0 + 3 * is + 2 * L);
    FloatVector a33 = FloatVector.fromArray(S, init, i0 + 3 * is + 3 * L);
    for (int kk = 0; kk < k; kk++) {
      int wr = w0 + kk * m;
      FloatVector wv0 = FloatVector.fromArray(S, w, wr);
      FloatVector wv1 = FloatVector.fromArray(S, w, wr + L);
      FloatVector wv2 = FloatVector.fromArray(S, w, wr + 2 * L);
      FloatVector wv3 = FloatVector.fromArray(S, w, wr + 3 * L);
      FloatVector b = FloatVector.broadcast(S, x[x0 + kk]);
      a00 = wv0.fma(b, a00);
      a01 = wv1.fma(b, a01);
      a02 = wv2.fma(b, a02);
      a03 = wv3.fma(b, a03);
      b = FloatVector.broadcast(S, x[x0 + k + kk]);
      a10 = wv0.fma(b, a10);
      a11 = wv1.fma(b, a11);
      a12 = wv2.fma(b, a12);
      a13 = wv3.fma(b, a13);
      b = FloatVector.broadcast(S, x[x0 + 2 * k + kk]);
      a20 = wv0.fma(b, a20);
      a21 = wv1.fma(b, a21);
      a22 = wv2.fma(b, a22);
      a23 = wv3.fma(b, a23);
      b = FloatVector.broadcast(S, x[x0 + 3 * k + kk]);
      a30 = wv0.fma(b, a30);
      a31 = wv1.fma(b, a31);
      a32 = wv2.fma(b, a32);
      a33 = wv3.fma(b, a33);
    }
    if (relu) {
      FloatVector z = FloatVector.zero(S);
      a00 = a00.max(z);
      a01 = a01.max(z);
      a02 = a02.max(z);
      a03 = a03.max(z);
      a10 = a10.max(z);
      a11 = a11.max(z);
      a12 = a12.max(z);
      a13 = a13.max(z);
      a20 = a20.max(z);
      a21 = a21.max(z);
      a22 = a22.max(z);
      a23 = a23.max(z);
      a30 = a30.max(z);
      a31 = a31.max(z);
      a32 = a32.max(z);
      a33 = a33.max(z);
    }
    a00.intoArray(out, o0);
    a01.intoArray(out, o0 + L);
    a02.intoArray(out, o0 + 2 * L);
    a03.intoArray(out, o0 + 3 * L);
    a10.intoArray(out, o0 + m);
    a11.intoArray(out, o0 + m + L);
    a12.intoArray(out, o0 + m + 2 * L);
    a13.intoArray(out, o0 + m + 3 * L);
    a20.intoArray(out, o0 + 2 * m);
    a21.intoArray(out, o0 + 2 * m + L);
    a22.intoArray(out, o0 + 2 * m + 2 * L);
    a23.intoArray(out, o0 + 2 * m + 3 * L);
    a30.intoArray(out, o0 + 3 * m);
    a31.intoArray(out, o0 + 3 * m + L);
    a32.intoArray(out, o0 + 3 * m + 2 * L);
    a33.intoArray(out, o0 + 3 * m + 3 * L);
  }

  /** 8 rows × 2 vectors: 16 accumulators. */
  private static void tile8x2(float[] x, int x0, int k, float[] w, int w0, int m, float[] init, int i0, int is,
      float[] out, int o0, boolean relu) {
    FloatVector a00 = FloatVector.fromArray(S, init, i0);
    FloatVector a01 = FloatVector.fromArray(S, init, i0 + L);
    FloatVector a10 = FloatVector.fromArray(S, init, i0 + is);
    FloatVector a11 = FloatVector.fromArray(S, init, i0 + is + L);
    FloatVector a20 = FloatVector.fromArray(S, init, i0 + 2 * is);
    FloatVector a21 = FloatVector.fromArray(S, init, i0 + 2 * is + L);
    FloatVector a30 = FloatVector.fromArray(S, init, i0 + 3 * is);
    FloatVector a31 = FloatVector.fromArray(S, init, i0 + 3 * is + L);
    FloatVector a40 = FloatVector.fromArray(S, init, i0 + 4 * is);
    FloatVector a41 = FloatVector.fromArray(S, init, i0 + 4 * is + L);
    FloatVector a50 = FloatVector.fromArray(S, init, i0 + 5 * is);
    FloatVector a51 = FloatVector.fromArray(S, init, i0 + 5 * is + L);
    FloatVector a60 = FloatVector.fromArray(S, init, i0 + 6 * is);
    FloatVector a61 = FloatVector.fromArray(S, init, i0 + 6 * is + L);
    FloatVector a70 = FloatVector.fromArray(S, init, i0 + 7 * is);
    FloatVector a71 = FloatVector.fromArray(S, init, i0 + 7 * is + L);
    for (int kk = 0; kk < k; kk++) {
      int wr = w0 + kk * m;
      FloatVector wv0 = FloatVector.fromArray(S, w, wr);
      FloatVector wv1 = FloatVector.fromArray(S, w, wr + L);
      FloatVector b = FloatVector.broadcast(S, x[x0 + kk]);
      a00 = wv0.fma(b, a00);
      a01 = wv1.fma(b, a01);
      b = FloatVector.broadcast(S, x[x0 + k + kk]);
      a10 = wv0.fma(b, a10);
      a11 = wv1.fma(b, a11);
      b = FloatVector.broadcast(S, x[x0 + 2 * k + kk]);
      a20 = wv0.fma(b, a20);
      a21 = wv1.fma(b, a21);
      b = FloatVector.broadcast(S, x[x0 + 3 * k + kk]);
      a30 = wv0.fma(b, a30);
      a31 = wv1.fma(b, a31);
      b = FloatVector.broadcast(S, x[x0 + 4 * k + kk]);
      a40 = wv0.fma(b, a40);
      a41 = wv1.fma(b, a41);
      b = FloatVector.broadcast(S, x[x0 + 5 * k + kk]);
      a50 = wv0.fma(b, a50);
      a51 = wv1.fma(b, a51);
      b = FloatVector.broadcast(S, x[x0 + 6 * k + kk]);
      a60 = wv0.fma(b, a60);
      a61 = wv1.fma(b, a61);
      b = FloatVector.broadcast(S, x[x0 + 7 * k + kk]);
      a70 = wv0.fma(b, a70);
      a71 = wv1.fma(b, a71);
    }
    if (relu) {
      FloatVector z = FloatVector.zero(S);
      a00 = a00.max(z);
      a01 = a01.max(z);
      a10 = a10.max(z);
      a11 = a11.max(z);
      a20 = a20.max(z);
      a21 = a21.max(z);
      a30 = a30.max(z);
      a31 = a31.max(z);
      a40 = a40.max(z);
      a41 = a41.max(z);
      a50 = a50.max(z);
      a51 = a51.max(z);
      a60 = a60.max(z);
      a61 = a61.max(z);
      a70 = a70.max(z);
      a71 = a71.max(z);
    }
    a00.intoArray(out, o0);
    a01.intoArray(out, o0 + L);
    a10.intoArray(out, o0 + m);
    a11.intoArray(out, o0 + m + L);
    a20.intoArray(out, o0 + 2 * m);
    a21.intoArray(out, o0 + 2 * m + L);
    a30.intoArray(out, o0 + 3 * m);
    a31.intoArray(out, o0 + 3 * m + L);
    a40.intoArray(out, o0 + 4 * m);
    a41.intoArray(out, o0 + 4 * m + L);
    a50.intoArray(out, o0 + 5 * m);
    a51.intoArray(out, o0 + 5 * m + L);
    a60.intoArray(out, o0 + 6 * m);
    a61.intoArray(out, o0 + 6 * m + L);
    a70.intoArray(out, o0 + 7 * m);
    a71.intoArray(out, o0 + 7 * m + L);
  }

  /** 4 rows × 2 vectors: 8 accumulators. */
  private static void tile4x2(float[] x, int x0, int k, float[] w, int w0, int m, float[] init, int i0, int is,
      float[] out, int o0, boolean relu) {
    FloatVector a00 = FloatVector.fromArray(S, init, i0);
    FloatVector a01 = FloatVector.fromArray(S, init, i0 + L);
    FloatVector a10 = FloatVector.fromArray(S, init, i0 + is);
    FloatVector a11 = FloatVector.fromArray(S, init, i0 + is + L);
    FloatVector a20 = FloatVector.fromArray(S, init, i0 + 2 * is);
    FloatVector a21 = FloatVector.fromArray(S, init, i0 + 2 * is + L);
    FloatVector a30 = FloatVector.fromArray(S, init, i0 + 3 * is);
    FloatVector a31 = FloatVector.fromArray(S, init, i0 + 3 * is + L);
    for (int kk = 0; kk < k; kk++) {
      int wr = w0 + kk * m;
      FloatVector wv0 = FloatVector.fromArray(S, w, wr);
      FloatVector wv1 = FloatVector.fromArray(S, w, wr + L);
      FloatVector b = FloatVector.broadcast(S, x[x0 + kk]);
      a00 = wv0.fma(b, a00);
      a01 = wv1.fma(b, a01);
      b = FloatVector.broadcast(S, x[x0 + k + kk]);
      a10 = wv0.fma(b, a10);
      a11 = wv1.fma(b, a11);
      b = FloatVector.broadcast(S, x[x0 + 2 * k + kk]);
      a20 = wv0.fma(b, a20);
      a21 = wv1.fma(b, a21);
      b = FloatVector.broadcast(S, x[x0 + 3 * k + kk]);
      a30 = wv0.fma(b, a30);
      a31 = wv1.fma(b, a31);
    }
    if (relu) {
      FloatVector z = FloatVector.zero(S);
      a00 = a00.max(z);
      a01 = a01.max(z);
      a10 = a10.max(z);
      a11 = a11.max(z);
      a20 = a20.max(z);
      a21 = a21.max(z);
      a30 = a30.max(z);
      a31 = a31.max(z);
    }
    a00.intoArray(out, o0);
    a01.intoArray(out, o0 + L);
    a10.intoArray(out, o0 + m);
    a11.intoArray(out, o0 + m + L);
    a20.intoArray(out, o0 + 2 * m);
    a21.intoArray(out, o0 + 2 * m + L);
    a30.intoArray(out, o0 + 3 * m);
    a31.intoArray(out, o0 + 3 * m + L);
  }

  /** 4 rows × 1 vector: 4 accumulators. */
  private static void tile4x1(float[] x, int x0, int k, float[] w, int w0, int m, float[] init, int i0, int is,
      float[] out, int o0, boolean relu) {
    FloatVector a00 = FloatVector.fromArray(S, init, i0);
    FloatVector a10 = FloatVector.fromArray(S, init, i0 + is);
    FloatVector a20 = FloatVector.fromArray(S, init, i0 + 2 * is);
    FloatVector a30 = FloatVector.fromArray(S, init, i0 + 3 * is);
    for (int kk = 0; kk < k; kk++) {
      int wr = w0 + kk * m;
      FloatVector wv0 = FloatVector.fromArray(S, w, wr);
      FloatVector b = FloatVector.broadcast(S, x[x0 + kk]);
      a00 = wv0.fma(b, a00);
      b = FloatVector.broadcast(S, x[x0 + k + kk]);
      a10 = wv0.fma(b, a10);
      b = FloatVector.broadcast(S, x[x0 + 2 * k + kk]);
      a20 = wv0.fma(b, a20);
      b = FloatVector.broadcast(S, x[x0 + 3 * k + kk]);
      a30 = wv0.fma(b, a30);
    }
    if (relu) {
      FloatVector z = FloatVector.zero(S);
      a00 = a00.max(z);
      a10 = a10.max(z);
      a20 = a20.max(z);
      a30 = a30.max(z);
    }
    a00.intoArray(out, o0);
    a10.intoArray(out, o0 + m);
    a20.intoArray(out, o0 + 2 * m);
    a30.intoArray(out, o0 + 3 * m);
  }

  @Override
  public void addRows(float[] a, float[][] rows, int first, int n, int width, float[] out) {
    for (int i = 0; i < n; i++) {
      float[] r = rows[first + i];
      int o = i * width;
      int j = 0;
      for (; j + L <= width; j += L) {
        FloatVector.fromArray(S, a, j).add(FloatVector.fromArray(S, r, j)).intoArray(out, o + j);
      }
      for (; j < width; j++) {
        out[o + j] = a[j] + r[j];
      }
    }
  }

  @Override
  public void gemv(float[] x, int xOff, int n, int k, float[] v, float b, float[] out, int outOff) {
    for (int i = 0; i < n; i++) {
      int xr = xOff + i * k;
      int kk = 0;
      FloatVector acc = FloatVector.zero(S);
      for (; kk + L <= k; kk += L) {
        acc = FloatVector.fromArray(S, x, xr + kk).fma(FloatVector.fromArray(S, v, kk), acc);
      }
      float s = b + acc.reduceLanes(VectorOperators.ADD);
      for (; kk < k; kk++) {
        s += x[xr + kk] * v[kk];
      }
      out[outOff + i] = s;
    }
  }

  @Override
  public void relu(float[] a, int off, int len) {
    int i = off;
    int end = off + len;
    FloatVector zero = FloatVector.zero(S);
    for (; i + L <= end; i += L) {
      FloatVector.fromArray(S, a, i).max(zero).intoArray(a, i);
    }
    for (; i < end; i++) {
      if (a[i] < 0f) {
        a[i] = 0f;
      }
    }
  }

  /** Lane indices 0, 1, ..., L-1, for the mask of a row's last, partial vector. */
  private static final float[] LANE_INDEX = new float[L];

  static {
    for (int i = 0; i < L; i++) {
      LANE_INDEX[i] = i;
    }
  }

  /**
   * The events of a row are the lanes: a row of at most L values is one vector (its max, exponentials, sum and
   * scaling in registers), a wider row a few. Lanes past the row's end are read as -∞ (weight 0) and written back
   * with the values they held, so the next row is untouched and no masked store is needed; a row too close to the
   * array's end for a whole vector goes through the scalar softmax.
   */
  @Override
  public void softmaxRows(float[] a, int off, int n, int width) {
    int chunks = (width + L - 1) / L;
    int last = (chunks - 1) * L;
    VectorMask<Float> inRow = FloatVector.fromArray(S, LANE_INDEX, 0).compare(VectorOperators.LT, width - last);
    FloatVector minusInf = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < n; i++) {
      int o = off + i * width;
      if (o + last + L > a.length) {
        DenseKernels.softmax(a, o, width);
      } else if (chunks == 1) {
        FloatVector raw = FloatVector.fromArray(S, a, o);
        FloatVector x = minusInf.blend(raw, inRow);
        FloatVector p = exp(x.sub(x.reduceLanes(VectorOperators.MAX)));
        p.mul(1f / p.reduceLanes(VectorOperators.ADD)).blend(raw, inRow.not()).intoArray(a, o);
      } else {
        softmaxWide(a, o, last, inRow, minusInf);
      }
    }
  }

  /** {@link #softmaxRows} for one row wider than a vector: full vectors up to {@code last}, then the masked one. */
  private static void softmaxWide(float[] a, int o, int last, VectorMask<Float> inRow, FloatVector minusInf) {
    FloatVector vmax = minusInf.blend(FloatVector.fromArray(S, a, o + last), inRow);
    for (int j = 0; j < last; j += L) {
      vmax = vmax.max(FloatVector.fromArray(S, a, o + j));
    }
    float max = vmax.reduceLanes(VectorOperators.MAX);
    FloatVector vsum = FloatVector.zero(S);
    for (int j = 0; j < last; j += L) {
      FloatVector p = exp(FloatVector.fromArray(S, a, o + j).sub(max));
      p.intoArray(a, o + j);
      vsum = vsum.add(p);
    }
    FloatVector raw = FloatVector.fromArray(S, a, o + last);
    FloatVector p = exp(minusInf.blend(raw, inRow).sub(max));
    vsum = vsum.add(p);
    float inv = 1f / vsum.reduceLanes(VectorOperators.ADD);
    for (int j = 0; j < last; j += L) {
      FloatVector.fromArray(S, a, o + j).mul(inv).intoArray(a, o + j);
    }
    p.mul(inv).blend(raw, inRow.not()).intoArray(a, o + last);
  }

  /**
   * {@link DenseKernels#expNonPositive} lane by lane, in the same steps, so it gives the same values. 2^n is built
   * from the bits of {@code x log2(e) + 1.5 × 2^23}, whose low mantissa bits hold n: {@code (bits + 127) << 23}
   * reinterpreted as floats (the constant's own bits shift out). A float-to-int lane conversion instead is not
   * compiled into registers by JDK 17 and allocates.
   */
  static FloatVector exp(FloatVector x) {
    VectorMask<Float> under = x.compare(VectorOperators.LT, DenseKernels.EXP_MIN);
    FloatVector xc = x.max(DenseKernels.EXP_MIN); // keeps 2^n a normal float in the lanes zeroed below
    FloatVector t = xc.mul(DenseKernels.LOG2E).add(DenseKernels.ROUNDER);
    FloatVector n = t.sub(DenseKernels.ROUNDER);
    FloatVector r = xc.sub(n.mul(DenseKernels.LN2_HI)).add(n.mul(DenseKernels.LN2_LO));
    FloatVector p = r.mul(DenseKernels.P0).add(DenseKernels.P1);
    p = p.mul(r).add(DenseKernels.P2);
    p = p.mul(r).add(DenseKernels.P3);
    p = p.mul(r).add(DenseKernels.P4);
    p = p.mul(r).add(DenseKernels.P5);
    FloatVector y = p.mul(r).mul(r).add(r).add(1f);
    IntVector scale = t.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23);
    return y.mul(scale.reinterpretAsFloats()).blend(0f, under);
  }

  @Override
  public int pad(int n) {
    int unit = Math.max(DL, 4);
    return (n + unit - 1) / unit * unit;
  }

  /**
   * Blocks of 4 rows × one vector of columns, each block summing over every {@code k} in accumulator registers: a
   * store and reload per term would put the memory round trip on every term's path (measured about twice as slow).
   * Rows past {@code n} and columns past the diagonal are padding.
   */
  @Override
  public void addOuterLower(double[] a, int n, double[] x, int[] rows, double[] scales, int count) {
    int s = pad(n);
    for (int i = 0; i < n; i += 4) {
      for (int j = 0; j <= i + 3 && j < s; j += DL) {
        outerBlock4(a, s, i, j, x, rows, scales, count);
      }
    }
  }

  private static void outerBlock4(double[] a, int s, int i, int j, double[] x, int[] rows, double[] scales,
      int count) {
    int a0 = i * s + j;
    DoubleVector c0 = DoubleVector.fromArray(D, a, a0);
    DoubleVector c1 = DoubleVector.fromArray(D, a, a0 + s);
    DoubleVector c2 = DoubleVector.fromArray(D, a, a0 + 2 * s);
    DoubleVector c3 = DoubleVector.fromArray(D, a, a0 + 3 * s);
    for (int k = 0; k < count; k++) {
      int r = rows[k] * s;
      double sc = scales[k];
      DoubleVector xj = DoubleVector.fromArray(D, x, r + j);
      // (scale · x_i) · x_j, then the add: the scalar kernel's two roundings (products commute exactly)
      c0 = c0.add(xj.mul(sc * x[r + i]));
      c1 = c1.add(xj.mul(sc * x[r + i + 1]));
      c2 = c2.add(xj.mul(sc * x[r + i + 2]));
      c3 = c3.add(xj.mul(sc * x[r + i + 3]));
    }
    c0.intoArray(a, a0);
    c1.intoArray(a, a0 + s);
    c2.intoArray(a, a0 + 2 * s);
    c3.intoArray(a, a0 + 3 * s);
  }

  @Override
  public void addRowsScaled(double[] y, int n, double[] x, int[] rows, double[] scales, int count) {
    int s = pad(n);
    for (int i = 0; i < n; i += DL) {
      DoubleVector acc = DoubleVector.fromArray(D, y, i);
      for (int k = 0; k < count; k++) {
        acc = acc.add(DoubleVector.fromArray(D, x, rows[k] * s + i).mul(scales[k]));
      }
      acc.intoArray(y, i);
    }
  }

  @Override
  public void scoresTransposed(double[] t, int n, int c, double[] bias, double[] v, double[] out) {
    for (int k = 0; k < c; k += DL) {
      DoubleVector acc = DoubleVector.fromArray(D, bias, k);
      for (int i = 0; i < n; i++) {
        acc = acc.add(DoubleVector.fromArray(D, t, i * c + k).mul(v[i]));
      }
      acc.intoArray(out, k);
    }
  }

  @Override
  public String name() {
    return "panama-" + S.vectorBitSize() + "bit";
  }
}
