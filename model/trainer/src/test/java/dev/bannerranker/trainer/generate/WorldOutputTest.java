package dev.bannerranker.trainer.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Formats and referential integrity of one tiny world. */
class WorldOutputTest {

  private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
  private static final Pattern ONE_DECIMAL = Pattern.compile("\\d+\\.\\d");
  private static final Set<String> PLACEMENTS = Set.of("home_hero", "home_carousel", "home_sidebar");

  @TempDir
  static Path dir;
  static TinyWorld world;
  static Map<String, UserProfile> users;
  static Map<String, Banner> banners;

  @BeforeAll
  static void generate() throws IOException {
    world = TinyWorld.generate(dir, TinyWorld.SEED);
    users = new HashMap<>();
    for (String[] r : world.rows(CsvSchemas.USERS_FILE)) {
      users.put(r[0], new UserProfile(r[0], Gender.parse(r[1]), r[2], Integer.parseInt(r[3])));
    }
    banners = new HashMap<>();
    for (String[] r : world.rows(CsvSchemas.BANNERS_FILE)) {
      banners.put(r[0], new Banner(r[0], r[1], r[2], r[3], r[4], r[5], Integer.parseInt(r[6]), r[7],
          Integer.parseInt(r[8]), epoch(r[9]), epoch(r[10]), Double.parseDouble(r[11]), Integer.parseInt(r[12]),
          list(r[13]).stream().map(Gender::parse).collect(Collectors.toSet()), Set.copyOf(list(r[14])),
          list(r[15]).stream().map(Integer::parseInt).collect(Collectors.toSet())));
    }
  }

  @Test
  void headersEqualSchemas() throws IOException {
    assertEquals(String.join(",", CsvSchemas.BANNERS_HEADER), world.headerLine(CsvSchemas.BANNERS_FILE));
    assertEquals(String.join(",", CsvSchemas.USERS_HEADER), world.headerLine(CsvSchemas.USERS_FILE));
    assertEquals(String.join(",", CsvSchemas.EVENTS_HEADER), world.headerLine(CsvSchemas.EVENTS_FILE));
    assertEquals(String.join(",", CsvSchemas.IMPRESSIONS_HEADER) + "," + CsvSchemas.CONVERTED,
        world.headerLine(CsvSchemas.IMPRESSIONS_FILE));
    assertEquals(String.join(",", CsvSchemas.TRUTH_HEADER), world.headerLine(CsvSchemas.TRUTH_FILE));
    assertEquals(String.join(",", CsvSchemas.CONVERSION_TRUTH_HEADER),
        world.headerLine(CsvSchemas.CONVERSION_TRUTH_FILE));
  }

  @Test
  void usersAreWellFormed() throws IOException {
    List<String[]> rows = world.rows(CsvSchemas.USERS_FILE);
    assertEquals(Scale.TINY.users(), rows.size());
    Set<String> genders = new HashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      assertEquals(CsvSchemas.USERS_HEADER.size(), r.length);
      assertEquals(String.format("u-%06d", i + 1), r[0]);
      genders.add(Gender.parse(r[1]).name());
      assertTrue(CsvSchemas.AGE_BANDS.contains(r[2]), r[2]);
      int city = Integer.parseInt(r[3]);
      assertTrue(city >= CsvSchemas.MIN_CITY_TIER && city <= CsvSchemas.MAX_CITY_TIER);
    }
    assertEquals(Set.of("F", "M", "U"), genders);
  }

  @Test
  void bannersAreWellFormed() throws IOException {
    List<String[]> rows = world.rows(CsvSchemas.BANNERS_FILE);
    assertEquals(Scale.TINY.banners(), rows.size());
    Set<String> brands = new HashSet<>();
    Set<String> categories = new HashSet<>();
    Map<String, String> campaignBrand = new HashMap<>();
    Map<String, Integer> campaignSize = new HashMap<>();
    int untargeted = 0;
    boolean startsLate = false;
    boolean endsEarly = false;
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      assertEquals(CsvSchemas.BANNERS_HEADER.size(), r.length);
      assertEquals(String.format("bn-%05d", i + 1), r[0]);
      assertFalse(r[1].isBlank());
      brands.add(r[1]);
      categories.add(r[2]);
      assertTrue(PLACEMENTS.contains(r[3]), r[3]);
      assertTrue(Set.of("image", "video", "carousel").contains(r[4]), r[4]);
      assertTrue(Set.of("light", "dark", "vivid").contains(r[5]), r[5]);
      int discount = Integer.parseInt(r[6]);
      assertTrue(discount >= 0 && discount <= 70);
      assertTrue(r[7].matches("cmp-\\d{4}"), r[7]);
      String previousBrand = campaignBrand.putIfAbsent(r[7], r[1]);
      assertTrue(previousBrand == null || previousBrand.equals(r[1]), "a campaign has one brand");
      campaignSize.merge(r[7], 1, Integer::sum);
      int tier = Integer.parseInt(r[8]);
      assertTrue(tier >= CsvSchemas.MIN_PRICE_TIER && tier <= CsvSchemas.MAX_PRICE_TIER);
      assertTrue(TIMESTAMP.matcher(r[9]).matches() && TIMESTAMP.matcher(r[10]).matches());
      long start = epoch(r[9]);
      long end = epoch(r[10]);
      assertTrue(end > start);
      startsLate |= start > Timeline.START_EPOCH_SECONDS;
      endsEarly |= end < Timeline.epoch(Timeline.SECONDS);
      double bid = Double.parseDouble(r[11]);
      assertTrue(bid >= 0.20 && bid <= 3.00, r[11]);
      assertTrue(r[11].matches("\\d+\\.\\d\\d"), r[11]);
      int priority = Integer.parseInt(r[12]);
      assertTrue(priority >= 0 && priority <= 10);
      for (String g : list(r[13])) {
        Gender.parse(g);
      }
      assertTrue(CsvSchemas.AGE_BANDS.containsAll(list(r[14])), r[14]);
      assertTrue(Set.of("1", "2", "3").containsAll(list(r[15])), r[15]);
      if (r[13].isEmpty() && r[14].isEmpty() && r[15].isEmpty()) {
        untargeted++;
      }
    }
    assertTrue(brands.size() > Scale.TINY.brands() / 2, "banners spread over the brands");
    assertEquals(Scale.TINY.categories(), categories.size());
    assertTrue(campaignSize.values().stream().anyMatch(n -> n > 1), "campaigns group several banners");
    double share = (double) untargeted / rows.size();
    assertTrue(share > 0.5 && share < 0.9, "untargeted share " + share);
    assertTrue(startsLate && endsEarly);
  }

  @Test
  void eventsAreWellFormedAndAscending() throws IOException {
    Set<String> brands = world.rows(CsvSchemas.BANNERS_FILE).stream().map(r -> r[1]).collect(Collectors.toSet());
    Set<String> allBrands = Arrays.stream(world.generator.world().catalog.brands).map(b -> b.name)
        .collect(Collectors.toSet());
    assertTrue(allBrands.containsAll(brands));
    Set<String> categories = Categories.first(Scale.TINY.categories()).stream().map(Categories.Category::name)
        .collect(Collectors.toSet());
    long previous = Long.MIN_VALUE;
    Set<EventType> types = new HashSet<>();
    for (String[] r : world.rows(CsvSchemas.EVENTS_FILE)) {
      assertEquals(CsvSchemas.EVENTS_HEADER.size(), r.length);
      assertNotNull(users.get(r[0]), r[0]);
      assertTrue(TIMESTAMP.matcher(r[1]).matches(), r[1]);
      long t = epoch(r[1]);
      assertTrue(t >= previous, "events ascending");
      assertTrue(t >= Timeline.START_EPOCH_SECONDS && t < Timeline.epoch(Timeline.SECONDS));
      previous = t;
      types.add(EventType.parseCsv(r[2]));
      assertTrue(allBrands.contains(r[3]), r[3]);
      assertTrue(categories.contains(r[4]), r[4]);
      int tier = Integer.parseInt(r[5]);
      assertTrue(tier >= CsvSchemas.MIN_PRICE_TIER && tier <= CsvSchemas.MAX_PRICE_TIER);
      assertTrue(ONE_DECIMAL.matcher(r[6]).matches(), r[6]);
    }
    assertEquals(Set.of(EventType.VIEW, EventType.ADD_TO_CART, EventType.PURCHASE), types);
  }

  @Test
  void impressionsReferenceLiveTargetedBannersInAscendingOrder() throws IOException {
    List<String[]> rows = world.rows(CsvSchemas.IMPRESSIONS_FILE);
    assertEquals(world.summary.impressions(), rows.size());
    long previous = Long.MIN_VALUE;
    Set<String> platforms = new HashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      assertEquals(CsvSchemas.IMPRESSIONS_HEADER.size() + 1, r.length);
      assertEquals(String.format("im-%010d", i + 1), r[0]);
      UserProfile user = users.get(r[1]);
      assertNotNull(user, r[1]);
      long t = epoch(r[2]);
      assertTrue(t >= previous, "impressions ascending");
      previous = t;
      Banner banner = banners.get(r[3]);
      assertNotNull(banner, r[3]);
      assertTrue(banner.liveAt(t), "banner " + r[3] + " live at " + r[2]);
      assertEquals(banner.placement(), r[4]);
      assertTrue(banner.targets(user), "targeting of " + r[3] + " admits " + r[1]);
      int slot = Integer.parseInt(r[5]);
      assertTrue(slot >= 1 && slot <= 4);
      platforms.add(Platform.parse(r[6]).code());
      assertTrue(r[7].equals("0") || r[7].equals("1"));
      assertTrue(r[8].equals("0") || r[8].equals("1") && r[7].equals("1"), "a conversion needs a click: " + r[0]);
    }
    assertEquals(Set.of("web", "ios", "android"), platforms);
  }

  @Test
  void pagesHaveDistinctBannersAndConsecutiveSlots() throws IOException {
    Map<String, Set<String>> bannersOfRender = new HashMap<>();
    Map<String, Integer> maxSlot = new HashMap<>();
    for (String[] r : world.rows(CsvSchemas.IMPRESSIONS_FILE)) {
      String render = r[1] + "@" + r[2] + "@" + r[4];
      assertTrue(bannersOfRender.computeIfAbsent(render, k -> new HashSet<>()).add(r[3]), "distinct in " + render);
      int slot = Integer.parseInt(r[5]);
      int expected = maxSlot.getOrDefault(render, 0) + 1;
      assertEquals(expected, slot, "slots of " + render);
      maxSlot.put(render, slot);
    }
  }

  @Test
  void truthHasOneProbabilityPerImpression() throws IOException {
    List<String[]> impressions = world.rows(CsvSchemas.IMPRESSIONS_FILE);
    List<String[]> truth = world.rows(CsvSchemas.TRUTH_FILE);
    assertEquals(impressions.size(), truth.size());
    for (int i = 0; i < truth.size(); i++) {
      String[] r = truth.get(i);
      assertEquals(2, r.length);
      assertEquals(impressions.get(i)[0], r[0]);
      double p = Double.parseDouble(r[1]);
      assertTrue(p > 0 && p < 1, r[1]);
      assertTrue(r[1].matches("0\\.0*[1-9]\\d{0,5}"), "six significant digits: " + r[1]);
    }
  }

  @Test
  void conversionTruthHasOneProbabilityPerImpressionAndTheConversionsFollowIt() throws IOException {
    List<String[]> impressions = world.rows(CsvSchemas.IMPRESSIONS_FILE);
    List<String[]> truth = world.rows(CsvSchemas.CONVERSION_TRUTH_FILE);
    assertEquals(impressions.size(), truth.size());
    double expected = 0;
    int clicks = 0;
    int conversions = 0;
    for (int i = 0; i < truth.size(); i++) {
      String[] r = truth.get(i);
      assertEquals(2, r.length);
      assertEquals(impressions.get(i)[0], r[0]);
      double q = Double.parseDouble(r[1]);
      assertTrue(q > 0 && q < 1, r[1]);
      assertTrue(r[1].matches("0\\.0*[1-9]\\d{0,5}"), "six significant digits: " + r[1]);
      if (impressions.get(i)[7].equals("1")) {
        clicks++;
        expected += q;
        conversions += impressions.get(i)[8].equals("1") ? 1 : 0;
      }
    }
    assertEquals(world.summary.conversions(), conversions);
    assertTrue(conversions > 0 && conversions < clicks);
    // the observed conversions of the clicks within four binomial standard deviations of the truth's sum
    assertTrue(Math.abs(conversions - expected) < 4 * Math.sqrt(expected), conversions + " vs " + expected);
  }

  private static List<String> list(String cell) {
    return cell.isEmpty() ? List.of() : List.of(cell.split(Pattern.quote(CsvSchemas.LIST_SEPARATOR)));
  }

  private static long epoch(String iso) {
    return Instant.parse(iso).getEpochSecond();
  }
}
