package dev.bannerranker.serving.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/** The standing-queue limit's arithmetic on made-up times, and on a simulated one-thread server. */
class StandingQueueLimitTest {
  private static final long MS = 1_000_000L;
  private static final long US = 1_000L;

  private long now = 1_000 * MS;

  /** One window of 11 calls, one every 10 ms, each finding {@code inFlight[i % length]} in flight at admission. */
  private void window(StandingQueueLimit limit, int... inFlight) {
    for (int i = 0; i < 11; i++) {
      now += 10 * MS;
      limit.onSample(now, inFlight[i % inFlight.length]);
    }
  }

  @Test
  void burstsThatDrainWithinAWindowKeepTheCeiling() {
    StandingQueueLimit limit = new StandingQueueLimit(2, 32);
    for (int w = 0; w < 50; w++) {
      window(limit, 1, 30, 25, 12, 3);
    }
    assertEquals(32, limit.limit());
  }

  @Test
  void aStandingQueueDropsTheLimitToTheFloorAtOnce() {
    StandingQueueLimit limit = new StandingQueueLimit(2, 32);
    assertEquals(0, limit.drops());
    window(limit, 32, 30, 31); // never fewer than 30 in flight all window long
    assertEquals(2, limit.limit());
    assertEquals(1, limit.drops());
    window(limit, 30); // still queued from before the drop: the limit is at its floor already
    assertEquals(2, limit.limit());
    assertEquals(1, limit.drops());
    window(limit, 2); // the floor full: no standing queue beyond it
    assertEquals(3, limit.limit());
    window(limit, 3);
    assertEquals(2, limit.limit(), "one call past the floor all window long");
    assertEquals(2, limit.drops());
  }

  @Test
  void theLimitGrowsBackByOneCallPerWindow() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 20);
    for (int w = 0; w < 10; w++) {
      window(limit, 20);
    }
    assertEquals(1, limit.limit());
    for (int w = 1; w <= 25; w++) {
      window(limit, 1, 5);
      assertEquals(Math.min(20, 1 + w), limit.limit());
    }
  }

  @Test
  void aWindowNeedsItsCallsAndItsTime() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 8);
    for (int i = 0; i < StandingQueueLimit.WINDOW_CALLS - 1; i++) {
      now += 50 * MS;
      limit.onSample(now, 8);
    }
    assertEquals(8, limit.limit(), "long enough, but too few calls");
    now += 50 * MS;
    limit.onSample(now, 8);
    assertEquals(1, limit.limit());
    for (int i = 0; i < 3 * StandingQueueLimit.WINDOW_CALLS; i++) {
      now += MS;
      limit.onSample(now, 1);
    }
    assertEquals(1, limit.limit(), "enough calls, but within 100 ms");
    now += 100 * MS;
    limit.onSample(now, 1);
    assertEquals(2, limit.limit());
  }

  @Test
  void boundsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new StandingQueueLimit(0, 8));
    assertThrows(IllegalArgumentException.class, () -> new StandingQueueLimit(9, 8));
  }

  /** What a simulated run gave: calls offered, shed, and the admitted calls' worst latency after the first second. */
  private record Run(long offered, long shed, long worstLatencyNanos) {}

  /**
   * A one-thread FIFO server taking {@code service} per call, offered one call every {@code interval} for 20 s, that
   * stalls for {@code stall} every 100 ms (a collector's pause), behind {@code limit}.
   */
  private static Run simulate(StandingQueueLimit limit, long service, long interval, long stall) {
    ArrayDeque<long[]> running = new ArrayDeque<>(); // {admitted at, done at, in flight at admission}, FIFO
    long serverFree = 0;
    long offered = 0;
    long shed = 0;
    long worst = 0;
    for (long t = 0; t < 20_000 * MS; t += interval) {
      while (!running.isEmpty() && running.peekFirst()[1] <= t) {
        long[] done = running.pollFirst();
        limit.onSample(done[1], (int) done[2]);
        if (done[0] >= 1_000 * MS) {
          worst = Math.max(worst, done[1] - done[0]);
        }
      }
      offered++;
      int inFlight = running.size() + 1;
      if (inFlight > limit.limit()) {
        shed++;
        continue;
      }
      long start = Math.max(t, serverFree);
      long intoPeriod = start % (100 * MS);
      if (intoPeriod < stall) {
        start += stall - intoPeriod; // no call starts during a pause
      }
      serverFree = start + service;
      running.addLast(new long[] {t, serverFree, inFlight});
    }
    return new Run(offered, shed, worst);
  }

  @Test
  void aServerAt70PercentWithPausesShedsNothing() {
    StandingQueueLimit limit = new StandingQueueLimit(2, 32);
    Run run = simulate(limit, 150 * US, 214 * US, 2 * MS);
    assertEquals(0, run.shed(), "of " + run.offered());
    assertEquals(32, limit.limit());
  }

  @Test
  void aServerAtThreeTimesItsCapacityKeepsTheAdmittedCallsNearTheFloor() {
    StandingQueueLimit limit = new StandingQueueLimit(2, 32);
    long service = 150 * US;
    Run run = simulate(limit, service, 50 * US, 2 * MS);
    double shedShare = (double) run.shed() / run.offered();
    assertTrue(shedShare > 0.6 && shedShare < 0.75, "about two calls in three shed: " + shedShare);
    // At most three in flight (the floor's two and one more while the limit probes upwards), the rest of a call
    // that was running when a pause began, and the pause.
    assertTrue(run.worstLatencyNanos() <= 4 * service + 2 * MS, "worst admitted latency " + run.worstLatencyNanos());

    StandingQueueLimit fixed = new StandingQueueLimit(32, 32);
    Run fixedRun = simulate(fixed, service, 50 * US, 2 * MS);
    assertTrue(fixedRun.worstLatencyNanos() >= 30 * service, "a fixed limit of 32 queues 32 deep: "
        + fixedRun.worstLatencyNanos());
  }
}
