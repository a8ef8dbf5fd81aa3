package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code ranker.request}: request limits, the clock, and the scoring budget.
 *
 * @param maxUserIdLength longest accepted user id
 * @param maxCandidates most candidate ids one Rank may carry
 * @param maxResults most banners one Rank returns; larger asks are lowered to this
 * @param defaultResults results when neither num_results nor slot_count is given
 * @param maxEventsPerCall most events one RecordEvents may carry
 * @param defaultTime ISO-8601 instant used when a request or event carries no timestamp; empty means the server
 *     clock (set it to serve a synthetic world whose banners are not live today)
 * @param minScoringTime deadline headroom always kept for scoring; with less left, Rank answers with the
 *     popularity order
 */
@ConfigurationProperties("ranker.request")
public record RequestSettings(
    int maxUserIdLength,
    int maxCandidates,
    int maxResults,
    int defaultResults,
    int maxEventsPerCall,
    String defaultTime,
    Duration minScoringTime) {

  public RequestSettings {
    if (maxUserIdLength <= 0 || maxCandidates <= 0 || maxResults <= 0 || defaultResults <= 0 || maxEventsPerCall <= 0) {
      throw new IllegalArgumentException("ranker.request limits must be positive");
    }
    defaultTime = defaultTime == null ? "" : defaultTime.trim();
    if (!defaultTime.isEmpty()) {
      try {
        Instant.parse(defaultTime);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("ranker.request.default-time must be an ISO-8601 instant like "
            + "2026-03-10T12:00:00Z, got '" + defaultTime + "'");
      }
    }
    if (minScoringTime == null || minScoringTime.isNegative()) {
      minScoringTime = Duration.ZERO;
    }
  }

  /** The current time in epoch seconds: the fixed default time when set, else the system clock. */
  public long nowSeconds() {
    if (defaultTime.isEmpty()) {
      return System.currentTimeMillis() / 1000;
    }
    // Parsed once, not on every request without a timestamp (Instant.parse allocates a parser context each call).
    ParsedTime p = lastParsed;
    if (p == null || !p.text().equals(defaultTime)) {
      p = new ParsedTime(defaultTime, Instant.parse(defaultTime).getEpochSecond());
      lastParsed = p;
    }
    return p.seconds();
  }

  /** A parsed default time; records cannot hold a cache field, so the last one parsed is kept here. */
  private record ParsedTime(String text, long seconds) {}

  private static volatile ParsedTime lastParsed;
}
