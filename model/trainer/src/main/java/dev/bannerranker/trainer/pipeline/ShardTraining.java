package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.Standardizer;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.NegativeSampler;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.ShardRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;

/** The passes over row shards that training from shards makes besides the minibatches. */
final class ShardTraining {
  private ShardTraining() {}

  /**
   * Each part's positions, in log order, the training rows wide &amp; deep trains on ({@code kept}: every click and a
   * seeded share of the non-clicks; {@code train} itself without downsampling, and then {@code keep} is null), and
   * the standardisers fitted on the kept rows.
   */
  record Scan(int[] train, int[] kept, BitSet keep, int[] valid, int[] test, Standardizer user, Standardizer banner,
      Standardizer cross) {}

  /**
   * The scan with negative downsampling at {@code negativeRate}: the rows kept are those {@link NegativeSampler} keeps
   * from the same rows held in memory (one seeded draw per training row in log order), and the standardisers are
   * fitted on them, as without row shards; that takes a second pass over the shards.
   */
  static Scan scan(Path dir, List<String> crossNames, double negativeRate, long seed) throws IOException {
    Pass all = pass(dir, crossNames, null);
    if (negativeRate >= 1) {
      return new Scan(all.train(), all.train(), null, all.valid(), all.test(), all.user(), all.banner(), all.cross());
    }
    int[] kept = NegativeSampler.sample(all.train(), all.clicked()::get, negativeRate, seed);
    BitSet keep = new BitSet();
    for (int p : kept) {
      keep.set(p);
    }
    Pass fitted = pass(dir, crossNames, keep);
    return new Scan(all.train(), kept, keep, all.valid(), all.test(), fitted.user(), fitted.banner(), fitted.cross());
  }

  /** Without negative downsampling. */
  static Scan scan(Path dir, List<String> crossNames) throws IOException {
    return scan(dir, crossNames, 1.0, 0);
  }

  /** What one pass over the shards finds: {@code clicked} holds the clicked training rows' positions. */
  private record Pass(int[] train, int[] valid, int[] test, BitSet clicked, Standardizer user, Standardizer banner,
      Standardizer cross) {}

  /** One pass: the positions, and the standardisers fitted on the training rows in {@code fitOn} (null: all). */
  private static Pass pass(Path dir, List<String> crossNames, BitSet fitOn) throws IOException {
    int[][] positions = new int[3][1024];
    int[] counts = new int[3];
    List<String> userNames = FeatureEncoder.USER_SCALARS;
    List<String> bannerNames = FeatureEncoder.BANNER_SCALARS;
    double[][] sum = {new double[userNames.size()], new double[bannerNames.size()], new double[crossNames.size()]};
    double[][] sq = {new double[userNames.size()], new double[bannerNames.size()], new double[crossNames.size()]};
    BitSet clicked = new BitSet();
    long fitted = 0;
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
          if (row.clicked) {
            clicked.set((int) row.position);
          }
          if (fitOn == null || fitOn.get((int) row.position)) {
            add(row.userScalars, sum[0], sq[0]);
            add(row.bannerScalars, sum[1], sq[1]);
            add(row.crossScalars, sum[2], sq[2]);
            fitted++;
          }
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
    return new Pass(sorted[0], sorted[1], sorted[2], clicked, Standardizer.fit(userNames, sum[0], sq[0], fitted),
        Standardizer.fit(bannerNames, sum[1], sq[1], fitted), Standardizer.fit(crossNames, sum[2], sq[2], fitted));
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
