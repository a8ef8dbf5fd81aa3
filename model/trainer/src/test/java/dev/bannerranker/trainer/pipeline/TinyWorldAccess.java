package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.trainer.widedeep.RowEncoder;

/** The shared tiny world's trained spec and rows, for tests in other packages. */
public final class TinyWorldAccess {
  private TinyWorldAccess() {}

  public static FeatureSpec spec() {
    return TinyWorld.TRAINED.bundle().spec();
  }

  public static RowEncoder rows() {
    return TinyWorld.TRAINED.rows();
  }

  /** Whether each of these rows was clicked. */
  public static boolean[] clicked(int[] rows) {
    boolean[] y = new boolean[rows.length];
    for (int i = 0; i < rows.length; i++) {
      y[i] = TinyWorld.TRAINED.dataset().clicked[rows[i]];
    }
    return y;
  }

  /** The first {@code n} test rows. */
  public static int[] someRows(int n) {
    int[] test = TinyWorld.TRAINED.testRows();
    return java.util.Arrays.copyOf(test, Math.min(n, test.length));
  }
}
