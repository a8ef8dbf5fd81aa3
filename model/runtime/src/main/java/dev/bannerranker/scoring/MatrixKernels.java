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
