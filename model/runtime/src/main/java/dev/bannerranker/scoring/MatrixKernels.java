package dev.bannerranker.scoring;

/**
 * The scorer's matrix kernels over row-major float arrays. {@link #get()} picks the Panama (Vector API)
 * implementation at start-up when the JVM runs with {@code --add-modules jdk.incubator.vector}, and the
 * scalar one otherwise; {@code -Dranker.kernels=scalar} forces the scalar one.
 */
public interface MatrixKernels {

  /**
   * {@code out[i, :] += x[i, :] · W} for {@code n} rows, where {@code x} is {@code n×k} and {@code W} is the
   * {@code k×m} block of {@code w} starting at {@code wOff}.
   */
  void gemmAccumulate(float[] x, int n, int k, float[] w, int wOff, int m, float[] out);

  /** {@code out[i] = x[i, :] · v + b} for {@code n} rows of width {@code k}. */
  void gemv(float[] x, int n, int k, float[] v, float b, float[] out);

  /** Name for logs and benchmarks. */
  String name();

  /** {@code a = max(a, 0)} over the first {@code len} values. */
  default void relu(float[] a, int len) {
    for (int i = 0; i < len; i++) {
      if (a[i] < 0f) {
        a[i] = 0f;
      }
    }
  }

  /** {@code out = relu(x · w + b)}: a dense layer over {@code n} rows. */
  default void denseRelu(float[] x, int n, int k, float[] w, float[] b, int m, float[] out) {
    for (int i = 0; i < n; i++) {
      System.arraycopy(b, 0, out, i * m, m);
    }
    gemmAccumulate(x, n, k, w, 0, m, out);
    relu(out, n * m);
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
