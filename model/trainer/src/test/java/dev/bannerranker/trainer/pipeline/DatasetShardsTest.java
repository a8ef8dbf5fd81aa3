package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import org.junit.jupiter.api.Test;

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
    assertArrayEquals(one.userVector, three.userVector);
    assertArrayEquals(one.userScalars, three.userScalars);
    assertArrayEquals(one.userCats, three.userCats);
    assertArrayEquals(one.bannerIdx, three.bannerIdx);
    assertArrayEquals(one.bannerScalars, three.bannerScalars);
    assertArrayEquals(one.crossScalars, three.crossScalars);
    assertArrayEquals(one.wide, three.wide);
    assertArrayEquals(one.tasteBrands, three.tasteBrands);
    assertArrayEquals(one.clicked, three.clicked);
    assertArrayEquals(one.part, three.part);
    assertArrayEquals(one.time, three.time);
    assertArrayEquals(one.userIdx, three.userIdx);
    assertArrayEquals(one.slot, three.slot);
    assertArrayEquals(one.trueCtr, three.trueCtr);
    // The fold-in scores depend on each user's whole history so far: non-trivial rows must be there to compare.
    int cs = dev.bannerranker.features.FeatureEncoder.CROSS_SCALARS.size();
    long foldInRows = java.util.stream.IntStream.range(0, one.size).filter(r -> one.crossScalars[r * cs + cs - 2] != 0).count();
    assertTrue(foldInRows > one.size / 2, "rows with a fold-in brand score: " + foldInRows);
  }
}
