package dev.bannerranker.serving.ranking;

/**
 * The time a request may take, from its deadline. Kept apart from gRPC so the pipeline is tested without it.
 *
 * @param deadlineNanos {@link System#nanoTime()} at the deadline; ignored when unbounded
 * @param bounded whether the request has a deadline
 */
public record Budget(long deadlineNanos, boolean bounded) {
  private static final Budget UNBOUNDED = new Budget(0, false);

  public static Budget unbounded() {
    return UNBOUNDED;
  }

  /** A deadline {@code nanos} from now. */
  public static Budget remaining(long nanos) {
    return new Budget(System.nanoTime() + nanos, true);
  }

  public long remainingNanos() {
    return bounded ? deadlineNanos - System.nanoTime() : Long.MAX_VALUE;
  }

  public boolean expired() {
    return remainingNanos() <= 0;
  }
}
