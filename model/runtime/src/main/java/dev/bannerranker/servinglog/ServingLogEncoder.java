package dev.bannerranker.servinglog;

import com.fasterxml.jackson.core.io.schubfach.DoubleToDecimal;
import com.fasterxml.jackson.core.io.schubfach.FloatToDecimal;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Writes records as JSON lines (docs/serving-log.md) straight into a reusable UTF-8 byte buffer: no generator, no
 * intermediate strings but the numbers' digits. Field names are pre-encoded; times share the text of the previous
 * record's second. Numbers are the shortest digits that read back to the same float (double for {@code propensity}
 * and {@code dwell_seconds}); a non-finite number is written as the string {@code "NaN"}, {@code "Infinity"} or
 * {@code "-Infinity"}, which readers reject as not a number. One encoder per thread.
 */
public final class ServingLogEncoder {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  /** The JSON escape letter of each ASCII character: 0 none, 'u' for {@code \\u00XX}. */
  private static final byte[] ESCAPE = new byte[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPE[c] = 'u';
    }
    ESCAPE['"'] = '"';
    ESCAPE['\\'] = '\\';
    ESCAPE['\b'] = 'b';
    ESCAPE['\t'] = 't';
    ESCAPE['\f'] = 'f';
    ESCAPE['\n'] = 'n';
    ESCAPE['\r'] = 'r';
  }

  private static final byte[] NULL = ascii("null");
  private static final byte[] TYPE = ascii("{\"type\":");
  private static final byte[] TIME = ascii(",\"time\":");
  private static final byte[] SERVICE_VERSION = field("service_version");
  private static final byte[] CATALOG = field("catalog");
  private static final byte[] CATALOG_VERSION = field("catalog_version");
  private static final byte[] USER_ID = field("user_id");
  private static final byte[] BANNER_ID = field("banner_id");
  private static final byte[] REQUEST_ID = field("request_id");
  private static final byte[] SLOT_POSITION = field("slot_position");
  private static final byte[] EVENT_TYPE = field("event_type");
  private static final byte[] BRAND = field("brand");
  private static final byte[] CATEGORY = field("category");
  private static final byte[] PRICE_TIER = field("price_tier");
  private static final byte[] DWELL_SECONDS = field("dwell_seconds");
  private static final byte[] GENDER = field("gender");
  private static final byte[] AGE_BAND = field("age_band");
  private static final byte[] CITY_TIER = field("city_tier");
  private static final byte[] PLACEMENT = field("placement");
  private static final byte[] PLATFORM = field("platform");
  private static final byte[] ARM = field("arm");
  private static final byte[] MODEL_VERSION = field("model_version");
  private static final byte[] PATH = field("path");
  private static final byte[] POLICY = field("policy");
  private static final byte[] SLOT_COUNT = field("slot_count");
  private static final byte[] BANNERS = ascii(",\"banners\":[");
  private static final byte[] FIRST_BANNER_ID = ascii("{\"banner_id\":");
  private static final byte[] NEXT_BANNER_ID = ascii(",{\"banner_id\":");
  private static final byte[] POSITION = field("position");
  private static final byte[] SCORE = field("score");
  private static final byte[] PREDICTED_CTR = field("predicted_ctr");
  private static final byte[] REASON = field("reason");
  private static final byte[] PROPENSITY = field("propensity");
  private static final byte[] PREDICTED_CVR = field("predicted_cvr");
  private static final byte[] END_DECISION = ascii("]}\n");
  private static final byte[] END_RECORD = ascii("}\n");

  private byte[] buf;
  private int len;
  private int banners;
  /** The epoch second whose {@code "uuuu-MM-ddTHH:mm:ss.} text is in {@link #second}. */
  private long cachedSecond = Long.MIN_VALUE;
  private final byte[] second = new byte[21];

  public ServingLogEncoder() {
    this(16 * 1024);
  }

  public ServingLogEncoder(int initialCapacity) {
    buf = new byte[Math.max(1024, initialCapacity)];
  }

  /** Bytes encoded and not yet cleared. */
  public int size() {
    return len;
  }

  public void clear() {
    len = 0;
  }

  /** Drops what was encoded after {@code size}: the rest of a record that failed half-way. */
  public void truncate(int size) {
    len = size;
  }

  /** Writes everything encoded to {@code out} and clears the buffer. */
  public void writeTo(WritableByteChannel out) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(buf, 0, len);
    while (b.hasRemaining()) {
      out.write(b);
    }
    len = 0;
  }

  /** What was encoded, as text (tests and {@link ServingLogCodec#encode}). */
  public String text() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }

  /** Appends the record and its line break. */
  public void line(LogRecord record) {
    if (record instanceof DecisionRecord d) {
      decisionStart(d.time(), d.requestId(), d.userId(), d.placement(), d.platform(), d.arm(), d.modelVersion(),
          d.catalog(), d.catalogVersion(), d.path(), d.policy(), d.slotCount());
      for (LoggedBanner b : d.banners()) {
        banner(b.bannerId(), b.position(), b.score(), b.predictedCtr(), b.reason(), b.propensity(), b.predictedCvr());
      }
      decisionEnd();
      return;
    }
    start(record.type(), record.time());
    if (record instanceof StartRecord s) {
      string(SERVICE_VERSION, s.serviceVersion());
      string(CATALOG, s.catalog());
    } else if (record instanceof ImpressionRecord i) {
      bannerEvent(i.userId(), i.bannerId(), i.requestId());
      integer(SLOT_POSITION, i.slotPosition());
    } else if (record instanceof ClickRecord c) {
      bannerEvent(c.userId(), c.bannerId(), c.requestId());
    } else if (record instanceof ConversionRecord c) {
      bannerEvent(c.userId(), c.bannerId(), c.requestId());
    } else if (record instanceof ProductEventRecord e) {
      string(USER_ID, e.userId());
      string(EVENT_TYPE, e.eventType());
      string(BRAND, e.brand());
      string(CATEGORY, e.category());
      integer(PRICE_TIER, e.priceTier());
      raw(DWELL_SECONDS);
      if (e.dwellSeconds() == null) {
        raw(NULL);
      } else {
        doubleValue(e.dwellSeconds());
      }
    } else if (record instanceof ProfileRecord p) {
      string(USER_ID, p.userId());
      string(GENDER, p.gender());
      string(AGE_BAND, p.ageBand());
      raw(CITY_TIER);
      longValue(p.cityTier());
    }
    raw(END_RECORD);
  }

  /**
   * Starts a decision line up to its {@code banners} array; follow with one {@link #banner} per returned banner, in
   * order, and {@link #decisionEnd}. {@code catalogVersion} 0 is left out.
   */
  public void decisionStart(Instant time, String requestId, String userId, String placement, String platform,
      String arm, String modelVersion, String catalog, long catalogVersion, String path, String policy,
      int slotCount) {
    start(DecisionRecord.TYPE, time);
    string(REQUEST_ID, requestId);
    string(USER_ID, userId);
    string(PLACEMENT, placement);
    string(PLATFORM, platform);
    string(ARM, arm);
    string(MODEL_VERSION, modelVersion);
    string(CATALOG, catalog);
    if (catalogVersion > 0) {
      raw(CATALOG_VERSION);
      longValue(catalogVersion);
    }
    string(PATH, path);
    string(POLICY, policy);
    raw(SLOT_COUNT);
    longValue(slotCount);
    raw(BANNERS);
    banners = 0;
  }

  /**
   * One entry of the decision's {@code banners}. {@code score}, {@code predictedCtr} and {@code predictedCvr} are
   * written at float precision, {@code propensity} at double; a NaN {@code predictedCvr} is left out.
   */
  public void banner(String bannerId, int position, double score, double predictedCtr, String reason,
      double propensity, double predictedCvr) {
    raw(banners++ == 0 ? FIRST_BANNER_ID : NEXT_BANNER_ID);
    string(bannerId);
    raw(POSITION);
    longValue(position);
    raw(SCORE);
    floatValue((float) score);
    raw(PREDICTED_CTR);
    floatValue((float) predictedCtr);
    string(REASON, reason);
    raw(PROPENSITY);
    doubleValue(propensity);
    if (!Double.isNaN(predictedCvr)) {
      raw(PREDICTED_CVR);
      floatValue((float) predictedCvr);
    }
    put((byte) '}');
  }

  public void decisionEnd() {
    raw(END_DECISION);
  }

  private void bannerEvent(String userId, String bannerId, String requestId) {
    string(USER_ID, userId);
    string(BANNER_ID, bannerId);
    string(REQUEST_ID, requestId);
  }

  private void start(String type, Instant time) {
    raw(TYPE);
    string(type);
    raw(TIME);
    time(time);
  }

  /** {@code "2026-03-15T12:00:00.123Z"}, as {@link ServingLogCodec#formatTime}. */
  private void time(Instant t) {
    long s = t.getEpochSecond();
    int millis = t.getNano() / 1_000_000;
    if (s != cachedSecond) {
      String text = ServingLogCodec.formatTime(Instant.ofEpochSecond(s));
      if (text.length() != 24) { // a year outside 0000-9999 carries a sign or more digits
        string(ServingLogCodec.formatTime(t));
        return;
      }
      second[0] = '"';
      for (int i = 0; i < 20; i++) {
        second[i + 1] = (byte) text.charAt(i);
      }
      cachedSecond = s;
    }
    ensure(26);
    System.arraycopy(second, 0, buf, len, 21);
    buf[len + 21] = (byte) ('0' + millis / 100);
    buf[len + 22] = (byte) ('0' + millis / 10 % 10);
    buf[len + 23] = (byte) ('0' + millis % 10);
    buf[len + 24] = 'Z';
    buf[len + 25] = '"';
    len += 26;
  }

  private void string(byte[] field, String value) {
    raw(field);
    string(value);
  }

  private void integer(byte[] field, Integer value) {
    raw(field);
    if (value == null) {
      raw(NULL);
    } else {
      longValue(value);
    }
  }

  /**
   * A JSON string (or null), escaped as Jackson does: the short escapes, {@code \\u00XX} for other controls,
   * {@code \\uXXXX} for each UTF-16 surrogate; other characters as UTF-8.
   */
  private void string(String s) {
    if (s == null) {
      raw(NULL);
      return;
    }
    int n = s.length();
    ensure(n * 6 + 2); // at most 6 bytes a char (an escape)
    byte[] b = buf;
    int p = len;
    b[p++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        byte e = ESCAPE[c];
        if (e == 0) {
          b[p++] = (byte) c;
        } else {
          b[p++] = '\\';
          b[p++] = e;
          if (e == 'u') {
            b[p++] = '0';
            b[p++] = '0';
            b[p++] = HEX[c >> 4];
            b[p++] = HEX[c & 0xF];
          }
        }
      } else if (c < 0x800) {
        b[p++] = (byte) (0xC0 | c >> 6);
        b[p++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isSurrogate(c)) {
        // Each half of a pair as its own escape, as Jackson writes them; a lone half too, so it reads back as is.
        b[p++] = '\\';
        b[p++] = 'u';
        b[p++] = HEX[c >> 12];
        b[p++] = HEX[c >> 8 & 0xF];
        b[p++] = HEX[c >> 4 & 0xF];
        b[p++] = HEX[c & 0xF];
      } else {
        b[p++] = (byte) (0xE0 | c >> 12);
        b[p++] = (byte) (0x80 | c >> 6 & 0x3F);
        b[p++] = (byte) (0x80 | c & 0x3F);
      }
    }
    b[p++] = '"';
    len = p;
  }

  private void floatValue(float v) {
    if (Float.isFinite(v)) {
      chars(FloatToDecimal.toString(v));
    } else {
      string(Float.toString(v));
    }
  }

  private void doubleValue(double v) {
    if (Double.isFinite(v)) {
      chars(DoubleToDecimal.toString(v));
    } else {
      string(Double.toString(v));
    }
  }

  private void longValue(long v) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        chars(Long.toString(v));
        return;
      }
      put((byte) '-');
      v = -v;
    }
    ensure(19);
    int digits = 1;
    for (long x = v; x >= 10; x /= 10) {
      digits++;
    }
    int p = len + digits;
    len = p;
    do {
      buf[--p] = (byte) ('0' + v % 10);
      v /= 10;
    } while (v > 0);
  }

  /** An ASCII-only string (digits) as is. */
  private void chars(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len + i] = (byte) s.charAt(i);
    }
    len += n;
  }

  private void raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
  }

  private void put(byte b) {
    ensure(1);
    buf[len++] = b;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] field(String name) {
    return ascii(",\"" + name + "\":");
  }
}
