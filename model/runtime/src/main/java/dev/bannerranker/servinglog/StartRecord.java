package dev.bannerranker.servinglog;

import java.time.Instant;

/** Written when a service starts logging: its version and the catalog snapshot it serves (relative path). */
public record StartRecord(Instant time, String serviceVersion, String catalog) implements LogRecord {
  public static final String TYPE = "start";

  @Override
  public String type() {
    return TYPE;
  }
}
