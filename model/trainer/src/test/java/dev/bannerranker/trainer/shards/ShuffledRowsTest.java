package dev.bannerranker.trainer.shards;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShuffledRowsTest {

  private static List<Long> epoch(ShuffledRows rows, SplittableRandom rng) throws IOException {
    rows.startEpoch(rng);
    List<Long> out = new ArrayList<>();
    for (ShardRow r = rows.next(); r != null; r = rows.next()) {
      assertEquals(TimeSplit.TRAIN, r.part);
      out.add(r.position);
    }
    return out;
  }

  @Test
  void eachEpochYieldsEveryRowOfThePartOnceInANewSeededOrder(@TempDir Path dir) throws IOException {
    ImpressionDataset ds = RowShardsTest.randomRows(2000, 3);
    RowShards.write(ds, dir, 150);
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < ds.size; i++) {
      if (ds.part[i] == TimeSplit.TRAIN) {
        expected.add((long) i);
      }
    }
    try (ShuffledRows rows = new ShuffledRows(RowShards.files(dir), RowLayout.of(ds), TimeSplit.TRAIN, 300)) {
      SplittableRandom rng = new SplittableRandom(7);
      List<Long> first = epoch(rows, rng);
      List<Long> second = epoch(rows, rng);
      assertEquals(expected, first.stream().sorted().toList());
      assertEquals(expected, second.stream().sorted().toList());
      assertNotEquals(first, second);
      assertNotEquals(expected, first);
      // A window of 300 rows reaches past one file of 150: rows of different files meet early in the epoch.
      long earlyFiles = first.subList(0, 100).stream().map(p -> p / 150).distinct().count();
      assertTrue(earlyFiles >= 2, "files among the first 100 rows: " + earlyFiles);
      SplittableRandom again = new SplittableRandom(7);
      assertEquals(first, epoch(rows, again));
    }
  }
}
