package dev.bannerranker.servinglog;

import java.time.Instant;

/** A click on a banner; {@code requestId} is null when the client sent none. */
public record ClickRecord(Instant time, String userId, String bannerId, String requestId) implements LogRecord {
  public static final String TYPE = "click";

  @Override
  public String type() {
    return TYPE;
  }
}
