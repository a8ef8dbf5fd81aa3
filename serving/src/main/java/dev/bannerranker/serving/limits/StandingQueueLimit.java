package dev.bannerranker.serving.limits;

/**
 * A concurrency limit that falls under sustained overload, between {@code floor} and {@code max}. Calls beyond the
 * threads that run them only wait, so a fixed limit high enough to absorb bursts turns sustained overload into a full
 * queue, and latency, for every admitted call.
 *
 * <p>The signal is a standing queue, as in CoDel: over a window, the fewest calls in flight that any answered call
 * found at its admission (itself included). A burst on a healthy service drains within the window, so some call finds
 * few in flight; when even the emptiest moment of a whole window had more than {@code floor} in flight, calls are
 * arriving faster than the threads finish them, and the limit drops to {@code floor} at once, so a sustained overload
 * costs the admitted calls one window of queueing, not several. Otherwise it grows by one call per window, or doubles
 * when a quarter of the window's calls found a thread free (at most one call in flight per thread, itself: about a
 * third of them do at 70 % utilisation, whatever the floor), so that after a stall of the threads
 * (the JIT compiler or a collection taking the core for 100 ms or more, which looks like overload's first window) it
 * is back at the ceiling within about half a second, not many seconds later while it sheds a healthy load. A mean
 * latency against a no-load baseline is not used: at ordinary utilisation queueing alone doubles the mean latency
 * (M/D/1 at 70 %), which would shed a healthy service's traffic.
 *
 * <p>Timestamps are the caller's ({@link System#nanoTime} in the service), so the arithmetic is tested with made-up
 * times.
 */
public final class StandingQueueLimit {
  /** A window lasts at least this long... */
  static final long WINDOW_NANOS = 100_000_000L;
  /** ...and holds at least this many calls, so its minimum is not one call's. */
  static final int WINDOW_CALLS = 10;
  /**
   * The limit doubles when at least one call in this many found a thread free: a service at 70 % finds one free
   * about a third of the time, one at three times its capacity rarely (only when no call arrived for a whole call's
   * time), so a few free moments do not raise an overloaded service's limit faster than by one.
   */
  static final int FREE_SHARE = 4;

  private final int threads;
  private final int floor;
  private final int max;
  private volatile int limit;
  /** Windows that dropped the limit: the starts of standing queues, and every other window of a sustained one. */
  private volatile long drops;
  private long windowStart;
  private int calls;
  private int fewestInFlight;
  /** Calls of the window that found a thread free: at most {@code threads} in flight, themselves included. */
  private int foundAThreadFree;

  /**
   * Starts at {@code max}; {@code floor} is the standing queue tolerated (running calls included) on {@code threads}
   * threads that run the calls.
   */
  public StandingQueueLimit(int threads, int floor, int max) {
    if (threads < 1 || floor < 1 || max < floor) {
      throw new IllegalArgumentException("need threads >= 1 and 1 <= floor <= max, got " + threads + ", " + floor
          + ", " + max);
    }
    this.threads = threads;
    this.floor = floor;
    this.max = max;
    this.limit = max;
  }

  /** The calls that may be in flight now. */
  public int limit() {
    return limit;
  }

  /**
   * Windows whose standing queue dropped the limit to the floor from above it. Under sustained overload the limit
   * climbs by one call and drops back, about every other window; a drop now and then while the CPU has room is a
   * stall (the threads making little progress for a window), which a gauge scraped every few seconds can miss.
   */
  public long drops() {
    return drops;
  }

  /**
   * One call answered at {@code endNanos}, with {@code inFlight} calls in flight when it was admitted (itself
   * included).
   */
  public synchronized void onSample(long endNanos, int inFlight) {
    if (calls == 0) {
      windowStart = endNanos;
      fewestInFlight = Integer.MAX_VALUE;
      foundAThreadFree = 0;
    }
    calls++;
    fewestInFlight = Math.min(fewestInFlight, inFlight);
    if (inFlight <= threads) {
      foundAThreadFree++;
    }
    if (calls < WINDOW_CALLS || endNanos - windowStart < WINDOW_NANOS) {
      return;
    }
    boolean mostlyBusy = FREE_SHARE * foundAThreadFree < calls;
    calls = 0;
    if (fewestInFlight > floor && limit > floor) {
      drops++;
    }
    limit = fewestInFlight > floor ? floor : (int) Math.min(max, mostlyBusy ? limit + 1L : 2L * limit);
  }
}
