package dev.bannerranker.data;

import java.util.List;

/**
 * The four input tables and the generator's truth file: file names and exact headers. Readers and the
 * generator both use these constants, so the format is written down once.
 */
public final class CsvSchemas {
  private CsvSchemas() {}

  public static final String BANNERS_FILE = "banners.csv";
  public static final String USERS_FILE = "users.csv";
  public static final String EVENTS_FILE = "events.csv";
  public static final String IMPRESSIONS_FILE = "impressions.csv";
  /** Written only by the generator: the true click probability of every impression. */
  public static final String TRUTH_FILE = "impressions_truth.csv";

  public static final List<String> BANNERS_HEADER = List.of(
      "banner_id", "brand", "category", "placement", "creative_format", "creative_color",
      "discount_pct", "campaign_id", "price_tier", "start_time", "end_time", "bid", "priority",
      "target_genders", "target_age_bands", "target_city_tiers");

  /** Optional column of {@code banners.csv}: what the advertiser pays per conversion (empty: bids per click only). */
  public static final String BID_PER_CONVERSION = "bid_per_conversion";

  /** Optional trailing columns of {@code banners.csv}, in groups as {@link #IMPRESSIONS_OPTIONAL}. */
  public static final List<List<String>> BANNERS_OPTIONAL = List.of(List.of(BID_PER_CONVERSION));

  /** Every column a banner has: {@link #BANNERS_HEADER}, then the optional ones. */
  public static final List<String> BANNERS_COLUMNS = java.util.stream.Stream.concat(BANNERS_HEADER.stream(),
      BANNERS_OPTIONAL.stream().flatMap(List::stream)).toList();

  public static final List<String> USERS_HEADER = List.of("user_id", "gender", "age_band", "city_tier");

  public static final List<String> EVENTS_HEADER = List.of(
      "user_id", "timestamp", "event_type", "brand", "category", "price_tier", "dwell_seconds");

  public static final List<String> IMPRESSIONS_HEADER = List.of(
      "impression_id", "user_id", "timestamp", "banner_id", "placement", "slot_position", "platform",
      "clicked");

  /** Optional column of {@code impressions.csv}: 1 when the click led to a conversion, 0 otherwise (0 without a click). */
  public static final String CONVERTED = "converted";

  /** The columns {@code logs export} adds after {@link #IMPRESSIONS_HEADER}: the request's id and the propensity. */
  public static final List<String> IMPRESSIONS_SERVING_COLUMNS = List.of("request_id", "propensity");

  /**
   * Optional trailing columns of {@code impressions.csv} after {@link #IMPRESSIONS_HEADER}, in groups, in this order;
   * a file has a leading part of each group: whether the impression converted ({@link #CONVERTED}), then the id of
   * the request that served the impression and the serving policy's propensity (written by {@code logs export}).
   * Files without them still load.
   */
  public static final List<List<String>> IMPRESSIONS_OPTIONAL = List.of(List.of(CONVERTED),
      IMPRESSIONS_SERVING_COLUMNS);

  /** The header of the generator's {@code impressions.csv}: the required columns and {@link #CONVERTED}. */
  public static final List<String> GENERATED_IMPRESSIONS_HEADER = List.of(
      "impression_id", "user_id", "timestamp", "banner_id", "placement", "slot_position", "platform",
      "clicked", CONVERTED);

  public static final List<String> TRUTH_HEADER = List.of("impression_id", "true_ctr");

  /** Written only by the generator: the true probability that a click on the impression converts. */
  public static final String CONVERSION_TRUTH_FILE = "impressions_conversion_truth.csv";

  public static final List<String> CONVERSION_TRUTH_HEADER = List.of("impression_id", "true_cvr");

  /** Separator inside one cell for the targeting lists, e.g. {@code F|U}. */
  public static final String LIST_SEPARATOR = "|";

  /** Age bands, in order; also the embedding index order. */
  public static final List<String> AGE_BANDS = List.of("18-24", "25-34", "35-44", "45-54", "55+");

  public static final int MIN_PRICE_TIER = 1;
  public static final int MAX_PRICE_TIER = 4;
  public static final int MIN_CITY_TIER = 1;
  public static final int MAX_CITY_TIER = 3;

  /**
   * Every time in the tables lies in [{@value #MIN_TIME_TEXT}, {@value #END_TIME_TEXT}): a row outside is bad. A
   * typo such as year 2206 would otherwise become the last day of the log and leave the time split's
   * validation days empty.
   */
  public static final String MIN_TIME_TEXT = "1970-01-01T00:00:00Z";
  public static final String END_TIME_TEXT = "2100-01-01T00:00:00Z";
  /** {@link #MIN_TIME_TEXT} and {@link #END_TIME_TEXT} in epoch seconds. */
  public static final long MIN_TIME = 0L;
  public static final long END_TIME = 4_102_444_800L;
}
