package dev.bannerranker.trainer.widedeep;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.shards.RowLayout;
import dev.bannerranker.trainer.shards.ShardRow;
import dev.bannerranker.trainer.shards.ShuffledRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/** The training rows of a shard directory as minibatches, read from disk each epoch through {@link ShuffledRows}. */
public final class ShardBatches implements WideDeepTrainer.TrainBatches, AutoCloseable {
  /** Rows in the shuffling window: about 150 MB at the demo's row size. */
  public static final int WINDOW_ROWS = 1 << 18;

  private final ShuffledRows rows;
  private final long trainRows;
  private final FeatureEncoder enc;
  private final BannerFeatures[] banners;
  private final RowLayout layout;
  private final WideDeepConfig.Mode mode;

  /** The training rows whose position is in {@code keep} alone (null: all), {@code trainRows} of them. */
  public ShardBatches(List<Path> files, RowLayout layout, long trainRows, BitSet keep, FeatureEncoder enc,
      BannerFeatures[] bannersByIndex, WideDeepConfig cfg) {
    this.rows = new ShuffledRows(files, layout, TimeSplit.TRAIN, Math.max(WINDOW_ROWS, cfg.batchSize()), keep);
    this.trainRows = trainRows;
    this.enc = enc;
    this.banners = bannersByIndex;
    this.layout = layout;
    this.mode = cfg.mode();
  }

  @Override
  public long rows() {
    return trainRows;
  }

  @Override
  public void shuffle(SplittableRandom rng) {
    try {
      rows.startEpoch(rng);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public MultiDataSet batch(int from, int to) {
    int n = to - from;
    ImpressionDataset batch = layout.newDataset(n);
    try {
      for (int i = 0; i < n; i++) {
        ShardRow r = rows.next();
        if (r == null) {
          throw new IllegalStateException("row shards: the epoch ended after " + (from + i) + " of " + trainRows
              + " training rows; were the shards changed during training?");
        }
        r.copyTo(batch, i);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] idx = java.util.stream.IntStream.range(0, n).toArray();
    return new MultiDataSet(WideDeepNetwork.features(new RowEncoder(enc, batch, banners), idx, 0, n, mode),
        new INDArray[] {WideDeepTrainer.labels(batch, idx, 0, n)});
  }

  @Override
  public void close() throws IOException {
    rows.close();
  }
}
