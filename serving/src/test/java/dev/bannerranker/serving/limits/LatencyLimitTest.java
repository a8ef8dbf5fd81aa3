package dev.bannerranker.serving.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The latency-following limit's arithmetic, on made-up times. */
class LatencyLimitTest {
  private static final long MS = 1_000_000L;
  /** Calls of a window: one every 10 ms, so the 11th closes a window 100 ms after the first. */
  private static final int CALLS_PER_WINDOW = 11;

  private long now = 1_000 * MS;

  /** One window of calls that each took {@code latency} with {@code inFlight} in flight at admission. */
  private void window(LatencyLimit limit, long latency, int inFlight) {
    for (int i = 0; i < CALLS_PER_WINDOW; i++) {
      now += 10 * MS;
      limit.onSample(now - latency, now, inFlight);
    }
  }

  /**
   * One window of a service with {@code threads} threads and a service time of {@code service}, offered more than it
   * can take: the limit is full, and a call waits behind the calls ahead of it, one service time per round.
   */
  private void overloaded(LatencyLimit limit, int threads, long service) {
    int inFlight = limit.limit();
    window(limit, service * Math.max(1, (inFlight + threads - 1) / threads), inFlight);
  }

  @Test
  void aServiceWithoutQueueingKeepsItsCeiling() {
    LatencyLimit limit = new LatencyLimit(2, 32, 2, 2.0);
    for (int w = 0; w < 50; w++) {
      window(limit, 5 * MS + (w % 3) * MS, 1 + w % 2);
    }
    assertEquals(32, limit.limit());
    assertEquals(5 * MS, limit.baselineNanos(), 1.0, "the lowest window mean");
  }

  @Test
  void sustainedOverloadBringsTheLimitDownUntilTheLatencyIsWithinTheTolerance() {
    int threads = 2;
    long service = 4 * MS;
    LatencyLimit limit = new LatencyLimit(threads, 32, threads, 2.0);
    window(limit, service, 1); // no load first: the baseline
    for (int w = 0; w < 200; w++) {
      overloaded(limit, threads, service);
      if (w >= 20) {
        // At most one window's growth above where the queue costs more than the tolerance allows.
        assertTrue(limit.limit() >= threads && limit.limit() <= 2 * threads + 1, "window " + w + ": " + limit.limit());
      }
    }
    assertEquals(service, limit.baselineNanos(), 1.0, "queueing never raises the no-load latency");
  }

  @Test
  void aServiceStartedUnderOverloadLearnsItsNoLoadLatencyFromTheCallsInFlight() {
    int threads = 2;
    long service = 4 * MS;
    LatencyLimit limit = new LatencyLimit(threads, 32, threads, 2.0);
    for (int w = 0; w < 100; w++) {
      overloaded(limit, threads, service);
      assertEquals(service, limit.baselineNanos(), 1.0, "32 in flight on 2 threads: a call took 16 service times");
      if (w >= 20) {
        assertTrue(limit.limit() >= threads && limit.limit() <= 2 * threads + 1, "window " + w + ": " + limit.limit());
      }
    }
  }

  @Test
  void withAFixedPoolASlowerServiceIsLearnedFromAnyWindowOnceTheBaselineIsOld() {
    int threads = 2;
    LatencyLimit limit = new LatencyLimit(threads, 16, threads, 2.0);
    window(limit, 2 * MS, 1);
    for (int w = 0; w < 20; w++) {
      overloaded(limit, threads, 10 * MS); // five times slower, e.g. a bigger model
    }
    assertEquals(threads, limit.limit());
    assertEquals(2 * MS, limit.baselineNanos(), 1.0, "a higher estimate does not replace a younger baseline");
    now += LatencyLimit.BASELINE_AGE_NANOS;
    overloaded(limit, threads, 10 * MS);
    assertEquals(10 * MS, limit.baselineNanos(), 1.0);
    for (int w = 0; w < 20; w++) {
      overloaded(limit, threads, 10 * MS);
    }
    assertTrue(limit.limit() > threads && limit.limit() <= 2 * threads + 1, "grown back: " + limit.limit());
  }

  @Test
  void aWindowShrinksTheLimitInProportionButAtMostByHalf() {
    LatencyLimit limit = new LatencyLimit(1, 40, 0, 2.0);
    window(limit, 10 * MS, 1);
    window(limit, 25 * MS, 40); // 2.5 times the baseline against 2 allowed
    assertEquals(32, limit.limit(), "40 * 2 / 2.5");
    window(limit, 1_000 * MS, 32);
    assertEquals(16, limit.limit(), "halved, not 32 * 20 / 1000");
    for (int w = 0; w < 20; w++) {
      window(limit, 1_000 * MS, 16);
    }
    assertEquals(1, limit.limit(), "never below the minimum");
  }

  @Test
  void theLimitGrowsBackByOneCallPerWindowOnceTheLatencyRecovers() {
    LatencyLimit limit = new LatencyLimit(1, 20, 0, 2.0);
    window(limit, 10 * MS, 1);
    window(limit, 1_000 * MS, 20);
    assertEquals(10, limit.limit());
    for (int w = 1; w <= 10; w++) {
      window(limit, 15 * MS, 5);
      assertEquals(Math.min(20, 10 + w), limit.limit());
    }
    window(limit, 15 * MS, 5);
    assertEquals(20, limit.limit(), "not beyond the ceiling");
  }

  @Test
  void withoutAFixedPoolASlowerServiceIsLearnedOnlyFromAWindowWithoutQueueingOnceTheBaselineIsOld() {
    LatencyLimit limit = new LatencyLimit(2, 16, 0, 2.0);
    window(limit, 2 * MS, 1);
    // Five times slower from now on, e.g. a bigger model: the limit falls to its minimum.
    for (int w = 0; w < 20; w++) {
      window(limit, 10 * MS, 8);
    }
    assertEquals(2, limit.limit());
    assertEquals(2 * MS, limit.baselineNanos(), 1.0, "queued windows do not replace the baseline");
    now += LatencyLimit.BASELINE_AGE_NANOS;
    window(limit, 10 * MS, 3);
    assertEquals(2 * MS, limit.baselineNanos(), 1.0, "more calls in flight than the minimum: queued");
    window(limit, 10 * MS, 2);
    assertEquals(10 * MS, limit.baselineNanos(), 1.0, "a window without queueing, after the baseline's age");
    window(limit, 10 * MS, 2);
    assertEquals(4, limit.limit(), "growing again: 3 after the window that learned the baseline, then 4");
  }

  @Test
  void aWindowNeedsItsCallsAndItsTime() {
    LatencyLimit limit = new LatencyLimit(1, 8, 0, 2.0);
    window(limit, 1 * MS, 1);
    for (int i = 0; i < LatencyLimit.WINDOW_CALLS - 1; i++) {
      now += 50 * MS;
      limit.onSample(now - 100 * MS, now, 8);
    }
    assertEquals(8, limit.limit(), "long enough, but too few calls");
    now += 50 * MS;
    limit.onSample(now - 100 * MS, now, 8);
    assertEquals(4, limit.limit(), "closed: the mean is 100 times the baseline, so halved");
    for (int i = 0; i < 3 * LatencyLimit.WINDOW_CALLS; i++) {
      now += MS;
      limit.onSample(now - 100 * MS, now, 4);
    }
    assertEquals(4, limit.limit(), "enough calls, but within 100 ms");
    now += 100 * MS;
    limit.onSample(now - 100 * MS, now, 4);
    assertEquals(2, limit.limit());
  }

  @Test
  void boundsAndToleranceAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new LatencyLimit(0, 8, 0, 2.0));
    assertThrows(IllegalArgumentException.class, () -> new LatencyLimit(9, 8, 0, 2.0));
    assertThrows(IllegalArgumentException.class, () -> new LatencyLimit(1, 8, 0, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new LatencyLimit(1, 8, 0, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new LatencyLimit(1, 8, -1, 2.0));
  }
}
