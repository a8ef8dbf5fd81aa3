package dev.bannerranker.trainer.widedeep;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;

/**
 * Turns dataset rows into the model's input blocks through the runtime {@link FeatureEncoder}: the same
 * standardisation and layout the service uses.
 */
public final class RowEncoder {
  private final FeatureEncoder enc;
  private final ImpressionDataset ds;
  private final BannerFeatures[] banners;
  private final int us = FeatureEncoder.USER_SCALARS.size();
  private final int uf = FeatureEncoder.USER_FIELDS.size();
  private final int bs = FeatureEncoder.BANNER_SCALARS.size();
  private final int cs = FeatureEncoder.CROSS_SCALARS.size();

  /** @param bannersByIndex banner features by vocabulary index */
  public RowEncoder(FeatureEncoder enc, ImpressionDataset ds, BannerFeatures[] bannersByIndex) {
    this.enc = enc;
    this.ds = ds;
    this.banners = bannersByIndex;
  }

  public FeatureEncoder encoder() {
    return enc;
  }

  /** One row's blocks, as {@link dev.bannerranker.scoring.WideDeepScorer#predictUnsplit} takes them. */
  public record Row(float[] userDense, int[] userCats, float[] bannerDense, int[] bannerCats, float[] cross,
      int[] tasteBrands, int[] wide) {}

  public Row row(int i) {
    Row r = new Row(new float[enc.userDenseSize()], new int[uf], new float[enc.bannerDenseSize()],
        new int[FeatureEncoder.BANNER_FIELDS.size()], new float[enc.crossSize()], new int[ds.tasteCount],
        new int[ds.wideCount]);
    encodeInto(i, r.userDense(), 0, r.userCats(), 0, r.bannerDense(), 0, r.bannerCats(), 0, r.cross(), 0,
        r.tasteBrands(), 0, r.wide(), 0);
    return r;
  }

  /** Writes row {@code i} into the given buffers at the given offsets. */
  public void encodeInto(int i, float[] userDense, int udOff, int[] userCats, int ucOff, float[] bannerDense, int bdOff,
      int[] bannerCats, int bcOff, float[] cross, int crOff, int[] taste, int tOff, int[] wide, int wOff) {
    double[] uRaw = new double[us];
    System.arraycopy(ds.userScalars, i * us, uRaw, 0, us);
    float[] vec = new float[ds.dim];
    System.arraycopy(ds.userVector, i * ds.dim, vec, 0, ds.dim);
    enc.encodeUserDense(vec, uRaw, userDense, udOff);
    System.arraycopy(ds.userCats, i * uf, userCats, ucOff, uf);
    double[] bRaw = new double[bs];
    System.arraycopy(ds.bannerScalars, i * bs, bRaw, 0, bs);
    enc.encodeBanner(banners[ds.bannerIdx[i]], bRaw, bannerDense, bdOff, bannerCats, bcOff);
    double[] cRaw = new double[cs];
    System.arraycopy(ds.crossScalars, i * cs, cRaw, 0, cs);
    enc.encodeCross(cRaw, vec, banners[ds.bannerIdx[i]], cross, crOff);
    System.arraycopy(ds.tasteBrands, i * ds.tasteCount, taste, tOff, ds.tasteCount);
    System.arraycopy(ds.wide, i * ds.wideCount, wide, wOff, ds.wideCount);
  }
}
