package dev.bannerranker.servinglog;

import java.time.Instant;

/**
 * A user's profile as the service used it: gender F, M or U; {@code ageBand} empty and {@code cityTier} 0 when
 * unknown. Written when this process first uses a profile and whenever it changes.
 */
public record ProfileRecord(Instant time, String userId, String gender, String ageBand, int cityTier)
    implements LogRecord {
  public static final String TYPE = "profile";

  @Override
  public String type() {
    return TYPE;
  }
}
