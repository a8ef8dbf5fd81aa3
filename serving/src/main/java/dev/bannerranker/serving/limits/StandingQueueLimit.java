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
 * costs the admitted calls one window of queueing, not several. The limit goes back to {@code max} at once after a
 * window in which at least one call in {@link #IDLE_SHARE} found a thread idle: arrivals see the time averages, so the
 * threads were then busy at most about nine tenths of the time and the overload is over, and the bursts of a healthy
 * service are not shed while a limit climbs. In any other window the limit stays as it is: the threads were busy, and
 * a higher limit would only lengthen the queue. (A limit that climbed by a step per window would also climb during an
 * overload from a client that pauses now and then, since each pause lets the queue drain; only the first call after a
 * pause finds a thread idle.) A mean latency against a no-load baseline is not used: at ordinary utilisation queueing
 * alone doubles the mean latency (M/D/1 at 70 %), which would shed a healthy service's traffic.
 *
 * <p>Timestamps are the caller's ({@link System#nanoTime} in the service), so the arithmetic is tested with made-up
 * times.
 */
public final class StandingQueueLimit {
  /** A window lasts at least this long... */
  static final long WINDOW_NANOS = 100_000_000L;
  /** ...and holds at least this many calls, so its minimum is not one call's. */
  static final int WINDOW_CALLS = 10;
  /** One call in this many finding a thread idle marks a window without overload. */
  static final int IDLE_SHARE = 10;

  private final int threads;
  private final int floor;
  private final int max;
  private volatile int limit;
  private long windowStart;
  private int calls;
  private int fewestInFlight;
  private int foundIdle;

  /**
   * Starts at {@code max}; {@code threads} run calls at once, {@code floor} is the standing queue tolerated (running
   * calls included).
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
   * One call answered at {@code endNanos}, with {@code inFlight} calls in flight when it was admitted (itself
   * included).
   */
  public synchronized void onSample(long endNanos, int inFlight) {
    if (calls == 0) {
      windowStart = endNanos;
      fewestInFlight = Integer.MAX_VALUE;
      foundIdle = 0;
    }
    calls++;
    fewestInFlight = Math.min(fewestInFlight, inFlight);
    if (inFlight <= threads) {
      foundIdle++;
    }
    if (calls < WINDOW_CALLS || endNanos - windowStart < WINDOW_NANOS) {
      return;
    }
    limit = fewestInFlight > floor ? floor
        : (long) foundIdle * IDLE_SHARE >= calls ? max
        : limit;
    calls = 0;
  }
}
