package dev.bannerranker.trainer.shards;

import dev.bannerranker.trainer.dataset.ImpressionDataset;

/**
 * One training row, the unit a shard holds: the same fields as a row of {@link ImpressionDataset}, plus the
 * impression's position in the log, so rows written by any number of workers in any order come back in log order.
 * Reused from row to row; readers fill it in place.
 */
public final class ShardRow {
  public final RowLayout layout;
  /** The impression's 0-based data row in the impressions table. */
  public long position;
  public long time;
  public int userIdx;
  public int bannerIdx;
  public int slot;
  public byte part;
  public boolean clicked;
  /** Whether the click converted; not kept in row shards, which train clicks alone. */
  public boolean converted;
  public float trueCtr;
  public final float[] userVector;
  public final double[] userScalars;
  public final int[] userCats;
  public final double[] bannerScalars;
  public final double[] crossScalars;
  public final int[] tasteBrands;
  public final int[] wide;
  /** Sequence attention's latest events ({@code SequenceAttention#capture}); empty without it. */
  public final int[] sequenceBrands;
  public final int[] sequenceCategories;
  public final int[] sequenceCodes;

  public ShardRow(RowLayout layout) {
    this.layout = layout;
    userVector = new float[layout.dim()];
    userScalars = new double[layout.userScalars()];
    userCats = new int[layout.userFields()];
    bannerScalars = new double[layout.bannerScalars()];
    crossScalars = new double[layout.crossScalars()];
    tasteBrands = new int[layout.tasteCount()];
    wide = new int[layout.wideCount()];
    sequenceBrands = new int[layout.sequenceLength()];
    sequenceCategories = new int[layout.sequenceLength()];
    sequenceCodes = new int[layout.sequenceLength()];
  }

  /** Fills this row from row {@code i} of {@code ds}, which is impression {@code i} of the log. */
  public ShardRow copyFrom(ImpressionDataset ds, int i) {
    position = i;
    time = ds.time[i];
    userIdx = ds.userIdx[i];
    bannerIdx = ds.bannerIdx[i];
    slot = ds.slot[i];
    part = ds.part[i];
    clicked = ds.clicked[i];
    converted = ds.converted[i];
    trueCtr = ds.trueCtr[i];
    System.arraycopy(ds.userVector, i * userVector.length, userVector, 0, userVector.length);
    System.arraycopy(ds.userScalars, i * userScalars.length, userScalars, 0, userScalars.length);
    System.arraycopy(ds.userCats, i * userCats.length, userCats, 0, userCats.length);
    System.arraycopy(ds.bannerScalars, i * bannerScalars.length, bannerScalars, 0, bannerScalars.length);
    System.arraycopy(ds.crossScalars, i * crossScalars.length, crossScalars, 0, crossScalars.length);
    System.arraycopy(ds.tasteBrands, i * tasteBrands.length, tasteBrands, 0, tasteBrands.length);
    System.arraycopy(ds.wide, i * wide.length, wide, 0, wide.length);
    int l = sequenceCodes.length;
    System.arraycopy(ds.sequenceBrands, i * l, sequenceBrands, 0, l);
    System.arraycopy(ds.sequenceCategories, i * l, sequenceCategories, 0, l);
    System.arraycopy(ds.sequenceCodes, i * l, sequenceCodes, 0, l);
    return this;
  }

  /** Writes this row into row {@code i} of {@code ds}. */
  public void copyTo(ImpressionDataset ds, int i) {
    ds.time[i] = time;
    ds.userIdx[i] = userIdx;
    ds.bannerIdx[i] = bannerIdx;
    ds.slot[i] = slot;
    ds.part[i] = part;
    ds.clicked[i] = clicked;
    ds.converted[i] = converted;
    ds.trueCtr[i] = trueCtr;
    System.arraycopy(userVector, 0, ds.userVector, i * userVector.length, userVector.length);
    System.arraycopy(userScalars, 0, ds.userScalars, i * userScalars.length, userScalars.length);
    System.arraycopy(userCats, 0, ds.userCats, i * userCats.length, userCats.length);
    System.arraycopy(bannerScalars, 0, ds.bannerScalars, i * bannerScalars.length, bannerScalars.length);
    System.arraycopy(crossScalars, 0, ds.crossScalars, i * crossScalars.length, crossScalars.length);
    System.arraycopy(tasteBrands, 0, ds.tasteBrands, i * tasteBrands.length, tasteBrands.length);
    System.arraycopy(wide, 0, ds.wide, i * wide.length, wide.length);
    int l = sequenceCodes.length;
    System.arraycopy(sequenceBrands, 0, ds.sequenceBrands, i * l, l);
    System.arraycopy(sequenceCategories, 0, ds.sequenceCategories, i * l, l);
    System.arraycopy(sequenceCodes, 0, ds.sequenceCodes, i * l, l);
  }
}
