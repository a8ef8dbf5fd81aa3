package dev.bannerranker.trainer.generate;

import java.time.Instant;

/** The simulated period: 14 days from Monday 2026-03-02T00:00:00Z. All generator times are seconds from START. */
final class Timeline {
  private Timeline() {}

  static final long START_EPOCH_SECONDS = Instant.parse("2026-03-02T00:00:00Z").getEpochSecond();
  static final int DAYS = 14;
  static final int SECONDS_PER_HOUR = 3_600;
  static final int SECONDS_PER_DAY = 86_400;
  static final int HOURS = DAYS * 24;
  static final int SECONDS = DAYS * SECONDS_PER_DAY;
  /** Day 0 is a Monday, so days 5, 6, 12 and 13 are weekend days. */
  static final int FIRST_WEEKDAY_INDEX = 0;

  static boolean isWeekend(int day) {
    int weekday = (day + FIRST_WEEKDAY_INDEX) % 7;
    return weekday >= 5;
  }

  static long epoch(long secondsFromStart) {
    return START_EPOCH_SECONDS + secondsFromStart;
  }
}
