package dev.bannerranker.trainer.widedeep;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.SequenceAttention;
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

  /** The item vectors the events of sequence attention are encoded with; null when the spec has none. */
  private final ItemVectors vectors;

  /** @param bannersByIndex banner features by vocabulary index */
  public RowEncoder(FeatureEncoder enc, ImpressionDataset ds, BannerFeatures[] bannersByIndex) {
    this(enc, ds, bannersByIndex, null);
  }

  /** @param vectors the item vectors, needed when the spec has sequence attention */
  public RowEncoder(FeatureEncoder enc, ImpressionDataset ds, BannerFeatures[] bannersByIndex, ItemVectors vectors) {
    this.enc = enc;
    this.ds = ds;
    this.banners = bannersByIndex;
    this.vectors = vectors;
    if (enc.spec().hasSequenceAttention() && (vectors == null || ds.sequenceLength != enc.spec().sequenceAttention().length())) {
      throw new IllegalArgumentException("sequence attention needs the item vectors and rows holding "
          + enc.spec().sequenceAttention().length() + " events each (they hold " + ds.sequenceLength + ")");
    }
  }

  /** Width of a row's events input ({@code length × eventWidth}); 0 without sequence attention. */
  public int eventsWidth() {
    var a = enc.spec().sequenceAttention();
    return a == null ? 0 : a.length() * a.eventWidth(enc.spec().itemVectorDim());
  }

  /** Writes row {@code i}'s events and mask, as the network and {@code predictUnsplit} take them. */
  public void encodeSequence(int i, float[] events, int eventsOff, float[] mask, int maskOff) {
    SequenceAttention a = enc.spec().sequenceAttention();
    int l = a.length();
    int w = a.eventWidth(enc.spec().itemVectorDim());
    for (int j = 0; j < l; j++) {
      int k = i * l + j;
      a.encodeEvent(vectors, ds.sequenceBrands[k], ds.sequenceCategories[k], ds.sequenceCodes[k], events,
          eventsOff + j * w);
      mask[maskOff + j] = ds.sequenceCodes[k] == SequenceAttention.NO_EVENT ? 0f : 1f;
    }
  }

  public FeatureEncoder encoder() {
    return enc;
  }

  /** One row's blocks, as {@link dev.bannerranker.scoring.WideDeepScorer#predictUnsplit} takes them. */
  public record Row(float[] userDense, int[] userCats, float[] bannerDense, int[] bannerCats, float[] cross,
      int[] tasteBrands, int[] wide, float[] events, float[] eventMask) {}

  public Row row(int i) {
    Row r = new Row(new float[enc.userDenseSize()], new int[uf], new float[enc.bannerDenseSize()],
        new int[FeatureEncoder.BANNER_FIELDS.size()], new float[enc.crossSize()], new int[ds.tasteCount],
        new int[ds.wideCount], eventsWidth() == 0 ? null : new float[eventsWidth()],
        eventsWidth() == 0 ? null : new float[enc.spec().sequenceAttention().length()]);
    encodeInto(i, r.userDense(), 0, r.userCats(), 0, r.bannerDense(), 0, r.bannerCats(), 0, r.cross(), 0,
        r.tasteBrands(), 0, r.wide(), 0);
    if (r.events() != null) {
      encodeSequence(i, r.events(), 0, r.eventMask(), 0);
    }
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
