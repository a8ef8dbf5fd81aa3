package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.Standardizer;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.ShardRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/** The passes over row shards that training from shards makes besides the minibatches. */
final class ShardTraining {
  private ShardTraining() {}

  /** Each part's positions, in log order, and the standardisers fitted on the training rows. */
  record Scan(int[] train, int[] valid, int[] test, Standardizer user, Standardizer banner, Standardizer cross) {}

  static Scan scan(Path dir, List<String> crossNames) throws IOException {
    int[][] positions = new int[3][1024];
    int[] counts = new int[3];
    List<String> userNames = FeatureEncoder.USER_SCALARS;
    List<String> bannerNames = FeatureEncoder.BANNER_SCALARS;
    double[][] sum = {new double[userNames.size()], new double[bannerNames.size()], new double[crossNames.size()]};
    double[][] sq = {new double[userNames.size()], new double[bannerNames.size()], new double[crossNames.size()]};
    try (RowShards.Reader r = RowShards.Reader.open(dir)) {
      ShardRow row = new ShardRow(r.layout());
      while (r.next(row)) {
        if (row.position < 0 || row.position > Integer.MAX_VALUE) {
          throw new BadInputException(r.where() + ": position " + row.position + " is out of range");
        }
        int p = row.part;
        if (counts[p] == positions[p].length) {
          positions[p] = Arrays.copyOf(positions[p], positions[p].length * 2);
        }
        positions[p][counts[p]++] = (int) row.position;
        if (p == TimeSplit.TRAIN) {
          add(row.userScalars, sum[0], sq[0]);
          add(row.bannerScalars, sum[1], sq[1]);
          add(row.crossScalars, sum[2], sq[2]);
        }
      }
    }
    int[][] sorted = new int[3][];
    for (int p = 0; p < 3; p++) {
      sorted[p] = Arrays.copyOf(positions[p], counts[p]);
      Arrays.sort(sorted[p]);
      for (int i = 1; i < sorted[p].length; i++) {
        if (sorted[p][i] == sorted[p][i - 1]) {
          throw new BadInputException("row shards: position " + sorted[p][i] + " appears twice in " + dir);
        }
      }
    }
    long n = counts[TimeSplit.TRAIN];
    return new Scan(sorted[0], sorted[1], sorted[2], Standardizer.fit(userNames, sum[0], sq[0], n),
        Standardizer.fit(bannerNames, sum[1], sq[1], n), Standardizer.fit(crossNames, sum[2], sq[2], n));
  }

  /** The first {@code sum.length} values of a row added to the running sums. */
  private static void add(double[] values, double[] sum, double[] sq) {
    for (int j = 0; j < sum.length; j++) {
      sum[j] += values[j];
      sq[j] += values[j] * values[j];
    }
  }

  /** In one pass, the rows at each set of sorted positions, gathered in that order into a dataset of their own. */
  static ImpressionDataset[] gather(Path dir, int[]... sets) throws IOException {
    try (RowShards.Reader r = RowShards.Reader.open(dir)) {
      ImpressionDataset[] out = new ImpressionDataset[sets.length];
      for (int s = 0; s < sets.length; s++) {
        out[s] = r.layout().newDataset(sets[s].length);
      }
      ShardRow row = new ShardRow(r.layout());
      while (r.next(row)) {
        for (int s = 0; s < sets.length; s++) {
          int k = Arrays.binarySearch(sets[s], (int) row.position);
          if (k >= 0) {
            row.copyTo(out[s], k);
          }
        }
      }
      return out;
    }
  }

  static int[] iota(int n) {
    return IntStream.range(0, n).toArray();
  }
}
