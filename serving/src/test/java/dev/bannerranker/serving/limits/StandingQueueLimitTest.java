package dev.bannerranker.serving.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;
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
    window(limit, 32, 30, 31); // never fewer than 30 in flight all window long
    assertEquals(2, limit.limit());
    window(limit, 1, 2); // the thread idle for half the calls
    assertEquals(32, limit.limit());
    window(limit, 3, 30);
    assertEquals(2, limit.limit(), "one call past the floor all window long");
  }

  @Test
  void theLimitStaysAtTheFloorWhileTheThreadsStayBusy() {
    StandingQueueLimit limit = new StandingQueueLimit(2, 4, 20);
    window(limit, 20);
    assertEquals(4, limit.limit());
    for (int w = 0; w < 25; w++) {
      window(limit, 3, 4, 4, 3, 4, 4, 3, 4, 3, 4, 3); // never a thread idle, and no standing queue past the floor
      assertEquals(4, limit.limit());
    }
  }

  @Test
  void aWindowWhereOneCallInTenFoundAThreadIdleRestoresTheCeiling() {
    StandingQueueLimit limit = new StandingQueueLimit(2, 4, 20);
    window(limit, 20);
    assertEquals(4, limit.limit());
    window(limit, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3); // one call in 11 found a thread idle
    assertEquals(4, limit.limit());
    window(limit, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1); // two in 11
    assertEquals(20, limit.limit());
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
    assertEquals(8, limit.limit(), "every call found the thread idle");
  }

  @Test
  void boundsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new StandingQueueLimit(0, 1, 8));
    assertThrows(IllegalArgumentException.class, () -> new StandingQueueLimit(1, 0, 8));
    assertThrows(IllegalArgumentException.class, () -> new StandingQueueLimit(1, 9, 8));
  }

  /**
   * What a simulated run gave: calls offered and shed, over the whole run and from {@code countFrom} on, and the
   * admitted calls' worst latency from {@code countFrom} on.
   */
  private record Run(long offered, long shed, long offeredLater, long shedLater, long worstLatencyNanos) {}

  /** A one-thread FIFO server offered one call every {@code interval} for 20 s; see {@link #simulate(StandingQueueLimit, long, long, LongUnaryOperator, long)}. */
  private static Run simulate(StandingQueueLimit limit, long service, long interval, long stall) {
    return simulate(limit, service, stall, t -> t + interval, 1_000 * MS);
  }

  /**
   * A one-thread FIFO server taking {@code service} per call, offered calls at the times {@code next} gives (from the
   * previous one) for 20 s, that stalls for {@code stall} every 100 ms (a collector's pause), behind {@code limit}.
   */
  private static Run simulate(StandingQueueLimit limit, long service, long stall, LongUnaryOperator next,
      long countFrom) {
    ArrayDeque<long[]> running = new ArrayDeque<>(); // {admitted at, done at, in flight at admission}, FIFO
    long serverFree = 0;
    long offered = 0;
    long shed = 0;
    long offeredLater = 0;
    long shedLater = 0;
    long worst = 0;
    for (long t = 0; t < 20_000 * MS; t = next.applyAsLong(t)) {
      while (!running.isEmpty() && running.peekFirst()[1] <= t) {
        long[] done = running.pollFirst();
        limit.onSample(done[1], (int) done[2]);
        if (done[0] >= countFrom) {
          worst = Math.max(worst, done[1] - done[0]);
        }
      }
      offered++;
      boolean later = t >= countFrom;
      if (later) {
        offeredLater++;
      }
      int inFlight = running.size() + 1;
      if (inFlight > limit.limit()) {
        shed++;
        if (later) {
          shedLater++;
        }
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
    return new Run(offered, shed, offeredLater, shedLater, worst);
  }

  /** Poisson arrivals at {@code meanInterval}, seeded. */
  private static LongUnaryOperator poisson(long meanInterval, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return t -> t + 1 + (long) (-Math.log(1 - random.nextDouble()) * meanInterval);
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
    // At most the floor's two in flight: the rest of a call that was running when a pause began, its own service, and
    // the pause.
    assertTrue(run.worstLatencyNanos() <= 2 * service + 2 * MS, "worst admitted latency " + run.worstLatencyNanos());

    StandingQueueLimit fixed = new StandingQueueLimit(1, 32, 32);
    Run fixedRun = simulate(fixed, service, 50 * US, 2 * MS);
    assertTrue(fixedRun.worstLatencyNanos() >= 30 * service, "a fixed limit of 32 queues 32 deep: "
        + fixedRun.worstLatencyNanos());
  }

  @Test
  void afterTwoSecondsOfOverloadAServerAt70PercentIsBackAtItsCeilingWithinTwoWindows() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 32);
    long service = 150 * US;
    LongUnaryOperator overload = poisson(50 * US, 7);
    LongUnaryOperator normal = poisson(214 * US, 8);
    // Overload for the first two seconds, then 70 % with Poisson bursts; counted from 200 ms after the change.
    Run run = simulate(limit, service, 0, t -> t < 2_000 * MS ? overload.applyAsLong(t) : normal.applyAsLong(t),
        2_200 * MS);
    assertTrue(run.shed() > run.offered() / 20, "the overload was shed: " + run.shed() + " of " + run.offered());
    assertEquals(0, run.shedLater(), "shed at 70 % after the overload, of " + run.offeredLater());
    assertEquals(32, limit.limit());
  }

  @Test
  void anOverloadWithPausesInTheArrivalsKeepsTheLimitAtTheFloor() {
    StandingQueueLimit limit = new StandingQueueLimit(1, 2, 32);
    window(limit, 32); // a standing queue first
    assertEquals(2, limit.limit());
    long service = 150 * US;
    // Three times the capacity, from a client that sends one call every 50 us but stalls for 10 ms in every 40 and
    // then sends what it owes at once: each pause drains the queue, but only its first call finds the thread idle.
    LongUnaryOperator bursty = new LongUnaryOperator() {
      long owed;

      @Override
      public long applyAsLong(long t) {
        if (owed > 0) {
          owed--;
          return t; // the calls it owes, all at once
        }
        long next = t + 50 * US;
        if (next % (40 * MS) >= 30 * MS) {
          owed = (10 * MS) / (50 * US);
          return next - next % (40 * MS) + 40 * MS;
        }
        return next;
      }
    };
    Run run = simulate(limit, service, 0, bursty, 0);
    assertTrue(run.shed() > run.offered() / 2, "most of the overload is shed: " + run.shed() + " of " + run.offered());
    assertTrue(run.worstLatencyNanos() <= 2 * service, "worst admitted latency " + run.worstLatencyNanos());
    assertEquals(2, limit.limit());
  }
}
