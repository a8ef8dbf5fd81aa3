package dev.bannerranker.scoring;

/**
 * The scorer's matrix kernels over row-major float arrays; every matrix is addressed by an array and the offset of
 * its first element. {@link #get()} picks the Panama (Vector API) implementation at start-up when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, and the scalar one otherwise; {@code -Dranker.kernels=scalar} forces
 * the scalar one.
 */
public interface MatrixKernels {

  /**
   * The batched dense-layer product: {@code out[i, :] = init[i, :] + x[i, :] · W}, then {@code max(·, 0)} when
   * {@code relu}, for {@code n} rows. {@code x} is the {@code n×k} matrix at {@code xOff}, {@code W} the {@code k×m}
   * matrix at {@code wOff}, {@code out} the {@code n×m} matrix at {@code outOff}; row i of {@code init} starts at
   * {@code initOff + i * initStride}, so a stride of 0 starts every row from the same bias vector and {@code init ==
   * out} with stride {@code m} accumulates in place.
   */
  void gemm(float[] x, int xOff, int n, int k, float[] w, int wOff, int m, float[] init, int initOff, int initStride,
      float[] out, int outOff, boolean relu);

  /** {@code out[i, :] = a + rows[first + i]} over {@code width} values, for {@code n} rows of {@code out}. */
  void addRows(float[] a, float[][] rows, int first, int n, int width, float[] out);

  /** {@code out[i, :] += x[i, :] · W}: {@link #gemm} accumulating in place, without ReLU. */
  default void gemmAccumulate(float[] x, int xOff, int n, int k, float[] w, int wOff, int m, float[] out, int outOff) {
    gemm(x, xOff, n, k, w, wOff, m, out, outOff, m, out, outOff, false);
  }

  /** {@code out[outOff + i] = x[i, :] · v + b} for the {@code n} rows of width {@code k} at {@code xOff}. */
  void gemv(float[] x, int xOff, int n, int k, float[] v, float b, float[] out, int outOff);

  /**
   * The padded length of the double-precision kernels' rows and blocks for {@code n} values: at least {@code n}, a
   * whole number of vectors and a multiple of 4. Padding is zero in the inputs and unspecified in the outputs.
   */
  default int pad(int n) {
    return n;
  }

  /**
   * The sum of symmetric rank-one updates of a lower triangle, in double precision: for {@code k = 0 .. count-1} in
   * turn, {@code a[i·s + j] += (scales[k] · x[r + i]) · x[r + j]} for {@code 0 ≤ j ≤ i < n}, where {@code r =
   * rows[k] · s} and {@code s = }{@link #pad}{@code (n)}. {@code a} is {@code s × s} and {@code x} holds rows of
   * {@code s} values. Each term is a multiply then an add, never fused, in the order of {@code k}, so every
   * implementation gives the same bits; the entries outside the lower triangle are left unspecified. The fold-in
   * taste's Newton steps spend most of their time here.
   */
  void addOuterLower(double[] a, int n, double[] x, int[] rows, double[] scales, int count);

  /**
   * A weighted sum of rows, in double precision: for {@code k = 0 .. count-1} in turn, {@code y[i] += scales[k] · x[r
   * + i]} for {@code i < n}, where {@code r = rows[k] · s} and {@code s = }{@link #pad}{@code (n)}; {@code y} holds
   * {@code s} values, of which those past {@code n} are left unspecified.
   */
  void addRowsScaled(double[] y, int n, double[] x, int[] rows, double[] scales, int count);

  /**
   * Linear scores of a block held transposed, in double precision: {@code out[k] = bias[k] + t[0·c + k] · v[0] + …
   * + t[(n-1)·c + k] · v[n-1]}, summed left to right, for {@code k < c}; {@code c} is a multiple of {@link
   * #pad}'s vectors ({@code pad(c) == c}).
   */
  void scoresTransposed(double[] t, int n, int c, double[] bias, double[] v, double[] out);

  /** Name for logs and benchmarks. */
  String name();

  /** {@code a = max(a, 0)} over {@code len} values from {@code off}. */
  default void relu(float[] a, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (a[i] < 0f) {
        a[i] = 0f;
      }
    }
  }

  /** Each of the {@code n} rows of {@code width} values at {@code off} replaced by its softmax. */
  default void softmaxRows(float[] a, int off, int n, int width) {
    for (int i = 0; i < n; i++) {
      DenseKernels.softmax(a, off + i * width, width);
    }
  }

  /** {@code out = relu(x · w + b)}: a dense layer over the {@code n} rows at {@code xOff}, into {@code out} from 0. */
  default void denseRelu(float[] x, int xOff, int n, int k, float[] w, float[] b, int m, float[] out) {
    gemm(x, xOff, n, k, w, 0, m, b, 0, 0, out, 0, true);
  }

  /** The kernels chosen for this JVM. */
  static MatrixKernels get() {
    return KernelChoice.CHOSEN;
  }

  /** The scalar kernels, always available. */
  static MatrixKernels scalar() {
    return ScalarKernels.INSTANCE;
  }

  /** The Panama kernels, or null when the Vector API module is not in this JVM. */
  static MatrixKernels panama() {
    return KernelChoice.PANAMA;
  }
}
