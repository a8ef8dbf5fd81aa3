package dev.bannerranker.serving.limits;

/**
 * A concurrency limit that follows the calls' latency, between {@code min} and {@code max}. Calls beyond the threads
 * that run them only wait, so under sustained overload a fixed limit turns into latency for every admitted call. This
 * one compares each window's mean latency with the no-load latency: above {@code tolerance} times it, the limit
 * shrinks in proportion (at most by half per window); otherwise it grows by one call per window up to {@code max}, so
 * a burst on a healthy service is still absorbed.
 *
 * <p>The no-load latency is the lowest window estimate seen: a window's mean latency, and when more calls were in
 * flight than {@code threads} run at once, that mean times {@code threads} over the calls in flight (the others only
 * queued, so by Little's law that is the time one call takes). A service started under overload thus still learns it.
 * With {@code threads} 0 (calls are not queued for a fixed pool) only windows with at most {@code min} calls in flight
 * on average are taken as they are. Once the estimate is {@link #BASELINE_AGE_NANOS} old, the next window's estimate
 * replaces it, so a slower service, such as a bigger model after a swap, is learned. Timestamps are the caller's
 * ({@link System#nanoTime} in the service), so the arithmetic is tested with made-up times.
 */
public final class LatencyLimit {
  /** A window lasts at least this long... */
  static final long WINDOW_NANOS = 100_000_000L;
  /** ...and holds at least this many calls, so a mean is not one call's. */
  static final int WINDOW_CALLS = 10;
  /** After this long, a window without queueing may replace the no-load latency with a higher one. */
  static final long BASELINE_AGE_NANOS = 30_000_000_000L;
  /** The most a window may shrink the limit by. */
  static final double MAX_SHRINK = 0.5;

  private final int min;
  private final int max;
  private final int threads;
  private final double tolerance;
  private volatile int limit;
  private double exactLimit;
  private long windowStart;
  private int calls;
  private long latencySum;
  private long inFlightSum;
  private double baseline = Double.NaN;
  private long baselineAt;

  /** Starts at {@code max}; {@code threads} run the calls (a fixed pool), 0 if each call has a thread of its own. */
  public LatencyLimit(int min, int max, int threads, double tolerance) {
    if (min < 1 || max < min || threads < 0 || !(tolerance > 1)) {
      throw new IllegalArgumentException("need 1 <= min <= max, threads >= 0 and tolerance > 1, got " + min + ", "
          + max + ", " + threads + ", " + tolerance);
    }
    this.min = min;
    this.max = max;
    this.threads = threads;
    this.tolerance = tolerance;
    this.exactLimit = max;
    this.limit = max;
  }

  /** The calls that may be in flight now. */
  public int limit() {
    return limit;
  }

  /** The no-load latency in nanoseconds, NaN before the first window. */
  synchronized double baselineNanos() {
    return baseline;
  }

  /**
   * One call answered: started at {@code startNanos}, answered at {@code endNanos}, with {@code inFlight} calls in
   * flight when it was admitted (itself included).
   */
  public synchronized void onSample(long startNanos, long endNanos, int inFlight) {
    if (calls == 0) {
      windowStart = endNanos;
    }
    calls++;
    latencySum += Math.max(0, endNanos - startNanos);
    inFlightSum += inFlight;
    if (calls < WINDOW_CALLS || endNanos - windowStart < WINDOW_NANOS) {
      return;
    }
    double mean = (double) latencySum / calls;
    double meanInFlight = (double) inFlightSum / calls;
    calls = 0;
    latencySum = 0;
    inFlightSum = 0;
    double estimate = threads > 0 ? mean * Math.min(1, threads / meanInFlight) : mean;
    boolean valid = threads > 0 || meanInFlight <= min;
    if (Double.isNaN(baseline) || estimate < baseline || valid && endNanos - baselineAt >= BASELINE_AGE_NANOS) {
      baseline = estimate;
      baselineAt = endNanos;
    }
    double allowed = tolerance * baseline;
    exactLimit = mean > allowed ? Math.max(min, exactLimit * Math.max(MAX_SHRINK, allowed / mean))
        : Math.min(max, exactLimit + 1);
    limit = (int) exactLimit;
  }
}
