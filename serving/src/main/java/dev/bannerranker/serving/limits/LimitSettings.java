package dev.bannerranker.serving.limits;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ranker.limits}: how many calls of each RPC may run at once; one more is shed with RESOURCE_EXHAUSTED
 * instead of waiting. Rank and RecordEvents have a limit unless configured otherwise: RecordEvents
 * {@link #DEFAULT_PER_PROCESSOR} calls per processor, enough to keep every core busy and few enough that a burst is shed
 * rather than queued behind the CPU. Rank's default, {@link #DEFAULT_RANK_PER_PROCESSOR} per processor, is a ceiling
 * that absorbs a healthy service's bursts (a pause of a few milliseconds at thousands of Ranks a second); under
 * sustained overload its {@link StandingQueueLimit} drops it to {@code rankStandingQueue} calls per Rank thread, so
 * the admitted calls do not wait behind a full queue. 0 leaves an RPC unlimited.
 *
 * @param maxConcurrentCalls by RPC name ({@code Rank}, {@code rank}, {@code record-events}, ...), the most calls in
 *     flight
 * @param rankStandingQueue calls in flight per Rank thread that Rank's limit tolerates as a standing queue, and its
 *     floor; 0 keeps Rank's limit fixed; default {@value #DEFAULT_RANK_STANDING_QUEUE}
 */
@ConfigurationProperties("ranker.limits")
public record LimitSettings(Map<String, Integer> maxConcurrentCalls, @Nullable Integer rankStandingQueue) {
  /** Calls in flight per available processor for the RPCs limited by default. */
  public static final int DEFAULT_PER_PROCESSOR = 16;
  /** Rank's ceiling per available processor: the executor's default queue (64) per Rank thread. */
  public static final int DEFAULT_RANK_PER_PROCESSOR = 64;
  /** One call running and one waiting per thread: the thread never idles between calls. */
  public static final int DEFAULT_RANK_STANDING_QUEUE = 2;
  private static final String[] LIMITED_BY_DEFAULT = {"rank", "recordevents"};

  public LimitSettings {
    maxConcurrentCalls = maxConcurrentCalls == null ? Map.of() : Map.copyOf(maxConcurrentCalls);
    maxConcurrentCalls.forEach((rpc, n) -> {
      if (n == null || n < 0) {
        throw new IllegalArgumentException("ranker.limits.max-concurrent-calls." + rpc + " must be >= 0, got " + n);
      }
    });
    rankStandingQueue = rankStandingQueue == null ? DEFAULT_RANK_STANDING_QUEUE : rankStandingQueue;
    if (rankStandingQueue < 0 || rankStandingQueue > 1 << 16) {
      throw new IllegalArgumentException("ranker.limits.rank-standing-queue must be 0 (a fixed limit) to 65536, got "
          + rankStandingQueue);
    }
  }

  /** The limit of each RPC that has one, by {@link #key}: the configured ones and the defaults not configured. */
  public Map<String, Integer> limits() {
    Map<String, Integer> limits = new HashMap<>();
    for (String rpc : LIMITED_BY_DEFAULT) {
      int perProcessor = rpc.equals("rank") ? DEFAULT_RANK_PER_PROCESSOR : DEFAULT_PER_PROCESSOR;
      limits.put(rpc, perProcessor * Runtime.getRuntime().availableProcessors());
    }
    maxConcurrentCalls.forEach((rpc, n) -> limits.put(key(rpc), n));
    limits.values().removeIf(n -> n == 0);
    return limits;
  }

  /** Configuration keys may be written Rank, rank or record-events; RPC names are RecordEvents. */
  public static String key(String rpc) {
    return rpc.toLowerCase(Locale.ROOT).replace("-", "");
  }
}
