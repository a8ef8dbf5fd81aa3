package dev.bannerranker.serving.limits;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.util.Map;

/**
 * {@code ranker.limits}: how many calls of each RPC may run at once; one more is shed with RESOURCE_EXHAUSTED
 * instead of waiting. 0 leaves an RPC unlimited.
 *
 * @param maxConcurrentCalls by RPC name ({@code Rank}, {@code RecordEvents}, ...), the most calls in flight
 */
@ConfigurationProperties("ranker.limits")
public record LimitSettings(Map<String, Integer> maxConcurrentCalls) {
  public LimitSettings {
    maxConcurrentCalls = maxConcurrentCalls == null ? Map.of() : Map.copyOf(maxConcurrentCalls);
    maxConcurrentCalls.forEach((rpc, n) -> {
      if (n == null || n < 0) {
        throw new IllegalArgumentException("ranker.limits.max-concurrent-calls." + rpc + " must be >= 0, got " + n);
      }
    });
  }
}
