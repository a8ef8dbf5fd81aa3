package dev.bannerranker.loop.export;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.RowProblem;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.servinglog.ClickRecord;
import dev.bannerranker.servinglog.ConversionRecord;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import dev.bannerranker.servinglog.ImpressionRecord;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ProductEventRecord;
import dev.bannerranker.servinglog.ProfileRecord;
import dev.bannerranker.servinglog.ServingLogReader;
import dev.bannerranker.servinglog.StartRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Joins a serving log directory into the training tables. The rules (docs: "logs export"):
 * <ul>
 *   <li>a click joins the latest impression of the same user and banner at or before it and at most the attribution
 *       window earlier, preferring an impression with the click's request id;</li>
 *   <li>a record logged twice (the same fields), a second decision with the same request id, and a second click on an
 *       already clicked impression count once;</li>
 *   <li>a click with no impression of that user and banner before it is reported, never turned into an impression;</li>
 *   <li>a click whose latest earlier impression is older than the window is reported as late;</li>
 *   <li>a conversion joins the clicked impression of the same user and banner whose click is at or before it and at
 *       most the conversion window earlier, preferring the conversion's request id, else the latest click; that
 *       impression is written as converted. A conversion with no click of that user and banner before it, or only
 *       older ones, is reported (without click, late); a second one on a converted impression counts once;</li>
 *   <li>bad lines are reported with file and line; the run fails when their share passes the limit; a torn last line
 *       is reported and skipped.</li>
 * </ul>
 * Decisions, impressions and product events are kept inside [since, until); clicks inside [since, until + window),
 * so a click just after the range still finds its impression, and conversions inside [since, until + window +
 * conversion window). The {@code converted} column is written when the log holds any conversion record: a log of a
 * client that sends none has no conversion labels, rather than labels that say nothing converted.
 */
public final class LogJoin {

  /** The longest time from a click to its conversion by default: the demo world's attribution window. */
  public static final Duration DEFAULT_CONVERSION_WINDOW = Duration.ofDays(7);

  /**
   * What the join was asked for. {@code since}/{@code until} may be null (open); {@code window} bounds the time from an
   * impression to its click, {@code conversionWindow} the time from a click to its conversion.
   */
  public record Options(Instant since, Instant until, Duration window, Duration conversionWindow,
      double maxBadFraction) {
    public Options {
      if (window == null || window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("--attribution-window must be positive");
      }
      if (conversionWindow == null || conversionWindow.isNegative() || conversionWindow.isZero()) {
        throw new IllegalArgumentException("--conversion-window must be positive");
      }
      if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) {
        throw new IllegalArgumentException("--max-bad-fraction must be in [0, 1], got " + maxBadFraction);
      }
      if (since != null && until != null && !until.isAfter(since)) {
        throw new IllegalArgumentException("--until must be after --since");
      }
    }

    /** With the default conversion window. */
    public Options(Instant since, Instant until, Duration window, double maxBadFraction) {
      this(since, until, window, DEFAULT_CONVERSION_WINDOW, maxBadFraction);
    }
  }

  /** Where a record came from, for reports. */
  record Source(String file, long line) {
    @Override
    public String toString() {
      return file + ":" + line;
    }
  }

  /**
   * The joined log: the four tables, the decisions, and what each rule did. {@code conversions} tells whether the log
   * holds conversion records, so whether the impressions' {@code converted} flags are labels.
   */
  public record Joined(
      List<Banner> banners, Map<String, List<Banner>> catalogs, List<UserProfile> users,
      List<BehaviourEvent> events, List<Impression> impressions, List<DecisionRecord> decisions,
      Map<String, Object> counts, List<RowProblem> badLines, List<RowProblem> tornLines,
      List<RowProblem> joinProblems, boolean conversions) {}

  /** How many problems of each kind the report lists by file and line; every one is counted. */
  public static final int LISTED_PROBLEMS = 200;

  private final Options options;
  private final List<Sourced<DecisionRecord>> decisions = new ArrayList<>();
  private final List<Sourced<ImpressionRecord>> impressions = new ArrayList<>();
  private final List<Sourced<ClickRecord>> clicks = new ArrayList<>();
  private final List<Sourced<ConversionRecord>> conversions = new ArrayList<>();
  /** Conversion records read, inside the time range or not. */
  private long conversionRecords;
  /** The latest time of any event or decision read: how far the log reaches. */
  private Instant lastTime;
  private final List<Sourced<ProductEventRecord>> events = new ArrayList<>();
  private final Map<String, ProfileRecord> profiles = new HashMap<>();
  /** Catalog snapshot name -> last time a record named it. */
  private final Map<String, Instant> catalogNames = new HashMap<>();
  private final List<RowProblem> bad = new ArrayList<>();
  private final Set<LogRecord> seen = new HashSet<>();
  private long duplicateRecords;
  private long outsideRange;
  private long lines;

  private record Sourced<T>(T record, Source source) {}

  private LogJoin(Options options) {
    this.options = options;
  }

  /** Reads and joins {@code logDir}. Throws {@link BadInputException} past the bad-line limit. */
  public static Joined join(Path logDir, Options options) throws IOException {
    LogJoin j = new LogJoin(options);
    ServingLogReader.Summary summary = ServingLogReader.read(logDir, new ServingLogReader.Visitor() {
      @Override
      public void record(LogRecord record, String file, long line) {
        j.accept(record, new Source(file, line));
      }
    });
    if (summary.files() == 0) {
      throw new BadInputException(logDir + ": no serving log files (serving-*.jsonl)");
    }
    j.lines = summary.lines();
    List<RowProblem> badLines = new ArrayList<>(summary.badLines());
    badLines.addAll(j.bad);
    double share = j.lines == 0 ? 0 : (double) badLines.size() / j.lines;
    if (share > options.maxBadFraction()) {
      StringBuilder msg = new StringBuilder().append(logDir).append(": ").append(badLines.size()).append(" of ")
          .append(j.lines).append(" lines are malformed, above the limit of --max-bad-fraction ")
          .append(options.maxBadFraction()).append(". First problems:");
      badLines.stream().limit(DataProblems.FIRST_SHOWN).forEach(p -> msg.append("\n  ").append(p));
      throw new BadInputException(msg.toString());
    }
    return j.finish(logDir, summary, badLines);
  }

  private boolean inRange(Instant t, Duration extra) {
    return (options.since() == null || !t.isBefore(options.since()))
        && (options.until() == null || t.isBefore(options.until().plus(extra)));
  }

  private void accept(LogRecord record, Source source) {
    if (record instanceof StartRecord s) {
      if (s.catalog() != null) {
        catalogNames.merge(s.catalog(), s.time(), (a, b) -> a.isAfter(b) ? a : b);
      }
      return;
    }
    if (record instanceof ProfileRecord p) {
      // the latest profile of a user wins; profiles are kept whatever their time, they describe the user
      profiles.merge(p.userId(), p, (a, b) -> b.time().isBefore(a.time()) ? a : b);
      return;
    }
    if (!seen.add(record)) {
      duplicateRecords++;
      return;
    }
    if (lastTime == null || record.time().isAfter(lastTime)) {
      lastTime = record.time();
    }
    if (record instanceof ConversionRecord) {
      conversionRecords++;
    }
    Duration extra = record instanceof ClickRecord ? options.window()
        : record instanceof ConversionRecord ? options.window().plus(options.conversionWindow()) : Duration.ZERO;
    if (!inRange(record.time(), extra)) {
      outsideRange++;
      return;
    }
    if (record instanceof DecisionRecord d) {
      decisions.add(new Sourced<>(d, source));
      if (d.catalog() != null) {
        catalogNames.merge(d.catalog(), d.time(), (a, b) -> a.isAfter(b) ? a : b);
      }
    } else if (record instanceof ImpressionRecord i) {
      impressions.add(new Sourced<>(i, source));
    } else if (record instanceof ClickRecord c) {
      clicks.add(new Sourced<>(c, source));
    } else if (record instanceof ConversionRecord c) {
      conversions.add(new Sourced<>(c, source));
    } else if (record instanceof ProductEventRecord e) {
      String why = productEventProblem(e);
      if (why != null) {
        bad.add(new RowProblem(source.file(), source.line(), why));
      } else {
        events.add(new Sourced<>(e, source));
      }
    }
  }

  private static String productEventProblem(ProductEventRecord e) {
    try {
      EventType.parseCsv(e.eventType());
    } catch (IllegalArgumentException ex) {
      return "field 'event_type': " + ex.getMessage();
    }
    if (e.priceTier() != null && (e.priceTier() < CsvSchemas.MIN_PRICE_TIER || e.priceTier() > CsvSchemas.MAX_PRICE_TIER)) {
      return "field 'price_tier': must be 1 to 4 or null, got " + e.priceTier();
    }
    if (e.dwellSeconds() != null && !(e.dwellSeconds() >= 0 && e.dwellSeconds() <= 86_400)) {
      return "field 'dwell_seconds': must be 0 to 86400 or null";
    }
    if (e.brand().isEmpty() || e.category().isEmpty()) {
      return "field 'brand' or 'category': empty";
    }
    return null;
  }

  /** An impression being built, so a click and a conversion can mark it. */
  private static final class Shown {
    final ImpressionRecord record;
    final DecisionRecord decision;
    boolean clicked;
    /** The joined click's time; null when not clicked. */
    Instant clickTime;
    boolean converted;

    Shown(ImpressionRecord record, DecisionRecord decision) {
      this.record = record;
      this.decision = decision;
    }
  }

  private Joined finish(Path logDir, ServingLogReader.Summary summary, List<RowProblem> badLines) {
    Comparator<Sourced<? extends LogRecord>> byTime = Comparator.comparing(s -> s.record().time());
    decisions.sort(byTime);
    impressions.sort(byTime);
    clicks.sort(byTime);
    conversions.sort(byTime);
    events.sort(byTime);

    // catalogs: every snapshot named by a start or decision record; a banner in several takes the latest one
    Map<String, List<Banner>> catalogs = new LinkedHashMap<>();
    Map<String, Banner> banners = new TreeMap<>();
    catalogNames.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> {
      List<Banner> list = readCatalog(logDir, e.getKey());
      catalogs.put(e.getKey(), list);
      list.forEach(b -> banners.put(b.id(), b));
    });

    Map<String, DecisionRecord> byRequest = new HashMap<>();
    List<DecisionRecord> keptDecisions = new ArrayList<>();
    long duplicateDecisions = 0;
    for (Sourced<DecisionRecord> s : decisions) {
      DecisionRecord d = s.record();
      if (d.requestId() != null && byRequest.putIfAbsent(d.requestId(), d) != null) {
        duplicateDecisions++;
        continue;
      }
      keptDecisions.add(d);
    }

    Map<String, UserProfile> users = new TreeMap<>();
    long unknownProfiles = 0;
    for (ProfileRecord p : profiles.values()) {
      UserProfile u = toProfile(p);
      if (u == null) {
        unknownProfiles++;
      } else {
        users.put(u.id(), u);
      }
    }

    // impressions, indexed by (user, banner) for the click join
    Map<String, List<Shown>> shownByUserBanner = new HashMap<>();
    List<Shown> shown = new ArrayList<>();
    for (Sourced<ImpressionRecord> s : impressions) {
      ImpressionRecord i = s.record();
      DecisionRecord d = i.requestId() == null ? null : byRequest.get(i.requestId());
      Shown x = new Shown(i, d);
      shown.add(x);
      shownByUserBanner.computeIfAbsent(i.userId() + "\u0000" + i.bannerId(), k -> new ArrayList<>()).add(x);
    }

    List<RowProblem> joinProblems = new ArrayList<>();
    JoinCounts clicked = new JoinCounts();
    for (Sourced<ClickRecord> s : clicks) {
      ClickRecord c = s.record();
      join(Rule.CLICK, s.source(), c.userId(), c.bannerId(), c.requestId(), c.time(), shownByUserBanner, clicked,
          joinProblems);
    }
    JoinCounts converted = new JoinCounts();
    for (Sourced<ConversionRecord> s : conversions) {
      ConversionRecord c = s.record();
      join(Rule.CONVERSION, s.source(), c.userId(), c.bannerId(), c.requestId(), c.time(), shownByUserBanner,
          converted, joinProblems);
    }

    List<Impression> out = new ArrayList<>();
    long impressionsInRange = 0;
    long unknownBanner = 0;
    long withoutProfile = 0;
    long slotFromDecision = 0;
    long slotUnknown = 0;
    long platformUnknown = 0;
    long clickedOut = 0;
    long convertedOut = 0;
    long clickedWindowOpen = 0;
    for (Shown x : shown) {
      ImpressionRecord i = x.record;
      if (options.until() != null && !i.time().isBefore(options.until())) {
        continue; // kept only as a click target
      }
      impressionsInRange++;
      Banner b = banners.get(i.bannerId());
      if (b == null) {
        unknownBanner++;
        continue;
      }
      if (!users.containsKey(i.userId())) {
        withoutProfile++;
        continue;
      }
      LoggedBanner logged = x.decision == null ? null : x.decision.banners().stream()
          .filter(l -> l.bannerId().equals(i.bannerId())).findFirst().orElse(null);
      int slot;
      if (i.slotPosition() != null && i.slotPosition() >= 1) {
        slot = i.slotPosition();
      } else if (logged != null) {
        slot = logged.position();
        slotFromDecision++;
      } else {
        slot = 1;
        slotUnknown++;
      }
      double propensity = logged != null && logged.position() == slot ? logged.propensity() : Double.NaN;
      Platform platform = x.decision == null ? null : platformOf(x.decision.platform());
      if (platform == null) {
        platform = Platform.WEB;
        platformUnknown++;
      }
      String placement = x.decision != null ? x.decision.placement() : b.placement();
      String id = "im-" + String.format("%010d", out.size() + 1);
      out.add(new Impression(id, i.userId(), i.time().getEpochSecond(), i.bannerId(), placement, slot, platform,
          x.clicked, i.requestId() == null ? "" : i.requestId(), propensity, x.converted));
      if (x.clicked) {
        clickedOut++;
      }
      if (x.converted) {
        convertedOut++;
      } else if (x.clicked && x.clickTime.plus(options.conversionWindow()).isAfter(lastTime)) {
        clickedWindowOpen++;
      }
    }

    List<BehaviourEvent> outEvents = new ArrayList<>();
    long eventsWithoutProfile = 0;
    for (Sourced<ProductEventRecord> s : events) {
      ProductEventRecord e = s.record();
      if (!users.containsKey(e.userId())) {
        eventsWithoutProfile++;
        continue;
      }
      outEvents.add(new BehaviourEvent(e.userId(), e.time().getEpochSecond(), EventType.parseCsv(e.eventType()),
          e.brand(), e.category(), e.priceTier() == null ? 0 : e.priceTier(),
          e.dwellSeconds() == null ? 0f : e.dwellSeconds().floatValue()));
    }

    Map<String, Object> counts = new LinkedHashMap<>();
    Map<String, Object> read = new LinkedHashMap<>();
    read.put("files", summary.files());
    read.put("lines", summary.lines());
    read.put("records", summary.records());
    read.put("bad_lines", badLines.size());
    read.put("torn_lines", summary.tornLines().size());
    read.put("duplicate_records", duplicateRecords);
    read.put("outside_time_range", outsideRange);
    counts.put("read", read);
    Map<String, Object> dec = new LinkedHashMap<>();
    dec.put("kept", keptDecisions.size());
    dec.put("duplicate_request_ids", duplicateDecisions);
    counts.put("decisions", dec);
    Map<String, Object> imp = new LinkedHashMap<>();
    imp.put("in_range", impressionsInRange);
    imp.put("written", out.size());
    imp.put("clicked", clickedOut);
    imp.put("converted", convertedOut);
    imp.put("clicked_conversion_window_open_at_log_end", clickedWindowOpen);
    imp.put("unknown_banner", unknownBanner);
    imp.put("user_without_profile", withoutProfile);
    imp.put("slot_from_decision", slotFromDecision);
    imp.put("slot_unknown_written_as_1", slotUnknown);
    imp.put("platform_unknown_written_as_web", platformUnknown);
    counts.put("impressions", imp);
    Map<String, Object> clk = new LinkedHashMap<>();
    clk.put("read", clicks.size());
    clk.put("joined_by_request_id", clicked.byRequest);
    clk.put("joined_by_time", clicked.byTime);
    clk.put("duplicate", clicked.duplicate);
    clk.put("without_impression", clicked.without);
    clk.put("late", clicked.late);
    counts.put("clicks", clk);
    Map<String, Object> cv = new LinkedHashMap<>();
    cv.put("in_log", conversionRecords);
    cv.put("read", conversions.size());
    cv.put("joined_by_request_id", converted.byRequest);
    cv.put("joined_by_time", converted.byTime);
    cv.put("duplicate", converted.duplicate);
    cv.put("without_click", converted.without);
    cv.put("late", converted.late);
    cv.put("converted_column_written", conversionRecords > 0);
    counts.put("conversions", cv);
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("read", events.size());
    ev.put("written", outEvents.size());
    ev.put("user_without_profile", eventsWithoutProfile);
    counts.put("product_events", ev);
    Map<String, Object> us = new LinkedHashMap<>();
    us.put("written", users.size());
    us.put("unknown_profile_skipped", unknownProfiles);
    counts.put("users", us);
    Map<String, Object> bn = new LinkedHashMap<>();
    bn.put("written", banners.size());
    bn.put("catalog_snapshots", List.copyOf(catalogs.keySet()));
    counts.put("banners", bn);

    return new Joined(List.copyOf(banners.values()), catalogs, List.copyOf(users.values()), outEvents, out,
        keptDecisions, counts, badLines, summary.tornLines(), joinProblems, conversionRecords > 0);
  }

  /** What one join rule did. */
  private static final class JoinCounts {
    long byRequest;
    long byTime;
    long duplicate;
    long without;
    long late;
  }

  /** The two joins: a click to the impression before it, a conversion to the click before it. */
  private enum Rule {
    CLICK("click", "impression", "attribution") {
      @Override
      Instant before(Shown x) {
        return x.record.time();
      }

      @Override
      boolean mark(Shown x, Instant time) {
        if (x.clicked) {
          return false;
        }
        x.clicked = true;
        x.clickTime = time;
        return true;
      }
    },
    CONVERSION("conversion", "click", "conversion") {
      @Override
      Instant before(Shown x) {
        return x.clickTime;
      }

      @Override
      boolean mark(Shown x, Instant time) {
        if (x.converted) {
          return false;
        }
        x.converted = true;
        return true;
      }
    };

    final String event;
    final String step;
    final String window;

    Rule(String event, String step, String window) {
      this.event = event;
      this.step = step;
      this.window = window;
    }

    /** The time of the step the event follows on this impression; null when it has none. */
    abstract Instant before(Shown x);

    /** Marks the impression; false when it was marked already. */
    abstract boolean mark(Shown x, Instant time);

    Duration window(Options o) {
      return this == CLICK ? o.window() : o.conversionWindow();
    }
  }

  /**
   * Joins one event of {@code user} on {@code banner} at {@code time} to an impression of that banner to that user
   * whose earlier step is at or before it and at most the rule's window earlier: the one with the event's request id,
   * else the latest. Counts and reports what happened.
   */
  private void join(Rule rule, Source source, String user, String banner, String requestId, Instant time,
      Map<String, List<Shown>> shownByUserBanner, JoinCounts counts, List<RowProblem> problems) {
    Duration window = rule.window(options);
    Shown sameRequest = null;
    Shown latest = null;
    Shown latestEver = null;
    for (Shown x : shownByUserBanner.getOrDefault(user + "\u0000" + banner, List.of())) {
      Instant t = rule.before(x);
      if (t == null || t.isAfter(time)) {
        continue;
      }
      if (latestEver == null || !t.isBefore(rule.before(latestEver))) {
        latestEver = x;
      }
      if (Duration.between(t, time).compareTo(window) <= 0) {
        if (latest == null || !t.isBefore(rule.before(latest))) {
          latest = x;
        }
        if (requestId != null && requestId.equals(x.record.requestId())) {
          sameRequest = x;
        }
      }
    }
    Shown target = sameRequest != null ? sameRequest : latest;
    if (target == null) {
      if (latestEver == null) {
        counts.without++;
        listProblem(problems, source, rule.event + " on " + banner + " by " + user + " has no earlier " + rule.step
            + " of that banner for that user; not joined");
      } else {
        counts.late++;
        listProblem(problems, source, rule.event + " on " + banner + " by " + user + " came "
            + Duration.between(rule.before(latestEver), time).toSeconds() + " s after its latest " + rule.step
            + ", beyond the " + rule.window + " window of " + window.toSeconds() + " s; not joined");
      }
    } else if (!rule.mark(target, time)) {
      counts.duplicate++;
    } else if (target == sameRequest) {
      counts.byRequest++;
    } else {
      counts.byTime++;
    }
  }

  private static void listProblem(List<RowProblem> list, Source source, String reason) {
    if (list.size() < LISTED_PROBLEMS) {
      list.add(new RowProblem(source.file(), source.line(), reason));
    }
  }

  private static List<Banner> readCatalog(Path logDir, String name) {
    Path file = logDir.resolve(name).normalize();
    if (!file.startsWith(logDir.normalize()) || !Files.isRegularFile(file)) {
      throw new BadInputException(logDir + ": catalog snapshot '" + name + "' named by the log is missing");
    }
    DataProblems problems = new DataProblems(0.0);
    return EventLogReader.readBannersFile(file, problems);
  }

  /** The profile for users.csv, or null when the service did not know it (no age band or city tier). */
  private static UserProfile toProfile(ProfileRecord p) {
    try {
      Gender g = Gender.parse(p.gender());
      if (!CsvSchemas.AGE_BANDS.contains(p.ageBand())
          || p.cityTier() < CsvSchemas.MIN_CITY_TIER || p.cityTier() > CsvSchemas.MAX_CITY_TIER) {
        return null;
      }
      return new UserProfile(p.userId(), g, p.ageBand(), p.cityTier());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The platform of a decision's code, or null when it has none or an unknown one. */
  public static Platform platformOf(String code) {
    try {
      return code == null ? null : Platform.parse(code);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
