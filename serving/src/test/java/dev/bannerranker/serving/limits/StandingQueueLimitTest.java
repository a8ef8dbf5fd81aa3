package dev.bannerranker.serving.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
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
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 32);
    for (int w = 0; w < 50; w++) {
      window(limit, 1, 30, 25, 12, 3);
    }
    assertEquals(32, limit.limit());
  }

  @Test
  void aStandingQueueDropsTheLimitToTheFloorAtOnce() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 32);
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
  void theLimitGrowsBackByOneCallPerWindowWhileTheFloorIsBusy() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 20);
    for (int w = 0; w < 10; w++) {
      window(limit, 20);
    }
    assertEquals(2, limit.limit());
    for (int w = 1; w <= 25; w++) {
      window(limit, 2, 5);
      assertEquals(Math.min(20, 2 + w), limit.limit());
    }
  }

  @Test
  void theLimitDoublesWhenAQuarterOfTheCallsFoundAThreadFree() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 20);
    window(limit, 20);
    assertEquals(2, limit.limit());
    window(limit, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1); // one call in 11 found itself alone
    assertEquals(3, limit.limit(), "a thread free now and then: as at three times the capacity");
    int[] expected = {6, 12, 20, 20};
    for (int want : expected) {
      window(limit, 3, 1, 2); // 4 calls in 11 found themselves alone (a thread free)
      assertEquals(want, limit.limit());
    }
    StandingQueueLimit wide = new StandingQueueLimit(4, 8, 64); // four threads, two calls each
    window(wide, 64);
    window(wide, 5, 8);
    assertEquals(9, wide.limit(), "five in flight: every thread was busy");
    window(wide, 4, 8);
    assertEquals(18, wide.limit(), "four in flight: a thread was free");
  }

  @Test
  void aFloorOfOneCallPerThreadStillDoublesBack() {
    // No waiting call tolerated: a call alone on its thread found it free, so the limit doubles back after a drop
    // rather than climbing one call per window (6 s from 1 to 64).
    StandingQueueLimit limit = new StandingQueueLimit(1, 1, 64);
    window(limit, 20);
    assertEquals(1, limit.limit());
    window(limit, 1); // at a limit of 1 every admitted call is alone
    assertEquals(2, limit.limit());
    for (int want : new int[] {4, 8, 16, 32, 64}) {
      window(limit, 1, 2, 2); // 4 calls in 11 found themselves alone
      assertEquals(want, limit.limit());
    }
  }

  @Test
  void aThreadIsFreeByTheThreadsNotByTheFloor() {
    // Two threads with three calls each tolerated: a call that found three in flight (itself included) waited for a
    // thread, though it found no more than half the floor (6) in flight.
    StandingQueueLimit limit = new StandingQueueLimit(2, 6, 64);
    window(limit, 64);
    assertEquals(6, limit.limit());
    window(limit, 3, 6, 6);
    assertEquals(7, limit.limit(), "three in flight on two threads: it waited");
    window(limit, 2, 6, 6);
    assertEquals(14, limit.limit(), "two in flight, itself included: it found a thread free");
  }

  @Test
  void aServerAtThreeTimesItsCapacityWithRandomArrivalsKeepsTheLimitNearTheFloor() {
    // Poisson arrivals leave the thread free now and then even at three times its capacity (no call for a whole
    // call's time), and now and then drain the queue to the floor, so the limit wanders a few calls above it, as
    // growing by one call per window alone gives: p99 5 calls' time. Doubling at any call that found a thread free
    // would give 8 calls' time.
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 64);
    long service = 600 * US;
    Run run = simulate(limit, service, poisson(200 * US), 0, 0, 0, 1);
    assertTrue(run.p99LatencyNanos() <= 5 * service, "admitted p99 " + run.p99LatencyNanos() / US + " us");
  }

  @Test
  void aWindowNeedsItsCallsAndItsTime() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 1, 8);
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
    assertThrows(IllegalArgumentException.class, () -> new StandingQueueLimit(1, 0, 8));
    assertThrows(IllegalArgumentException.class, () -> new StandingQueueLimit(1, 9, 8));
    assertThrows(IllegalArgumentException.class, () -> new StandingQueueLimit(0, 2, 8));
  }

  /**
   * What a simulated run gave: calls offered, shed, the admitted calls' worst and 99th percentile latency after the
   * first second, and the last time the limit was below its ceiling.
   */
  private record Run(long offered, long shed, long worstLatencyNanos, long p99LatencyNanos,
      long lastBelowCeilingNanos) {}

  /**
   * A one-thread FIFO server taking {@code service} per call, offered one call every {@code interval} for 20 s, that
   * stalls for {@code stall} every 100 ms (a collector's pause), behind {@code limit}.
   */
  private static Run simulate(StandingQueueLimit limit, long service, long interval, long stall) {
    return simulate(limit, service, () -> interval, stall, 0, 0, 1);
  }

  /**
   * As above with the gaps between calls from {@code gaps}, and calls started from {@code slowFrom} to {@code slowTo}
   * take {@code slowdown} times as long (the host taking half the core for a while, say).
   */
  private static Run simulate(StandingQueueLimit limit, long service, LongSupplier gaps, long stall, long slowFrom,
      long slowTo, int slowdown) {
    ArrayDeque<long[]> running = new ArrayDeque<>(); // {admitted at, done at, in flight at admission}, FIFO
    int ceiling = limit.limit();
    long serverFree = 0;
    long offered = 0;
    long shed = 0;
    long worst = 0;
    long lastBelowCeiling = -1;
    List<Long> latencies = new ArrayList<>();
    for (long t = 0; t < 20_000 * MS; t += gaps.getAsLong()) {
      while (!running.isEmpty() && running.peekFirst()[1] <= t) {
        long[] done = running.pollFirst();
        limit.onSample(done[1], (int) done[2]);
        if (done[0] >= 1_000 * MS) {
          worst = Math.max(worst, done[1] - done[0]);
          latencies.add(done[1] - done[0]);
        }
      }
      if (limit.limit() < ceiling) {
        lastBelowCeiling = t;
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
      serverFree = start + (start >= slowFrom && start < slowTo ? slowdown * service : service);
      running.addLast(new long[] {t, serverFree, inFlight});
    }
    latencies.sort(null);
    long p99 = latencies.isEmpty() ? 0 : latencies.get((int) (0.99 * (latencies.size() - 1)));
    return new Run(offered, shed, worst, p99, lastBelowCeiling);
  }

  /** Gaps of a Poisson stream with mean {@code mean}, from a fixed seed. */
  private static LongSupplier poisson(long mean) {
    Random random = new Random(42);
    return () -> Math.max(1, (long) (-Math.log(1 - random.nextDouble()) * mean));
  }

  @Test
  void aServerAt70PercentWithPausesShedsNothing() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 32);
    Run run = simulate(limit, 150 * US, 214 * US, 2 * MS);
    assertEquals(0, run.shed(), "of " + run.offered());
    assertEquals(32, limit.limit());
  }

  @Test
  void aServerAtThreeTimesItsCapacityKeepsTheAdmittedCallsNearTheFloor() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 32);
    long service = 150 * US;
    Run run = simulate(limit, service, 50 * US, 2 * MS);
    double shedShare = (double) run.shed() / run.offered();
    assertTrue(shedShare > 0.6 && shedShare < 0.75, "about two calls in three shed: " + shedShare);
    // At most three in flight (the floor's two and one more while the limit probes upwards), the rest of a call
    // that was running when a pause began, and the pause.
    assertTrue(run.worstLatencyNanos() <= 4 * service + 2 * MS, "worst admitted latency " + run.worstLatencyNanos());

    StandingQueueLimit fixed = new StandingQueueLimit(1, 32, 32);
    Run fixedRun = simulate(fixed, service, 50 * US, 2 * MS);
    assertTrue(fixedRun.worstLatencyNanos() >= 30 * service, "a fixed limit of 32 queues 32 deep: "
        + fixedRun.worstLatencyNanos());
  }

  @Test
  void aStallDropsTheLimitButItIsBackAtTheCeilingWithinASecond() {
    // The benchmark's service: 600 us a Rank, a ceiling of 64; at 70 % it runs at half speed for 400 ms (the JIT
    // compiler taking half the core). Growing by one call per window it would take 6 s to climb back from 2 to 64.
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 64);
    Run run = simulate(limit, 600 * US, poisson(857 * US), 0, 5_000 * MS, 5_400 * MS, 2);
    assertEquals(1, limit.drops());
    long stallEnd = 5_400 * MS;
    assertTrue(run.lastBelowCeilingNanos() > stallEnd && run.lastBelowCeilingNanos() < stallEnd + 1_000 * MS,
        "below the ceiling until " + run.lastBelowCeilingNanos() / MS + " ms");
    assertEquals(64, limit.limit());
  }
}
