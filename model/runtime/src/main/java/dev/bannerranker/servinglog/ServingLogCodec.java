package dev.bannerranker.servinglog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON-lines form of {@link LogRecord}: one object per line, {@code type} first, times ISO-8601 UTC with
 * milliseconds; {@link ServingLogEncoder} writes it. Unknown fields are ignored when reading, so a newer writer's extra fields do not break an older reader.
 */
public final class ServingLogCodec {
  private ServingLogCodec() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** {@code 2026-03-15T12:00:00.123Z}: always with milliseconds, so lines sort and compare as text too. */
  public static String formatTime(Instant time) {
    return TIME.format(time);
  }

  /** The record as one line of JSON, without the line break ({@link ServingLogEncoder} writes it). */
  public static String encode(LogRecord record) {
    ServingLogEncoder e = new ServingLogEncoder(1024);
    e.line(record);
    e.truncate(e.size() - 1);
    return e.text();
  }

  /**
   * Parses one line. Throws {@link IllegalArgumentException} naming the offending field (or saying the line is not
   * JSON), never echoing more than a short piece of the line.
   */
  public static LogRecord decode(String line) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a JSON object: " + shorten(e.getOriginalMessage()));
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String type = text(n, "type");
    Instant time = time(n, "time");
    return switch (type) {
      case StartRecord.TYPE -> new StartRecord(time, text(n, "service_version"), text(n, "catalog"));
      case DecisionRecord.TYPE -> decision(n, time);
      case ImpressionRecord.TYPE -> new ImpressionRecord(time, text(n, "user_id"), text(n, "banner_id"),
          optionalText(n, "request_id"), optionalInt(n, "slot_position"));
      case ClickRecord.TYPE -> new ClickRecord(time, text(n, "user_id"), text(n, "banner_id"),
          optionalText(n, "request_id"));
      case ConversionRecord.TYPE -> new ConversionRecord(time, text(n, "user_id"), text(n, "banner_id"),
          optionalText(n, "request_id"));
      case ProductEventRecord.TYPE -> new ProductEventRecord(time, text(n, "user_id"), text(n, "event_type"),
          text(n, "brand"), text(n, "category"), optionalInt(n, "price_tier"), optionalNumber(n, "dwell_seconds"));
      case ProfileRecord.TYPE -> new ProfileRecord(time, text(n, "user_id"), text(n, "gender"),
          text(n, "age_band"), integer(n, "city_tier"));
      default -> throw new IllegalArgumentException("field 'type': unknown record type '" + shorten(type) + "'");
    };
  }

  private static DecisionRecord decision(JsonNode n, Instant time) {
    JsonNode arr = n.get("banners");
    if (arr == null || !arr.isArray()) {
      throw new IllegalArgumentException("field 'banners': missing or not an array");
    }
    List<LoggedBanner> banners = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      JsonNode b = arr.get(i);
      String prefix = "banners[" + i + "].";
      if (!b.isObject()) {
        throw new IllegalArgumentException("field '" + prefix.substring(0, prefix.length() - 1) + "': not an object");
      }
      banners.add(new LoggedBanner(text(b, "banner_id", prefix), integer(b, "position", prefix),
          number(b, "score", prefix), number(b, "predicted_ctr", prefix), text(b, "reason", prefix),
          number(b, "propensity", prefix), predictedCvr(b, prefix)));
    }
    return new DecisionRecord(time, optionalText(n, "request_id"), text(n, "user_id"), text(n, "placement"),
        optionalText(n, "platform"), text(n, "arm"), text(n, "model_version"), optionalText(n, "catalog"),
        catalogVersion(n), text(n, "path"), text(n, "policy"), integer(n, "slot_count"), banners);
  }

  private static String text(JsonNode n, String field) {
    return text(n, field, "");
  }

  /** A banner's {@code predicted_cvr}; NaN when absent (a click model, or an older log). */
  private static double predictedCvr(JsonNode b, String prefix) {
    JsonNode v = b.get("predicted_cvr");
    if (v == null || v.isNull()) {
      return Double.NaN;
    }
    double p = number(b, "predicted_cvr", prefix);
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("field '" + prefix + "predicted_cvr': not a probability in [0, 1]");
    }
    return p;
  }

  private static String text(JsonNode n, String field, String prefix) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw missing(prefix + field, "a string");
    }
    return v.asText();
  }

  /** The live catalog version; 0 when absent (a decision from a bundle's own catalog, or an older log). */
  private static long catalogVersion(JsonNode n) {
    JsonNode v = n.get("catalog_version");
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw new IllegalArgumentException("field 'catalog_version': not a non-negative integer");
    }
    return v.asLong();
  }

  private static String optionalText(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw missing(field, "a string or null");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String field) {
    return integer(n, field, "");
  }

  private static int integer(JsonNode n, String field, String prefix) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw missing(prefix + field, "an integer");
    }
    return v.intValue();
  }

  private static Integer optionalInt(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    return integer(n, field);
  }

  private static double number(JsonNode n, String field, String prefix) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw missing(prefix + field, "a number");
    }
    return v.doubleValue();
  }

  private static Double optionalNumber(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    return number(n, field, "");
  }

  private static Instant time(JsonNode n, String field) {
    String s = text(n, field);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("field '" + field + "': not an ISO-8601 UTC time: '" + shorten(s) + "'");
    }
  }

  private static IllegalArgumentException missing(String field, String what) {
    return new IllegalArgumentException("field '" + field + "': missing or not " + what);
  }

  private static String shorten(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
