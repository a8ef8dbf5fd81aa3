package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.RowShardsTest;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rows built by several user shards on their own threads are exactly those of one sweep. */
class DatasetShardsTest {

  @Test
  void shardedBuildEqualsTheSingleSweep() {
    var bundle = TinyWorld.TRAINED.bundle();
    EventLog log = EventLogReader.read(TinyWorld.DATA, 0.01);
    var split = EvaluationPipeline.splitOf(bundle);
    ImpressionDataset one = DatasetBuilder.build(log, bundle.vocab(), bundle.vectors(), bundle.spec(), split,
        bundle.bannerStats(), null, 1);
    ImpressionDataset three = DatasetBuilder.build(log, bundle.vocab(), bundle.vectors(), bundle.spec(), split,
        bundle.bannerStats(), null, 3);
    assertTrue(one.size > 1000, "tiny world rows " + one.size);
    RowShardsTest.assertSameRows(one, three);
    // The fold-in scores depend on each user's whole history so far: non-trivial rows must be there to compare.
    int cs = dev.bannerranker.features.FeatureEncoder.CROSS_SCALARS.size();
    long foldInRows = java.util.stream.IntStream.range(0, one.size).filter(r -> one.crossScalars[r * cs + cs - 2] != 0).count();
    assertTrue(foldInRows > one.size / 2, "rows with a fold-in brand score: " + foldInRows);
  }

  @Test
  void rowsStreamedToShardsEqualTheInMemorySweepRowByRow(@TempDir Path dir) throws IOException {
    var bundle = TinyWorld.TRAINED.bundle();
    EventLog log = EventLogReader.read(TinyWorld.DATA, 0.01);
    var split = EvaluationPipeline.splitOf(bundle);
    ImpressionDataset memory = DatasetBuilder.build(log, bundle.vocab(), bundle.vectors(), bundle.spec(), split,
        bundle.bannerStats(), null, 1);
    // Three sweeping threads, small files: rows arrive out of log order across many files.
    long written = DatasetBuilder.writeShards(log, bundle.vocab(), bundle.vectors(), bundle.spec(), split,
        bundle.bannerStats(), null, 3, dir, 500);
    assertEquals(memory.size, written);
    assertTrue(RowShards.files(dir).size() > 3, "files " + RowShards.files(dir).size());
    RowShardsTest.assertSameRows(memory, RowShards.readAll(dir));
  }
}
