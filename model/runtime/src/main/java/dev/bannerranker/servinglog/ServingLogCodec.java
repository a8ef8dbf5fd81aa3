package dev.bannerranker.servinglog;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON-lines form of {@link LogRecord}: one object per line, {@code type} first, times ISO-8601 UTC with
 * milliseconds. Unknown fields are ignored when reading, so a newer writer's extra fields do not break an older reader.
 */
public final class ServingLogCodec {
  private ServingLogCodec() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Shortest-digits number printing (Schubfach), several times faster than Double.toString for the same text. */
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** {@code 2026-03-15T12:00:00.123Z}: always with milliseconds, so lines sort and compare as text too. */
  public static String formatTime(Instant time) {
    return TIME.format(time);
  }

  /** The record as one line of JSON, without the line break. */
  public static String encode(LogRecord record) {
    StringWriter out = new StringWriter(256);
    encode(record, out);
    return out.toString();
  }

  /** Writes the record as one line of JSON, without the line break, to {@code out}. */
  public static void encode(LogRecord record, Writer out) {
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      write(record, g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A generator for writing many records to one stream with {@link #writeLine}; closing it does not close the
   * stream.
   */
  public static JsonGenerator lineWriter(OutputStream out) throws IOException {
    JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    g.setRootValueSeparator(null);
    return g;
  }

  /** Writes one record and its line break to a {@link #lineWriter}. */
  public static void writeLine(LogRecord record, JsonGenerator g) throws IOException {
    write(record, g);
    g.writeRaw('\n');
  }

  /** Writes one record as a JSON object to {@code g}. */
  public static void write(LogRecord record, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", record.type());
    g.writeStringField("time", formatTime(record.time()));
    if (record instanceof StartRecord s) {
      g.writeStringField("service_version", s.serviceVersion());
      g.writeStringField("catalog", s.catalog());
    } else if (record instanceof DecisionRecord d) {
      writeDecision(g, d);
    } else if (record instanceof ImpressionRecord i) {
      g.writeStringField("user_id", i.userId());
      g.writeStringField("banner_id", i.bannerId());
      g.writeStringField("request_id", i.requestId());
      writeNullableInt(g, "slot_position", i.slotPosition());
    } else if (record instanceof ClickRecord c) {
      g.writeStringField("user_id", c.userId());
      g.writeStringField("banner_id", c.bannerId());
      g.writeStringField("request_id", c.requestId());
    } else if (record instanceof ConversionRecord c) {
      g.writeStringField("user_id", c.userId());
      g.writeStringField("banner_id", c.bannerId());
      g.writeStringField("request_id", c.requestId());
    } else if (record instanceof ProductEventRecord e) {
      g.writeStringField("user_id", e.userId());
      g.writeStringField("event_type", e.eventType());
      g.writeStringField("brand", e.brand());
      g.writeStringField("category", e.category());
      writeNullableInt(g, "price_tier", e.priceTier());
      if (e.dwellSeconds() == null) {
        g.writeNullField("dwell_seconds");
      } else {
        g.writeNumberField("dwell_seconds", e.dwellSeconds());
      }
    } else if (record instanceof ProfileRecord p) {
      g.writeStringField("user_id", p.userId());
      g.writeStringField("gender", p.gender());
      g.writeStringField("age_band", p.ageBand());
      g.writeNumberField("city_tier", p.cityTier());
    }
    g.writeEndObject();
  }

  private static void writeDecision(JsonGenerator g, DecisionRecord d) throws IOException {
    g.writeStringField("request_id", d.requestId());
    g.writeStringField("user_id", d.userId());
    g.writeStringField("placement", d.placement());
    g.writeStringField("platform", d.platform());
    g.writeStringField("arm", d.arm());
    g.writeStringField("model_version", d.modelVersion());
    g.writeStringField("catalog", d.catalog());
    if (d.catalogVersion() > 0) {
      g.writeNumberField("catalog_version", d.catalogVersion());
    }
    g.writeStringField("path", d.path());
    g.writeStringField("policy", d.policy());
    g.writeNumberField("slot_count", d.slotCount());
    g.writeArrayFieldStart("banners");
    for (LoggedBanner b : d.banners()) {
      g.writeStartObject();
      g.writeStringField("banner_id", b.bannerId());
      g.writeNumberField("position", b.position());
      // Float precision, what the scorer computes in: the shortest digits of a float, not of a widened double.
      g.writeNumberField("score", (float) b.score());
      g.writeNumberField("predicted_ctr", (float) b.predictedCtr());
      g.writeStringField("reason", b.reason());
      g.writeNumberField("propensity", b.propensity());
      if (b.hasPredictedCvr()) {
        g.writeNumberField("predicted_cvr", (float) b.predictedCvr());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeNullableInt(JsonGenerator g, String field, Integer value) throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeNumberField(field, value);
    }
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
