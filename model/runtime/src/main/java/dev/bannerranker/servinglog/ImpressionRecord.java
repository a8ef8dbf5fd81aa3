package dev.bannerranker.servinglog;

import java.time.Instant;

/** A banner shown to a user; {@code requestId} and {@code slotPosition} (1-based) are null when the client sent none. */
public record ImpressionRecord(Instant time, String userId, String bannerId, String requestId, Integer slotPosition)
    implements LogRecord {
  public static final String TYPE = "impression";

  @Override
  public String type() {
    return TYPE;
  }
}
