package dev.bannerranker.trainer.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.CsvSchemas;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny world behaves like the documented model. */
class WorldStatisticsTest {

  @TempDir
  static Path dir;
  static TinyWorld world;
  static List<String[]> impressions;
  static double[] truth;

  @BeforeAll
  static void generate() throws IOException {
    world = TinyWorld.generate(dir, TinyWorld.SEED);
    impressions = world.rows(CsvSchemas.IMPRESSIONS_FILE);
    List<String[]> t = world.rows(CsvSchemas.TRUTH_FILE);
    truth = new double[t.size()];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = Double.parseDouble(t.get(i)[1]);
    }
  }

  @Test
  void overallCtrIsRealistic() {
    long clicks = impressions.stream().filter(r -> r[7].equals("1")).count();
    double ctr = (double) clicks / impressions.size();
    assertTrue(ctr > 0.01 && ctr < 0.10, "ctr " + ctr);
    assertEquals(clicks, world.summary.clicks());
    double meanTruth = 0;
    for (double p : truth) {
      meanTruth += p / truth.length;
    }
    assertEquals(meanTruth, world.summary.meanTrueCtr(), 1e-9);
    assertEquals(meanTruth, ctr, 0.01, "clicks are drawn from true_ctr");
  }

  @Test
  void clickedImpressionsHaveHigherTrueCtr() {
    double clicked = 0;
    double other = 0;
    int nClicked = 0;
    for (int i = 0; i < truth.length; i++) {
      if (impressions.get(i)[7].equals("1")) {
        clicked += truth[i];
        nClicked++;
      } else {
        other += truth[i];
      }
    }
    clicked /= nClicked;
    other /= truth.length - nClicked;
    assertTrue(clicked > 1.5 * other, "mean true_ctr clicked " + clicked + " vs not " + other);
  }

  @Test
  void oracleAucIsInformativeButNotPerfect() {
    Integer[] order = new Integer[truth.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(truth[a], truth[b]));
    double rankSum = 0;
    long positives = 0;
    for (int i = 0; i < order.length; ) {
      int j = i;
      while (j < order.length && truth[order[j]] == truth[order[i]]) {
        j++;
      }
      double rank = (i + j + 1) / 2.0;
      for (int k = i; k < j; k++) {
        if (impressions.get(order[k])[7].equals("1")) {
          rankSum += rank;
          positives++;
        }
      }
      i = j;
    }
    long negatives = truth.length - positives;
    double auc = (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    assertTrue(auc > 0.68 && auc < 0.90, "oracle AUC " + auc);
  }

  @Test
  void firstSlotBeatsLastSlot() {
    Map<Integer, long[]> bySlot = new TreeMap<>();
    Map<Integer, double[]> truthBySlot = new TreeMap<>();
    for (int i = 0; i < truth.length; i++) {
      int slot = Integer.parseInt(impressions.get(i)[5]);
      long[] c = bySlot.computeIfAbsent(slot, k -> new long[2]);
      c[0]++;
      c[1] += impressions.get(i)[7].equals("1") ? 1 : 0;
      double[] t = truthBySlot.computeIfAbsent(slot, k -> new double[2]);
      t[0]++;
      t[1] += truth[i];
    }
    int last = ((TreeMap<Integer, long[]>) bySlot).lastKey();
    assertTrue(last >= 3);
    double first = (double) bySlot.get(1)[1] / bySlot.get(1)[0];
    double end = (double) bySlot.get(last)[1] / bySlot.get(last)[0];
    assertTrue(first > end, "slot 1 ctr " + first + " vs slot " + last + " ctr " + end);
    double previous = Double.MAX_VALUE;
    for (double[] t : truthBySlot.values()) {
      double mean = t[1] / t[0];
      assertTrue(mean < previous, "mean true_ctr decreases with the slot");
      previous = mean;
    }
  }

  @Test
  void usersBrowseBrandsTheyLike() throws IOException {
    Population people = world.generator.world().population;
    Catalog catalog = world.generator.world().catalog;
    Map<String, Map<String, Integer>> views = new HashMap<>();
    for (String[] r : world.rows(CsvSchemas.EVENTS_FILE)) {
      if (r[2].equals("view")) {
        views.computeIfAbsent(r[0], k -> new TreeMap<>()).merge(r[3], 1, Integer::sum);
      }
    }
    int users = 0;
    int aboveAverage = 0;
    double gap = 0;
    for (Map.Entry<String, Map<String, Integer>> e : views.entrySet()) {
      int total = e.getValue().values().stream().mapToInt(Integer::intValue).sum();
      if (total < 8) {
        continue;
      }
      int user = Integer.parseInt(e.getKey().substring(2)) - 1;
      String top = e.getValue().entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
      double topAffinity = people.brandAffinity(user, catalog.brandIndex(top));
      double mean = 0;
      for (Catalog.Brand b : catalog.brands) {
        mean += people.brandAffinity(user, b.index) / catalog.brands.length;
      }
      users++;
      aboveAverage += topAffinity > mean ? 1 : 0;
      gap += topAffinity - mean;
    }
    assertTrue(users > 100, "active users " + users);
    assertTrue(aboveAverage > 0.8 * users, aboveAverage + " of " + users + " users' top brand is above average");
    assertTrue(gap / users > 0.8, "mean affinity gap " + gap / users);
  }

  @Test
  void womenBrowseDressesMoreThanMen() throws IOException {
    Map<String, String> gender = new HashMap<>();
    for (String[] r : world.rows(CsvSchemas.USERS_FILE)) {
      gender.put(r[0], r[1]);
    }
    Map<String, long[]> byGender = new HashMap<>(); // views of dresses, all views
    for (String[] r : world.rows(CsvSchemas.EVENTS_FILE)) {
      long[] c = byGender.computeIfAbsent(gender.get(r[0]), k -> new long[2]);
      c[0] += r[4].equals("dresses") ? 1 : 0;
      c[1]++;
    }
    double women = (double) byGender.get("F")[0] / byGender.get("F")[1];
    double men = (double) byGender.get("M")[0] / byGender.get("M")[1];
    assertTrue(women > 3 * men, "dress share F " + women + " vs M " + men);
  }

  @Test
  void truthFollowsTheDocumentedFormula() throws IOException {
    World w = world.generator.world();
    Map<String, Integer> placements = Map.of("home_hero", 0, "home_carousel", 1, "home_sidebar", 2);
    Map<String, List<Long>> shown = new HashMap<>(); // user|banner -> earlier impression times
    int fatigued = 0;
    for (int i = 0; i < truth.length; i++) {
      String[] r = impressions.get(i);
      int user = Integer.parseInt(r[1].substring(2)) - 1;
      Catalog.BannerDef b = w.catalog.banners[w.catalog.bannerIndex(r[3])];
      long t = Instant.parse(r[2]).getEpochSecond();
      List<Long> earlier = shown.computeIfAbsent(r[1] + "|" + r[3], k -> new ArrayList<>());
      int recent = (int) earlier.stream().filter(s -> t - s < ClickModel.FATIGUE_WINDOW_SECONDS).count();
      fatigued += recent > 0 ? 1 : 0;
      earlier.add(t);
      double logit = ClickModel.BASE
          + ClickModel.BRAND_AFFINITY * w.population.brandAffinity(user, b.brand)
          + ClickModel.CATEGORY_TASTE * w.population.categoryTaste(user, b.category)
          + ClickModel.PRICE_MATCH * -Math.abs(w.population.preferredTier[user] - b.priceTier)
          + ClickModel.GENDER_CATEGORY * w.population.genderSign(user)
              * w.catalog.categories.get(b.category).genderSkew()
          + b.quality
          + b.genderAppeal[w.population.gender[user]] + b.ageAppeal[w.population.ageBand[user]]
          + ClickModel.DISCOUNT * b.discountPct / 100.0
          + ClickModel.PLACEMENT_BIAS[placements.get(r[4])]
          + ClickModel.SLOT_BIAS[Integer.parseInt(r[5]) - 1]
          - ClickModel.FATIGUE * recent;
      double p = 1 / (1 + Math.exp(-Math.max(ClickModel.MIN_LOGIT, Math.min(ClickModel.MAX_LOGIT, logit))));
      assertEquals(p, truth[i], 1e-5 * p, "true_ctr of " + r[0]);
    }
    assertTrue(fatigued > truth.length / 20, "repeat impressions within 72 h: " + fatigued);
  }

  @Test
  void campaignsShareTheirAudienceAppeals() {
    Catalog c = world.generator.world().catalog;
    Map<String, Catalog.BannerDef> firstOfCampaign = new HashMap<>();
    List<Double> genderAppeals = new ArrayList<>();
    List<Double> ageAppeals = new ArrayList<>();
    for (Catalog.BannerDef b : c.banners) {
      Catalog.BannerDef first = firstOfCampaign.putIfAbsent(b.campaignId, b);
      if (first != null) {
        assertArrayEquals(first.genderAppeal, b.genderAppeal, "gender appeal of " + b.id);
        assertArrayEquals(first.ageAppeal, b.ageAppeal, "age appeal of " + b.id);
      } else {
        for (double a : b.genderAppeal) {
          genderAppeals.add(a);
        }
        for (double a : b.ageAppeal) {
          ageAppeals.add(a);
        }
      }
    }
    // tiny has about 45 campaigns: 135 gender and 225 age draws, so the sample SDs land within about 15 %
    assertEquals(Catalog.GENDER_APPEAL_SD, sd(genderAppeals), 0.2 * Catalog.GENDER_APPEAL_SD);
    assertEquals(Catalog.AGE_APPEAL_SD, sd(ageAppeals), 0.2 * Catalog.AGE_APPEAL_SD);
    assertTrue(new java.util.HashSet<>(genderAppeals).size() == genderAppeals.size(), "campaigns draw their own appeals");
  }

  private static double sd(List<Double> xs) {
    double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    return Math.sqrt(xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (xs.size() - 1));
  }
}
