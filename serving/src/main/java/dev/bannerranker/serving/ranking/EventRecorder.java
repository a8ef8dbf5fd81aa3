package dev.bannerranker.serving.ranking;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.EventType;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.log.ServingLog;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ServingModels;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.security.ClientText;
import dev.bannerranker.serving.users.Activity;
import dev.bannerranker.serving.users.UserStateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies RecordEvents: validates the whole batch, then appends each user's events to their state in order,
 * so the user's next Rank sees them. A banner event is accepted for any banner of the catalog being served, paused
 * ones and ones the model has never seen included. Clicks become behaviour on the banner's brand and category, as in the
 * training sweep. A conversion is validated as a click is and logged, but changes no state: the feature spec has no
 * event type for it (training uses it as a label only), and the purchase itself comes as a product event.
 */
public final class EventRecorder {
  static final float MAX_DWELL_SECONDS = 86_400f;
  static final int MAX_NAME_LENGTH = 200;
  static final int MAX_REQUEST_ID_LENGTH = 128;

  private final ModelRegistry registry;
  private final UserStateStore users;
  private final RankerMetrics metrics;
  private final RequestSettings limits;
  private final ServingLog log;

  public EventRecorder(ModelRegistry registry, UserStateStore users, RankerMetrics metrics, RequestSettings limits) {
    this(registry, users, metrics, limits, ServingLog.OFF);
  }

  /** As above, appending every applied event to {@code log}. */
  public EventRecorder(ModelRegistry registry, UserStateStore users, RankerMetrics metrics, RequestSettings limits,
      ServingLog log) {
    this.registry = registry;
    this.users = users;
    this.metrics = metrics;
    this.limits = limits;
    this.log = log;
  }

  /** Records the events; returns how many were applied (all of them, or none on an error). */
  public int record(List<EventInput> events) {
    if (events.size() > limits.maxEventsPerCall()) {
      throw new InvalidRequestException("events", "events has " + events.size() + " items, more than the limit of "
          + limits.maxEventsPerCall());
    }
    ServingModels models = registry.current();
    Map<String, List<Activity>> byUser = new LinkedHashMap<>();
    Map<String, ModelGeneration> generations = new LinkedHashMap<>();
    for (int i = 0; i < events.size(); i++) {
      EventInput e = events.get(i);
      String at = "events[" + i + "]";
      RequestChecks.userId(at + ".user_id", e.userId(), limits);
      ModelGeneration g = models.generation(models.armFor(e.userId()));
      if (g == null) {
        throw new NoModelException("no model is loaded yet, so events cannot be resolved; retry later");
      }
      generations.put(e.userId(), g);
      Activity a = activity(e, at, g);
      if (a != null) {
        byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(a);
      }
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    users.record(byUser, generations);
    events.forEach(e -> counts.merge(e.kind().name().toLowerCase(Locale.ROOT), 1, Integer::sum));
    counts.forEach(metrics::eventsRecorded);
    if (log.enabled()) {
      Map<String, EventInput> firstOfUser = new LinkedHashMap<>();
      events.forEach(e -> firstOfUser.putIfAbsent(e.userId(), e));
      firstOfUser.forEach((user, e) -> log.profileOfEventUser(time(e), user, users::profileOnFile));
      for (EventInput e : events) {
        log.event(e, time(e));
      }
    }
    return events.size();
  }

  private Instant time(EventInput e) {
    return log.time(e.timeSeconds(), e.timeSeconds() != null ? e.timeSeconds() : limits.nowSeconds());
  }

  /** The event's activity in the user's state; null for a conversion, which is only logged. */
  private Activity activity(EventInput e, String at, ModelGeneration g) {
    long time = e.timeSeconds() != null ? e.timeSeconds() : limits.nowSeconds();
    if (e.kind() == null) {
      throw new InvalidRequestException(at, at + " must set one of impression, click, conversion or product_event");
    }
    switch (e.kind()) {
      case IMPRESSION, CLICK, CONVERSION -> {
        String p = at + switch (e.kind()) {
          case IMPRESSION -> ".impression";
          case CLICK -> ".click";
          default -> ".conversion";
        };
        String field = p + ".banner_id";
        if (e.bannerId().isEmpty()) {
          throw new InvalidRequestException(field, field + " must not be empty");
        }
        BannerFeatures b = g.banner(e.bannerId());
        if (b == null) {
          throw new InvalidRequestException(field, field + " " + ClientText.quote(e.bannerId()) + " is not in " + g.catalogName());
        }
        requestId(p + ".request_id", e.requestId());
        if (e.slotPosition() < 0) {
          throw new InvalidRequestException(at + ".impression.slot_position", at
              + ".impression.slot_position must be 0 (unknown) or a 1-based position, got " + e.slotPosition());
        }
        Banner banner = b.banner();
        return switch (e.kind()) {
          case IMPRESSION -> new Activity.Shown(banner.id(), time);
          case CLICK -> Activity.click(banner, time);
          default -> null;
        };
      }
      default -> {
        String p = at + ".product_event";
        name(p + ".brand", e.brand());
        name(p + ".category", e.category());
        if (e.priceTier() != 0 && (e.priceTier() < CsvSchemas.MIN_PRICE_TIER || e.priceTier() > CsvSchemas.MAX_PRICE_TIER)) {
          throw new InvalidRequestException(p + ".price_tier", p + ".price_tier must be 0 (unknown) or "
              + CsvSchemas.MIN_PRICE_TIER + " to " + CsvSchemas.MAX_PRICE_TIER + ", got " + e.priceTier());
        }
        if (!(e.dwellSeconds() >= 0 && e.dwellSeconds() <= MAX_DWELL_SECONDS)) {
          throw new InvalidRequestException(p + ".dwell_seconds", p + ".dwell_seconds must be in [0, 86400], got "
              + e.dwellSeconds());
        }
        EventType type = e.productType() == null ? EventType.VIEW : e.productType();
        if (type == EventType.BANNER_CLICK) {
          throw new InvalidRequestException(p + ".type", p + ".type must be a product event; send a click instead");
        }
        Vocabularies v = g.model().bundle().vocab();
        return new Activity.Behaviour(type, canonical(v.brands(), e.brand()), canonical(v.categories(), e.category()),
            e.priceTier(), e.dwellSeconds(), time);
      }
    }
  }

  /** The model's own instance of a known name, so many users' states share one string. */
  private static String canonical(Vocabulary v, String name) {
    int i = v.indexOf(name);
    return i == Vocabulary.UNKNOWN ? name : v.valueAt(i);
  }

  private static void requestId(String field, String value) {
    if (value.length() > MAX_REQUEST_ID_LENGTH) {
      throw new InvalidRequestException(field, field + " has " + value.length()
          + " characters, more than the limit of " + MAX_REQUEST_ID_LENGTH);
    }
  }

  private static void name(String field, String value) {
    if (value.isEmpty()) {
      throw new InvalidRequestException(field, field + " must not be empty");
    }
    if (value.length() > MAX_NAME_LENGTH) {
      throw new InvalidRequestException(field, field + " has " + value.length() + " characters, more than the limit of "
          + MAX_NAME_LENGTH);
    }
  }
}
