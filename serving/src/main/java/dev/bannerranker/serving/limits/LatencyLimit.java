package dev.bannerranker.serving.limits;

/**
 * A concurrency limit that follows the calls' latency, between {@code min} and {@code max}. Calls beyond the threads
 * that run them only wait, so under sustained overload a fixed limit turns into latency for every admitted call. This
 * one compares each window's mean latency with the no-load latency: above {@code tolerance} times it, the limit
 * shrinks in proportion (at most by half per window); otherwise it grows by one call per window up to {@code max}, so
 * a burst on a healthy service is still absorbed.
 *
 * <p>The no-load latency is the lowest window mean seen (queueing only adds to a mean, so this never underestimates
 * it). A slower service, such as a bigger model after a swap, is learned from a window whose calls did not queue (on
 * average at most {@code min} in flight) once the baseline is {@link #BASELINE_AGE_NANOS} old. Timestamps are the
 * caller's ({@link System#nanoTime} in the service), so the arithmetic is tested with made-up times.
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
  private final double tolerance;
  private volatile int limit;
  private double exactLimit;
  private long windowStart;
  private int calls;
  private long latencySum;
  private long inFlightSum;
  private double baseline = Double.NaN;
  private long baselineAt;

  /** Starts at {@code max}. */
  public LatencyLimit(int min, int max, double tolerance) {
    if (min < 1 || max < min || !(tolerance > 1)) {
      throw new IllegalArgumentException("need 1 <= min <= max and tolerance > 1, got " + min + ", " + max + ", "
          + tolerance);
    }
    this.min = min;
    this.max = max;
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
    boolean queued = (double) inFlightSum / calls > min;
    calls = 0;
    latencySum = 0;
    inFlightSum = 0;
    if (Double.isNaN(baseline) || mean < baseline || !queued && endNanos - baselineAt >= BASELINE_AGE_NANOS) {
      baseline = mean;
      baselineAt = endNanos;
    }
    double allowed = tolerance * baseline;
    exactLimit = mean > allowed ? Math.max(min, exactLimit * Math.max(MAX_SHRINK, allowed / mean))
        : Math.min(max, exactLimit + 1);
    limit = (int) exactLimit;
  }
}
