package dev.bannerranker.data;

import static dev.bannerranker.data.CsvSchemas.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/** Reads the project's own format: the four tables of docs/data-format.md from one directory. */
public final class EventLogReader {
  private EventLogReader() {}

  /** Reads everything in {@code dir}; the truth file is read when present. */
  public static EventLog read(Path dir, double maxBadFraction) {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir + ": not a directory");
    }
    DataProblems problems = new DataProblems(maxBadFraction);
    List<Banner> banners = readBanners(dir, problems);
    List<UserProfile> users = readUsers(dir, problems);
    Map<String, String> placementOfBanner = new HashMap<>();
    banners.forEach(b -> placementOfBanner.put(b.id(), b.placement()));
    Set<String> userIds = new HashSet<>();
    users.forEach(u -> userIds.add(u.id()));

    // The events and the impressions are the two big files: they are parsed side by side, each with its own problem
    // list, merged in file order afterwards so the outcome is that of reading them one after the other.
    DataProblems eventProblems = new DataProblems(maxBadFraction);
    CompletableFuture<List<BehaviourEvent>> eventsRead =
        CompletableFuture.supplyAsync(() -> readEvents(dir, userIds, eventProblems));
    DataProblems impressionProblems = new DataProblems(maxBadFraction);
    List<Impression> impressions = new ArrayList<>();
    Map<String, Double> truth = new HashMap<>();
    Map<String, Double> conversionTruth = new HashMap<>();
    Set<String> impressionIds = new HashSet<>();
    RuntimeException impressionFailure = null;
    boolean[] conversions = {false};
    try {
      CsvTable.read(dir, IMPRESSIONS_FILE, IMPRESSIONS_HEADER, IMPRESSIONS_OPTIONAL, row -> {
        conversions[0] = row.has(CONVERTED);
        Impression imp = parseImpression(row);
        checkImpression(imp, userIds, placementOfBanner);
        if (!impressionIds.add(imp.impressionId())) {
          throw new IllegalArgumentException(repeated("impression_id", imp.impressionId()));
        }
        return imp;
      }, impressions::add, impressionProblems);
      impressions.sort(Comparator.comparingLong(Impression::timestamp));
      if (Files.exists(dir.resolve(TRUTH_FILE))) {
        // Parsed and stored row by row, so a repeated id is seen by the next row's check.
        CsvTable.read(dir, TRUTH_FILE, TRUTH_HEADER, row -> {
          String id = row.text("impression_id");
          double p = row.decimal("true_ctr", 0, 1);
          if (!impressionIds.contains(id)) {
            throw new IllegalArgumentException(truthWithoutImpression(id));
          }
          if (truth.containsKey(id)) {
            throw new IllegalArgumentException(repeated("impression_id", id));
          }
          return Map.entry(id, p);
        }, e -> truth.put(e.getKey(), e.getValue()), impressionProblems);
      }
      if (Files.exists(dir.resolve(CONVERSION_TRUTH_FILE))) {
        CsvTable.read(dir, CONVERSION_TRUTH_FILE, CONVERSION_TRUTH_HEADER, row -> {
          String id = row.text("impression_id");
          double p = row.decimal("true_cvr", 0, 1);
          if (!impressionIds.contains(id)) {
            throw new IllegalArgumentException(truthWithoutImpression(id));
          }
          if (conversionTruth.containsKey(id)) {
            throw new IllegalArgumentException(repeated("impression_id", id));
          }
          return Map.entry(id, p);
        }, e -> conversionTruth.put(e.getKey(), e.getValue()), impressionProblems);
      }
    } catch (RuntimeException e) {
      impressionFailure = e; // reported after the events file's own failure, as a sequential read would
    }
    List<BehaviourEvent> events;
    try {
      events = eventsRead.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    if (impressionFailure != null) {
      throw impressionFailure;
    }
    problems.addAll(eventProblems);
    problems.addAll(impressionProblems);
    return new EventLog(List.copyOf(banners), List.copyOf(users), events, impressions, truth, problems,
        conversions[0], conversionTruth);
  }

  private static List<BehaviourEvent> readEvents(Path dir, Set<String> userIds, DataProblems problems) {
    List<BehaviourEvent> events = new ArrayList<>();
    CsvTable.read(dir, EVENTS_FILE, EVENTS_HEADER, row -> {
      BehaviourEvent e = parseEvent(row);
      checkUser(userIds, e.userId());
      return e;
    }, events::add, problems);
    events.sort(Comparator.comparingLong(BehaviourEvent::timestamp));
    return events;
  }

  /** A row's user must be in {@code users.csv}; also the streaming reader's rule. */
  public static void checkUser(Set<String> userIds, String id) {
    if (!userIds.contains(id)) {
      throw new IllegalArgumentException("user_id '" + id + "' is not in " + USERS_FILE);
    }
  }

  /**
   * The rules for an impression row that reach past its own table (its user, its banner, the banner's placement);
   * also the streaming reader's. The repeated-id rule is the caller's, who holds the ids.
   */
  public static void checkImpression(Impression imp, Set<String> userIds, Map<String, String> placementOfBanner) {
    checkUser(userIds, imp.userId());
    String placement = placementOfBanner.get(imp.bannerId());
    if (placement == null) {
      throw new IllegalArgumentException("banner_id '" + imp.bannerId() + "' is not in " + BANNERS_FILE);
    }
    if (!placement.equals(imp.placement())) {
      // a banner is shown only in its own placement; another one means a join or export went wrong
      throw new IllegalArgumentException("placement '" + imp.placement() + "' is not the placement of banner '"
          + imp.bannerId() + "' in " + BANNERS_FILE + " ('" + placement + "')");
    }
  }

  /** The reason for a row whose id an earlier row of the same file already has. */
  public static String repeated(String idColumn, String id) {
    return idColumn + " '" + id + "' appears twice";
  }

  /** The reason for a truth row whose impression is not among the good impression rows. */
  public static String truthWithoutImpression(String id) {
    return "impression_id '" + id + "' is not among the good rows of " + IMPRESSIONS_FILE;
  }

  /** Reads {@code banners.csv}; duplicate ids are bad rows. Also used by the service for its catalog. */
  public static List<Banner> readBanners(Path dir, DataProblems problems) {
    return readUnique(dir, BANNERS_FILE, BANNERS_HEADER, BANNERS_OPTIONAL, EventLogReader::parseBanner, Banner::id,
        "banner_id", problems);
  }

  /** Reads a banners table under another name, such as a serving log's catalog snapshot; as {@link #readBanners}. */
  public static List<Banner> readBannersFile(Path file, DataProblems problems) {
    return readUnique(file.getParent() == null ? Path.of(".") : file.getParent(), file.getFileName().toString(),
        BANNERS_HEADER, BANNERS_OPTIONAL, EventLogReader::parseBanner, Banner::id, "banner_id", problems);
  }

  /** Reads {@code users.csv}; duplicate ids are bad rows. */
  public static List<UserProfile> readUsers(Path dir, DataProblems problems) {
    return readUnique(dir, USERS_FILE, USERS_HEADER, List.of(), EventLogReader::parseUser, UserProfile::id, "user_id",
        problems);
  }

  private static <T> List<T> readUnique(Path dir, String file, List<String> header, List<List<String>> optional,
      CsvTable.RowParser<T> parser, Function<T, String> id, String idColumn, DataProblems problems) {
    Set<String> seen = new HashSet<>();
    List<T> out = new ArrayList<>();
    CsvTable.read(dir, file, header, optional, row -> {
      T value = parser.parse(row);
      if (!seen.add(id.apply(value))) {
        throw new IllegalArgumentException(repeated(idColumn, id.apply(value)));
      }
      return value;
    }, out::add, problems);
    return out;
  }

  /**
   * One row of {@code banners.csv}: the one definition of a valid banner, also applied to banners that arrive by
   * other ways than a file (the service's catalog RPCs). A bad value is a {@link BadCellException} naming its column.
   */
  public static Banner parseBanner(CsvTable.Row r) {
    long start = r.instant("start_time");
    long end = r.instant("end_time");
    if (end <= start) {
      throw new BadCellException("end_time", "end_time must be after start_time");
    }
    return new Banner(
        r.text("banner_id"), r.text("brand"), r.text("category"), r.text("placement"),
        r.text("creative_format"), r.text("creative_color"), r.integer("discount_pct", 0, 100),
        r.text("campaign_id"), r.integer("price_tier", MIN_PRICE_TIER, MAX_PRICE_TIER), start, end,
        r.decimal("bid", 1e-9, 1e9), r.integer("priority", 0, 1000),
        parseList(r.optionalText("target_genders"), "target_genders", Gender::parse),
        parseList(r.optionalText("target_age_bands"), "target_age_bands", EventLogReader::ageBand),
        parseList(r.optionalText("target_city_tiers"), "target_city_tiers", EventLogReader::cityTier),
        r.has(BID_PER_CONVERSION) && !r.optionalText(BID_PER_CONVERSION).isEmpty()
            ? r.decimal(BID_PER_CONVERSION, 1e-9, 1e9) : Double.NaN);
  }

  static UserProfile parseUser(CsvTable.Row r) {
    Gender g;
    try {
      g = Gender.parse(r.optionalText("gender"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    return new UserProfile(r.text("user_id"), g, ageBand(r.optionalText("age_band")),
        r.integer("city_tier", MIN_CITY_TIER, MAX_CITY_TIER));
  }

  /** One row of {@code events.csv}; also the Spark job's, so both read the same rules. */
  public static BehaviourEvent parseEvent(CsvTable.Row r) {
    String tier = r.optionalText("price_tier");
    int priceTier = tier.isEmpty() ? 0 : r.integer("price_tier", MIN_PRICE_TIER, MAX_PRICE_TIER);
    return new BehaviourEvent(r.text("user_id"), r.instant("timestamp"), EventType.parseCsv(r.optionalText("event_type")),
        r.text("brand"), r.text("category"), priceTier, (float) r.decimal("dwell_seconds", 0, 86_400));
  }

  /** One row of {@code impressions.csv}; also the Spark job's. */
  public static Impression parseImpression(CsvTable.Row r) {
    String requestId = r.has("request_id") ? r.optionalText("request_id") : "";
    double propensity = r.has("propensity") && !r.optionalText("propensity").isEmpty()
        ? r.decimal("propensity", Double.MIN_VALUE, 1) : Double.NaN;
    boolean clicked = r.flag01("clicked");
    boolean converted = r.has(CONVERTED) && r.flag01(CONVERTED);
    if (converted && !clicked) {
      // a conversion is attributed to a click; one without means a join went wrong
      throw new BadCellException(CONVERTED, CONVERTED + " is 1 but clicked is 0");
    }
    return new Impression(r.text("impression_id"), r.text("user_id"), r.instant("timestamp"),
        r.text("banner_id"), r.text("placement"), r.integer("slot_position", 1, 1000),
        Platform.parse(r.optionalText("platform")), clicked, requestId, propensity, converted);
  }

  private static String ageBand(String v) {
    if (!AGE_BANDS.contains(v)) {
      throw new IllegalArgumentException("age_band must be one of " + AGE_BANDS + ", got '" + v + "'");
    }
    return v;
  }

  private static Integer cityTier(String v) {
    try {
      int t = Integer.parseInt(v);
      if (t >= MIN_CITY_TIER && t <= MAX_CITY_TIER) {
        return t;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("city tier must be 1, 2 or 3, got '" + v + "'");
  }

  private static <T> Set<T> parseList(String cell, String column, Function<String, T> parse) {
    Set<T> out = new LinkedHashSet<>();
    if (cell.isEmpty()) {
      return out;
    }
    for (String part : cell.split("\\" + LIST_SEPARATOR, -1)) {
      try {
        out.add(parse.apply(part));
      } catch (IllegalArgumentException e) {
        throw new BadCellException(column, column + ": " + e.getMessage());
      }
    }
    return out;
  }
}
