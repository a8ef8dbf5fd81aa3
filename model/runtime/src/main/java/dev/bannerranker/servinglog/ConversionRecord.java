package dev.bannerranker.servinglog;

import java.time.Instant;

/**
 * A conversion the client attributed to a click on a banner; {@code requestId} is null when the client sent none. Logs
 * written before conversions existed have no such lines and read as before.
 */
public record ConversionRecord(Instant time, String userId, String bannerId, String requestId) implements LogRecord {
  public static final String TYPE = "conversion";

  @Override
  public String type() {
    return TYPE;
  }
}
