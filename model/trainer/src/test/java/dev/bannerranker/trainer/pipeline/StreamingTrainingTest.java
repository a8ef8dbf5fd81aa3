package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.RowShardsTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --streaming --rows DIR}: the log sorted by user on disk and replayed one user at a time gives the
 * in-memory sweep's rows, row by row, in the very files {@code --rows} alone writes, and so the same model.
 */
class StreamingTrainingTest {

  @Test
  void theStreamingSweepWritesTheInMemorySweepsRowsAndTrainsTheSameModel(@TempDir Path tmp) throws IOException {
    Path memoryRows = tmp.resolve("rows-memory");
    Path streamRows = tmp.resolve("rows-stream");
    TrainingPipeline.Outcome inMemory = TrainingPipeline.run(TinyWorld.options(tmp.resolve("b1"), 3)
        .withRows(memoryRows), TinyWorld.quiet(), TinyWorld.quiet());
    TrainingPipeline.Outcome streamed = TrainingPipeline.run(TinyWorld.options(tmp.resolve("b2"), 3)
        .withRows(streamRows).withStreaming(true), TinyWorld.quiet(), TinyWorld.quiet());

    // Row by row, the rows of the in-memory sweep (the dataset train holds without --rows).
    RowShardsTest.assertSameRows(TinyWorld.TRAINED.dataset(), RowShards.readAll(streamRows));
    // The same files, byte for byte, and nothing else left beside them (the sort's work directory is gone).
    List<String> names = names(memoryRows);
    assertEquals(names, names(streamRows));
    for (String n : names) {
      assertArrayEquals(Files.readAllBytes(memoryRows.resolve(n)), Files.readAllBytes(streamRows.resolve(n)), n);
    }
    // The same item vectors, factors and weights: the same predictions to the last digit.
    assertEquals(inMemory.metrics().test().auc(), streamed.metrics().test().auc());
    assertEquals(inMemory.metrics().test().logloss(), streamed.metrics().test().logloss());
    assertEquals(inMemory.metrics().rows(), streamed.metrics().rows());
  }

  @Test
  void streamingNeedsRowsAndTheOwnFormat(@TempDir Path tmp) {
    Path bundle = tmp.resolve("bundle");
    assertThrows(IllegalArgumentException.class, () -> TrainingPipeline.run(
        TinyWorld.options(bundle, 3).withStreaming(true), TinyWorld.quiet(), TinyWorld.quiet()));
    assertFalse(Files.exists(bundle));
  }

  private static List<String> names(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString()).sorted().forEach(out::add);
    }
    return out;
  }
}
