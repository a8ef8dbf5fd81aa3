package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.shards.RowLayout;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.ShardRow;
import dev.bannerranker.trainer.shards.RowShardsTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --rows DIR}: the rows go through shards on disk, bit for bit the in-memory sweep's, and wide & deep
 * trains from them in a different shuffle order, to a model as good.
 */
class RowShardTrainingTest {

  @Test
  void trainingFromRowShardsUsesTheSweepsRowsAndLearnsAsWell(@TempDir Path tmp) throws IOException {
    Path rows = tmp.resolve("rows");
    TrainingPipeline.Outcome viaShards = TrainingPipeline.run(TinyWorld.options(tmp.resolve("bundle"), 3)
        .withRows(rows), TinyWorld.quiet(), TinyWorld.quiet());
    TrainingPipeline.Outcome inMemory = TinyWorld.TRAINED;
    assertTrue(RowShards.files(rows).size() >= 2, "files " + RowShards.files(rows));
    RowShardsTest.assertSameRows(inMemory.dataset(), RowShards.readAll(rows));
    // The outcome holds the test rows alone, in log order.
    int[] test = inMemory.testRows();
    ImpressionDataset expected = RowLayout.of(inMemory.dataset()).newDataset(test.length);
    ShardRow row = new ShardRow(RowLayout.of(inMemory.dataset()));
    for (int i = 0; i < test.length; i++) {
      row.copyFrom(inMemory.dataset(), test[i]).copyTo(expected, i);
    }
    RowShardsTest.assertSameRows(expected, viaShards.dataset());
    assertEquals(inMemory.metrics().rows(), viaShards.metrics().rows());
    double memoryAuc = inMemory.metrics().test().auc();
    double shardAuc = viaShards.metrics().test().auc();
    System.out.printf("test AUC in memory %.5f, from shards %.5f; logloss %.5f, %.5f%n", memoryAuc, shardAuc,
        inMemory.metrics().test().logloss(), viaShards.metrics().test().logloss());
    assertEquals(memoryAuc, shardAuc, 0.02);
    assertEquals(inMemory.metrics().test().logloss(), viaShards.metrics().test().logloss(), 0.01);
  }

  @Test
  void aRowsDirectoryThatHoldsShardsIsRefusedBeforeTraining(@TempDir Path tmp) throws IOException {
    Path rows = tmp.resolve("rows");
    Files.createDirectories(rows);
    Files.write(rows.resolve("rows-00-00000.rows"), new byte[0]);
    Path bundle = tmp.resolve("bundle");
    assertThrows(BadInputException.class, () -> TrainingPipeline.run(TinyWorld.options(bundle, 3).withRows(rows),
        TinyWorld.quiet(), TinyWorld.quiet()));
    assertFalse(Files.exists(bundle));
  }

  /** Without --streaming too, training from shards keeps the in-memory path's sample and records the rate. */
  @Test
  void rowShardsWithNegativeDownsamplingTrainOnTheInMemorySample(@TempDir Path tmp) throws IOException {
    Path rows = tmp.resolve("rows");
    TrainingPipeline.Outcome fromShards = TrainingPipeline.run(TinyWorld.options(tmp.resolve("bundle"), 3)
        .withRows(rows).withNegativeRate(0.5), TinyWorld.quiet(), TinyWorld.quiet());
    TrainingPipeline.Outcome inMemory = TinyWorld.withNegativeRate(0.5);
    assertEquals(inMemory.metrics().rows(), fromShards.metrics().rows());
    assertTrue(fromShards.metrics().rows().train() < 0.8 * TinyWorld.TRAINED.metrics().rows().train());
    assertEquals(0.5, fromShards.bundle().manifest().negativeRate());
  }
}
