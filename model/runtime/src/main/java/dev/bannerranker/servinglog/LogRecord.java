package dev.bannerranker.servinglog;

import java.time.Instant;

/**
 * One line of the serving log. The JSON field names, the {@code type} codes and the file layout are described in
 * docs/serving-log.md; {@link ServingLogCodec} is the only code that maps them.
 */
public sealed interface LogRecord
    permits StartRecord, DecisionRecord, ImpressionRecord, ClickRecord, ConversionRecord, ProductEventRecord,
    ProfileRecord {

  /** The {@code type} code written first on the line. */
  String type();

  Instant time();
}
