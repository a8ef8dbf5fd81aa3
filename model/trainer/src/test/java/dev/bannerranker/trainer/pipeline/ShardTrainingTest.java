package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.shards.RowLayout;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.RowShardsTest;
import dev.bannerranker.trainer.shards.ShardRow;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardTrainingTest {
  private static final RowLayout LAYOUT = new RowLayout(4, FeatureEncoder.USER_SCALARS.size(),
      FeatureEncoder.USER_FIELDS.size(), FeatureEncoder.BANNER_SCALARS.size(), FeatureEncoder.CROSS_SCALARS.size(), 2,
      3);

  @Test
  void scanFindsEachPartInLogOrderAndGatherCollectsThoseRows(@TempDir Path dir) throws IOException {
    ImpressionDataset ds = RowShardsTest.randomRows(LAYOUT, 700, 5);
    RowShards.write(ds, dir, 64);
    ShardTraining.Scan scan = ShardTraining.scan(dir, FeatureEncoder.crossScalarNames(true));
    assertArrayEquals(ds.rowsOf(TimeSplit.TRAIN), scan.train());
    assertArrayEquals(ds.rowsOf(TimeSplit.VALID), scan.valid());
    assertArrayEquals(ds.rowsOf(TimeSplit.TEST), scan.test());
    ImpressionDataset[] held = ShardTraining.gather(dir, scan.valid(), scan.test());
    for (int part = 0; part < 2; part++) {
      int[] idx = part == 0 ? scan.valid() : scan.test();
      ImpressionDataset expected = LAYOUT.newDataset(idx.length);
      ShardRow row = new ShardRow(LAYOUT);
      for (int i = 0; i < idx.length; i++) {
        row.copyFrom(ds, idx[i]).copyTo(expected, i);
      }
      RowShardsTest.assertSameRows(expected, held[part]);
    }
  }

  @Test
  void aPositionRepeatedInAnotherFileFailsTheScan(@TempDir Path dir) throws IOException {
    ImpressionDataset ds = RowShardsTest.randomRows(LAYOUT, 20, 6);
    ShardRow row = new ShardRow(LAYOUT);
    try (var a = RowShards.FileWriter.create(dir.resolve("a.rows"), LAYOUT);
        var b = RowShards.FileWriter.create(dir.resolve("b.rows"), LAYOUT)) {
      for (int i = 0; i < ds.size; i++) {
        (i < 10 ? a : b).write(row.copyFrom(ds, i));
      }
      b.write(row.copyFrom(ds, 3));
    }
    assertThrows(BadInputException.class, () -> ShardTraining.scan(dir, FeatureEncoder.crossScalarNames(true)));
  }
}
