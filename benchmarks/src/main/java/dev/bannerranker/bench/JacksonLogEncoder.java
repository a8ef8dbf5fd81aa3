package dev.bannerranker.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.bannerranker.servinglog.ClickRecord;
import dev.bannerranker.servinglog.ConversionRecord;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import dev.bannerranker.servinglog.ImpressionRecord;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ProductEventRecord;
import dev.bannerranker.servinglog.ProfileRecord;
import dev.bannerranker.servinglog.ServingLogCodec;
import dev.bannerranker.servinglog.StartRecord;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The serving log's former writer, a Jackson streaming generator, kept as the reference the hand-written
 * {@link dev.bannerranker.servinglog.ServingLogEncoder} is compared with: byte for byte in its test, for speed in
 * {@link ServingLogEncodeBenchmark}.
 */
public final class JacksonLogEncoder implements AutoCloseable {
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
  private final JsonGenerator g;

  /** Writes lines to {@code out}; closing the encoder flushes but does not close it. */
  public JacksonLogEncoder(OutputStream out) throws IOException {
    g = FACTORY.createGenerator(out, JsonEncoding.UTF8);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    g.setRootValueSeparator(null);
  }

  /** Writes one record and its line break. */
  public void line(LogRecord record) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", record.type());
    g.writeStringField("time", ServingLogCodec.formatTime(record.time()));
    if (record instanceof StartRecord s) {
      g.writeStringField("service_version", s.serviceVersion());
      g.writeStringField("catalog", s.catalog());
    } else if (record instanceof DecisionRecord d) {
      decision(d);
    } else if (record instanceof ImpressionRecord i) {
      g.writeStringField("user_id", i.userId());
      g.writeStringField("banner_id", i.bannerId());
      g.writeStringField("request_id", i.requestId());
      nullableInt("slot_position", i.slotPosition());
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
      nullableInt("price_tier", e.priceTier());
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
    g.writeRaw('\n');
  }

  private void decision(DecisionRecord d) throws IOException {
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

  private void nullableInt(String field, Integer value) throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeNumberField(field, value);
    }
  }

  public void flush() throws IOException {
    g.flush();
  }

  @Override
  public void close() throws IOException {
    g.close();
  }
}
