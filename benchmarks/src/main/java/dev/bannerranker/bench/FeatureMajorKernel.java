package dev.bannerranker.bench;

import dev.bannerranker.scoring.DenseKernels;
import dev.bannerranker.scoring.WideDeepWeights;
import java.util.List;

/**
 * A prototype of the per-candidate matrix work in plain Java (no Vector API), kept in the benchmarks as evidence for a
 * change to {@link DenseKernels}: the same arithmetic as {@code WideDeepScorer.predict}, but with the activations
 * stored feature-major ({@code [unit][candidate]}) so that every inner loop runs over the N candidates. Those loops
 * are long (50-1000) and C2 vectorises them at full width with fused multiply-adds ({@link Math#fma}); the scorer's
 * rank-1 updates run over 32-64 units instead, which is shorter than one unrolled AVX-512 loop body, so most of
 * their time goes to loop entry and scalar tails; worse, {@code DenseKernels.axpy} indexes one array at two offsets,
 * which C2 does not vectorise at all (see {@link #accumulate}). Two outputs and four inputs are folded per pass, so
 * each output vector is loaded and stored once per four FMAs and each input vector feeds two.
 */
final class FeatureMajorKernel {
  private final int h1;
  private final int crossN;
  /** Transposed, zero-padded weights per layer: {@code [pad2(out)][pad4(in)]}; the first is W1's per-candidate rows. */
  private final float[][] wT;
  private final float[][] bias;
  /** Units per activation layer: the per-candidate inputs, then every hidden layer, then the output (1). */
  private final int[] widths;
  private final float outB;

  private int capacity;
  /** {@code act[0]}: the per-candidate inputs; {@code act[l]}: hidden layer l; last: the deep output. */
  private float[][][] act;

  FeatureMajorKernel(WideDeepWeights w, int crossOff, int crossN) {
    List<WideDeepWeights.DenseLayer> hidden = w.hidden();
    this.h1 = hidden.get(0).nOut();
    this.crossN = crossN;
    int layers = hidden.size() + 1;
    widths = new int[layers + 1];
    wT = new float[layers][];
    bias = new float[layers][];
    widths[0] = crossN;
    float[][] w1 = hidden.get(0).w();
    float[][] first = new float[crossN][];
    for (int c = 0; c < crossN; c++) {
      first[c] = w1[crossOff + c];
    }
    for (int l = 0; l < layers; l++) {
      float[][] m;
      if (l == 0) {
        m = first;
      } else if (l < hidden.size()) {
        m = hidden.get(l).w();
        bias[l] = hidden.get(l).b();
      } else {
        float[] o = w.outputWeights();
        m = new float[o.length][1];
        for (int i = 0; i < o.length; i++) {
          m[i][0] = o[i];
        }
      }
      int in = m.length;
      int out = m[0].length;
      int kp = pad(in, 4);
      float[] t = new float[pad(out, 2) * kp];
      for (int kk = 0; kk < in; kk++) {
        for (int j = 0; j < out; j++) {
          t[j * kp + kk] = m[kk][j];
        }
      }
      wT[l] = t;
      widths[l + 1] = out;
    }
    outB = w.outputBias();
  }

  private static int pad(int x, int to) {
    return (x + to - 1) / to * to;
  }

  private void ensure(int n) {
    if (n > capacity) {
      capacity = n;
      act = new float[widths.length][][];
      for (int l = 0; l < widths.length; l++) {
        act[l] = new float[Math.max(pad(widths[l], 4), pad(widths[l], 2))][n]; // padded rows stay zero
      }
    }
  }

  /**
   * Probabilities of {@code n} candidates from the user part, each candidate's banner part, the candidate-major
   * per-candidate first-layer inputs ({@code n × crossN}: cross block and taste product) and the wide sums.
   */
  void score(float[] userPart, float[][] bannerParts, float[] cross, float[] wideSum, int n, float[] out) {
    ensure(n);
    float[][] xT = act[0];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < crossN; c++) {
        xT[c][i] = cross[i * crossN + c];
      }
    }
    float[][] h = act[1];
    for (int i = 0; i < n; i++) {
      float[] bp = bannerParts[i];
      for (int j = 0; j < h1; j++) {
        h[j][i] = userPart[j] + bp[j];
      }
    }
    int last = widths.length - 1;
    for (int l = 0; l < last; l++) {
      float[][] y = act[l + 1];
      if (l > 0) {
        float[] b = l < bias.length && bias[l] != null ? bias[l] : null;
        for (int j = 0; j < widths[l + 1]; j++) {
          java.util.Arrays.fill(y[j], 0, n, b == null ? outB : b[j]);
        }
      }
      accumulate(act[l], pad(widths[l], 4), n, wT[l], pad(widths[l + 1], 2), y);
      if (l + 1 < last) {
        relu(y, widths[l + 1], n);
      }
    }
    float[] d = act[last][0];
    for (int i = 0; i < n; i++) {
      out[i] = DenseKernels.sigmoid(d[i] + wideSum[i]);
    }
  }

  /**
   * {@code y[j][0..n) += Σ_kk wT[j·k + kk] · x[kk][0..n)}, two outputs and four inputs per pass; {@code k} is a
   * multiple of 4 and {@code m} of 2 (the weights are padded with zeros). Every row is its own array and every
   * access is {@code row[i]}: with one array and two offsets ({@code y[o + i] += w * x[p + i]}, as in
   * {@code DenseKernels.axpy}) C2 (JDK 17) cannot rule out overlap and leaves the loop scalar. The method has no
   * remainder loops either: with them C2 left the main loop scalar too.
   */
  private static void accumulate(float[][] x, int k, int n, float[] wT, int m, float[][] y) {
    for (int j = 0; j < m; j += 2) {
      float[] ya = y[j];
      float[] yb = y[j + 1];
      int wa = j * k;
      int wb = wa + k;
      for (int kk = 0; kk < k; kk += 4) {
        float a0 = wT[wa + kk];
        float a1 = wT[wa + kk + 1];
        float a2 = wT[wa + kk + 2];
        float a3 = wT[wa + kk + 3];
        float b0 = wT[wb + kk];
        float b1 = wT[wb + kk + 1];
        float b2 = wT[wb + kk + 2];
        float b3 = wT[wb + kk + 3];
        float[] x0 = x[kk];
        float[] x1 = x[kk + 1];
        float[] x2 = x[kk + 2];
        float[] x3 = x[kk + 3];
        for (int i = 0; i < n; i++) {
          float v0 = x0[i];
          float v1 = x1[i];
          float v2 = x2[i];
          float v3 = x3[i];
          ya[i] = Math.fma(a3, v3, Math.fma(a2, v2, Math.fma(a1, v1, Math.fma(a0, v0, ya[i]))));
          yb[i] = Math.fma(b3, v3, Math.fma(b2, v2, Math.fma(b1, v1, Math.fma(b0, v0, yb[i]))));
        }
      }
    }
  }

  private static void relu(float[][] rows, int units, int n) {
    for (int j = 0; j < units; j++) {
      float[] r = rows[j];
      for (int i = 0; i < n; i++) {
        r[i] = Math.max(r[i], 0f);
      }
    }
  }
}
