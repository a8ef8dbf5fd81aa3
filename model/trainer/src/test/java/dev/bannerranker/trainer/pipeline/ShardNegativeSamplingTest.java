package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.Standardizer;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.NegativeSampler;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.shards.RowLayout;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.ShardRow;
import dev.bannerranker.trainer.shards.ShuffledRows;
import dev.bannerranker.trainer.widedeep.ValidationSchedule;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --rows DIR --streaming --negative-rate R}: the shards hold every row, and training keeps the very
 * rows the in-memory path keeps, fits the standardisers on them, and records R for the correction.
 */
class ShardNegativeSamplingTest {
  static final double RATE = NegativeDownsamplingTest.RATE;

  @Test
  void streamedRowsAreSampledAsInMemoryAndTheBundleRecordsTheRate(@TempDir Path tmp) throws IOException {
    TrainingPipeline.Outcome inMemory = TinyWorld.withNegativeRate(RATE);
    Path rows = tmp.resolve("rows");
    Path bundle = tmp.resolve("bundle");
    TrainingPipeline.Outcome streamed = TrainingPipeline.run(TinyWorld.options(bundle, 3).withNegativeRate(RATE)
        .withRows(rows).withStreaming(true), TinyWorld.quiet(), TinyWorld.quiet());

    // The kept training rows are the in-memory path's, position for position.
    ImpressionDataset all = inMemory.dataset();
    long seed = inMemory.options().wideDeep().seed();
    int[] expected = NegativeSampler.sample(all.rowsOf(TimeSplit.TRAIN), all.clicked, RATE, seed);
    ShardTraining.Scan scan = ShardTraining.scan(rows, FeatureEncoder.crossScalarNames(true), RATE, seed);
    assertArrayEquals(expected, scan.kept());
    assertTrue(expected.length < 0.8 * scan.train().length, expected.length + " of " + scan.train().length);
    assertEquals(inMemory.metrics().rows(), streamed.metrics().rows());

    // An epoch of the training batches yields exactly those rows, each once.
    try (RowShards.Reader r = RowShards.Reader.open(rows);
        ShuffledRows epoch = new ShuffledRows(RowShards.files(rows), r.layout(), TimeSplit.TRAIN, 1000, scan.keep())) {
      epoch.startEpoch(new SplittableRandom(3));
      LongStream.Builder seen = LongStream.builder();
      for (ShardRow row = epoch.next(); row != null; row = epoch.next()) {
        seen.add(row.position);
      }
      assertArrayEquals(java.util.Arrays.stream(expected).asLongStream().toArray(), seen.build().sorted().toArray());
    }

    // The standardisers are fitted on the kept rows, as in memory (up to the order of the sums).
    FeatureSpec memorySpec = inMemory.bundle().manifest().featureSpec();
    FeatureSpec streamSpec = streamed.bundle().manifest().featureSpec();
    assertClose(memorySpec.userScalars(), streamSpec.userScalars());
    assertClose(memorySpec.bannerScalars(), streamSpec.bannerScalars());
    assertClose(memorySpec.crossScalars(), streamSpec.crossScalars());

    // The bundle records the rate, and the kept weights were chosen on the corrected predictions' loss.
    assertEquals(RATE, streamed.bundle().manifest().negativeRate());
    assertEquals(RATE, BundleIO.readManifest(bundle).negativeRate());
    var training = streamed.bundle().manifest().training();
    assertEquals(streamed.metrics().valid().logloss(), training.validLoss().get(training.bestValidation() - 1), 1e-4);

    // Both paths validate by one schedule, counted in the unsampled epoch's rows: with about half the rows, once per
    // epoch where all the rows have 2; the epochs reported are epochs of the rows trained on.
    WideDeepConfig cfg = inMemory.options().wideDeep();
    ValidationSchedule schedule = ValidationSchedule.of(cfg, expected.length, scan.train().length);
    assertEquals(1, schedule.perEpoch());
    assertEquals(2, cfg.validationsPerEpoch());
    for (var t : java.util.List.of(inMemory.bundle().manifest().training(), training)) {
      assertEquals(schedule.perEpoch(), t.validationsPerEpoch());
      assertEquals(t.epochFitSeconds().size(), t.validLoss().size(), "one validation per epoch");
      assertEquals((double) t.bestValidation(), t.bestEpoch(), 0.0);
    }
  }

  private static void assertClose(Standardizer a, Standardizer b) {
    assertEquals(a.names(), b.names());
    for (int j = 0; j < a.size(); j++) {
      assertEquals(a.mean()[j], b.mean()[j], 1e-9 * (1 + Math.abs(a.mean()[j])), a.names().get(j));
      assertEquals(a.std()[j], b.std()[j], 1e-9 * (1 + Math.abs(a.std()[j])), a.names().get(j));
    }
  }
}
