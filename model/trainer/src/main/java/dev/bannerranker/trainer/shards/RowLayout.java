package dev.bannerranker.trainer.shards;

import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.trainer.dataset.ImpressionDataset;

/**
 * How many values each block of a training row holds. Every shard file of a directory carries the same layout in its
 * header, so a reader knows each row's size before it reads one.
 */
public record RowLayout(int dim, int userScalars, int userFields, int bannerScalars, int crossScalars, int tasteCount,
    int wideCount, int sequenceLength) {

  /**
   * A layout without the events of sequence attention ({@code sequenceLength} 0): the only kind row shards hold. Rows
   * held in memory carry them.
   */
  public RowLayout(int dim, int userScalars, int userFields, int bannerScalars, int crossScalars, int tasteCount,
      int wideCount) {
    this(dim, userScalars, userFields, bannerScalars, crossScalars, tasteCount, wideCount, 0);
  }

  /** Bytes of the fixed part of a row: position, time, user, banner, slot, part, clicked, true CTR. */
  static final int FIXED_BYTES = 8 + 8 + 4 + 4 + 4 + 1 + 1 + 4;

  public static RowLayout of(ImpressionDataset ds) {
    return new RowLayout(ds.dim, ds.userScalars.length / Math.max(1, ds.size), ds.userCats.length / Math.max(1, ds.size),
        ds.bannerScalars.length / Math.max(1, ds.size), ds.crossScalars.length / Math.max(1, ds.size), ds.tasteCount,
        ds.wideCount, ds.sequenceLength);
  }

  /** The layout of the rows the sweep makes for {@code spec}. */
  public static RowLayout of(FeatureSpec spec) {
    return new RowLayout(spec.itemVectorDim(), FeatureEncoder.USER_SCALARS.size(), FeatureEncoder.USER_FIELDS.size(),
        FeatureEncoder.BANNER_SCALARS.size(), FeatureEncoder.CROSS_SCALARS.size(), spec.tasteBrands(),
        new FeatureEncoder(spec).wideCount(),
        spec.hasSequenceAttention() ? spec.sequenceAttention().length() : 0);
  }

  public int rowBytes() {
    return FIXED_BYTES + 4 * dim + 8 * userScalars + 4 * userFields + 8 * bannerScalars + 8 * crossScalars
        + 4 * tasteCount + 4 * wideCount;
  }

  /** An empty columnar dataset of {@code size} rows in this layout. */
  public ImpressionDataset newDataset(int size) {
    return new ImpressionDataset(size, dim, wideCount, userFields, userScalars, bannerScalars, crossScalars,
        tasteCount, sequenceLength);
  }

  @Override
  public String toString() {
    return "dim " + dim + ", user scalars " + userScalars + ", user fields " + userFields + ", banner scalars "
        + bannerScalars + ", cross scalars " + crossScalars + ", taste brands " + tasteCount + ", wide " + wideCount;
  }
}
