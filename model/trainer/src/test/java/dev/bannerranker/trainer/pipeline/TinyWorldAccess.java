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

  /** The whole log's rows, of every part. */
  public static dev.bannerranker.trainer.dataset.ImpressionDataset dataset() {
    return TinyWorld.TRAINED.dataset();
  }

  /** The bundle's banners by vocabulary index, as the training rows were encoded with. */
  public static dev.bannerranker.features.BannerFeatures[] bannersByIndex() {
    var bundle = TinyWorld.TRAINED.bundle();
    return dev.bannerranker.trainer.dataset.DatasetBuilder.bannersByIndex(bundle.catalog(), bundle.vocab(),
        bundle.vectors(), bundle.bannerStats());
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
