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
    return check(lastDays(sorted.get(sorted.size() - 1).timestamp(), validDays, testDays), sorted);
  }

  /** The split of {@link #lastDays(List, int, int)} for a log whose last impression is at {@code lastTime}, unchecked. */
  public static TimeSplit lastDays(long lastTime, int validDays, int testDays) {
    long lastDay = Math.floorDiv(lastTime, 86_400L);
    long testStart = (lastDay - testDays + 1) * 86_400L;
    return new TimeSplit(testStart - validDays * 86_400L, testStart);
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
    long[] counts = new long[3];
    for (Impression i : sorted) {
      counts[s.partOf(i.timestamp())]++;
    }
    Impression first = sorted.get(0);
    Impression last = sorted.get(sorted.size() - 1);
    return check(s, counts, first.impressionId(), first.timestamp(), last.impressionId(), last.timestamp());
  }

  /** Fails when a part has no impressions ({@code counts} per part), naming the log's first and last impressions. */
  public static TimeSplit check(TimeSplit s, long[] counts, String firstId, long firstTime, String lastId,
      long lastTime) {
    if (counts[TRAIN] == 0 || counts[VALID] == 0 || counts[TEST] == 0) {
      throw new IllegalArgumentException("the time split leaves a part empty (train " + counts[TRAIN] + ", validation "
          + counts[VALID] + ", test " + counts[TEST] + " impressions); the data must span more days than validation + test"
          + "; it runs from impression '" + firstId + "' at " + java.time.Instant.ofEpochSecond(firstTime)
          + " to impression '" + lastId + "' at " + java.time.Instant.ofEpochSecond(lastTime));
    }
    return s;
  }
}
