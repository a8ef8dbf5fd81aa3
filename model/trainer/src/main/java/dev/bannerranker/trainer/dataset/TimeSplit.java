package dev.bannerranker.trainer.dataset;

import dev.bannerranker.data.Impression;
import java.util.List;

/**
 * A time split of the impressions: train before {@code validStart}, validation until {@code testStart},
 * test from then on. Times are epoch seconds.
 */
public record TimeSplit(long validStart, long testStart) {
  public static final int TRAIN = 0;
  public static final int VALID = 1;
  public static final int TEST = 2;

  public int partOf(long time) {
    return time >= testStart ? TEST : time >= validStart ? VALID : TRAIN;
  }

  /** The last {@code testDays} whole UTC days are test, the {@code validDays} before them validation. */
  public static TimeSplit lastDays(List<Impression> sorted, int validDays, int testDays) {
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("no impressions to split");
    }
    long lastDay = Math.floorDiv(sorted.get(sorted.size() - 1).timestamp(), 86_400L);
    long testStart = (lastDay - testDays + 1) * 86_400L;
    return check(new TimeSplit(testStart - validDays * 86_400L, testStart), sorted);
  }

  /** The latest {@code testFraction} of impressions are test, the {@code validFraction} before validation. */
  public static TimeSplit fractions(List<Impression> sorted, double validFraction, double testFraction) {
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("no impressions to split");
    }
    int n = sorted.size();
    long testStart = sorted.get((int) Math.min(n - 1, Math.round(n * (1 - testFraction)))).timestamp();
    long validStart = sorted.get((int) Math.min(n - 1, Math.round(n * (1 - testFraction - validFraction)))).timestamp();
    return check(new TimeSplit(validStart, testStart), sorted);
  }

  private static TimeSplit check(TimeSplit s, List<Impression> sorted) {
    int[] counts = new int[3];
    for (Impression i : sorted) {
      counts[s.partOf(i.timestamp())]++;
    }
    if (counts[TRAIN] == 0 || counts[VALID] == 0 || counts[TEST] == 0) {
      throw new IllegalArgumentException("the time split leaves a part empty (train " + counts[TRAIN] + ", validation "
          + counts[VALID] + ", test " + counts[TEST] + " impressions); the data must span more days than validation + test"
          + "; it runs from impression '" + sorted.get(0).impressionId() + "' at "
          + java.time.Instant.ofEpochSecond(sorted.get(0).timestamp()) + " to impression '"
          + sorted.get(sorted.size() - 1).impressionId() + "' at "
          + java.time.Instant.ofEpochSecond(sorted.get(sorted.size() - 1).timestamp()));
    }
    return s;
  }
}
