package dev.bannerranker.loop.offpolicy;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.cli.ExitCodes;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.loop.LoopCli;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.servinglog.ClickRecord;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import dev.bannerranker.servinglog.ImpressionRecord;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ProfileRecord;
import dev.bannerranker.servinglog.ServingLogCodec;
import dev.bannerranker.servinglog.ServingLogFiles;
import dev.bannerranker.servinglog.StartRecord;
import dev.bannerranker.testing.RandomBundles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class OffPolicyReplayTest {
  @TempDir Path tmp;

  static final String CATALOG = "catalog/banners-00000000000000aa.csv";
  static final Instant NOW = Instant.ofEpochSecond(RandomBundles.START + 5 * 86_400L);

  @Test
  void theTargetIsTheBundlesGreedyChoiceAndOnlyAgreeingRequestsCount() throws IOException {
    Bundle bundle = RandomBundles.create(3, 24);
    String[] pair = greedyPair(bundle);
    String chosen = pair[0];
    String other = pair[1];

    List<LogRecord> records = new ArrayList<>();
    // request 1 put the target's choice first and was clicked; request 2 put another banner first (not clicked);
    // both users have no history, so the target's choice is the same for both
    records.add(new ProfileRecord(NOW.minusSeconds(60), "u-2", "M", "25-34", 2));
    records.add(decision("r1", "u-1", chosen, other));
    records.add(new ImpressionRecord(NOW.plusMillis(10), "u-1", chosen, "r1", 1));
    records.add(new ImpressionRecord(NOW.plusMillis(10), "u-1", other, "r1", 2));
    records.add(new ClickRecord(NOW.plusSeconds(3), "u-1", chosen, "r1"));
    records.add(decision("r2", "u-2", other, chosen));
    records.add(new ImpressionRecord(NOW.plusMillis(10), "u-2", other, "r2", 1));
    records.add(decision("r3", "u-2", other)); // its top banner was never shown: skipped
    Path logs = writeLogs(bundle, records);
    Path bundleDir = tmp.resolve("bundle");
    BundleIO.write(bundle, bundleDir, false);

    Path json = tmp.resolve("est.json");
    Path report = tmp.resolve("report");
    int code = run("offpolicy", "--logs", logs.toString(), "--bundle", bundleDir.toString(), "--json", json.toString(),
        "--report", report.toString(), "--bootstrap", "200");
    assertEquals(0, code);
    JsonNode n = new ObjectMapper().readTree(json.toFile());
    assertEquals(2, n.get("counts").get("requests_used").asInt());
    assertEquals(1, n.get("counts").get("target_agrees_with_logged_top").asInt());
    assertEquals(1, n.get("counts").get("skipped_top_not_shown").asInt());
    // weights 1/0.5 and 0, rewards 1 and 0: IPS = (2 + 0) / 2, SNIPS = 2 / 2
    assertEquals(1.0, n.get("estimates").get("ips").get("value").asDouble(), 1e-9);
    assertEquals(1.0, n.get("estimates").get("snips").get("value").asDouble(), 1e-9);
    assertEquals(1.0, n.get("estimates").get("ips").get("ess").asDouble(), 1e-9);
    assertTrue(n.get("estimates").get("dr").has("ci_low"));
    assertEquals(0.5, n.get("logging_policy").get("observed_ctr").asDouble(), 1e-9);
    assertTrue(Files.readString(report.resolve("offpolicy.html")).contains("doubly robust"));
    // per position: position 1 is the top-slot estimate; position 2 was shown in r1 only
    JsonNode positions = n.get("positions");
    assertEquals(2, positions.size());
    assertEquals(1, positions.get(0).get("position").asInt());
    assertEquals(n.get("estimates").get("snips").get("value").asDouble(),
        positions.get(0).get("snips").get("value").asDouble(), 1e-12);
    assertEquals(1.0, positions.get(0).get("examination").get("value").asDouble(), 1e-12);
    assertEquals(2, positions.get(1).get("position").asInt());
    assertEquals(1, positions.get(1).get("requests").asInt());
    assertEquals(0.0, positions.get(1).get("observed_ctr").get("value").asDouble(), 1e-12);
    for (String key : new String[] {"ips", "dr", "examination"}) {
      assertTrue(positions.get(1).get(key).has("ci_low"), key);
    }
    assertFalse(n.get("position_model").asText().isBlank(), "the assumption is stated");

    // among the returned banners the target still picks its favourite: the same two requests, the same weights
    run("offpolicy", "--logs", logs.toString(), "--bundle", bundleDir.toString(), "--json", json.toString(),
        "--candidates", "returned", "--bootstrap", "50");
    assertEquals(1, new ObjectMapper().readTree(json.toFile()).get("counts").get("target_agrees_with_logged_top").asInt());
  }

  @Test
  void aBannerAtTheFrequencyCapIsNotTheTargetsChoiceAndTheServicesStartingHistoryCounts() throws IOException {
    Bundle bundle = RandomBundles.create(3, 24);
    String chosen = greedyChoice(bundle);
    Path logs = writeLogs(bundle, List.of(decision("r1", "u-1", chosen),
        new ImpressionRecord(NOW.plusMillis(10), "u-1", chosen, "r1", 1)));
    Path bundleDir = tmp.resolve("bundle");
    BundleIO.write(bundle, bundleDir, false);
    // the service's starting data: u-1 saw the banner three times in the hours before
    StringBuilder imps = new StringBuilder();
    for (int k = 1; k <= 3; k++) {
      imps.append("im-").append(k).append(",u-1,").append(NOW.minusSeconds(3600L * k)).append(',').append(chosen)
          .append(",home_hero,1,web,0\n");
    }
    Path data = startingData(bundle, imps.toString());

    Path json = tmp.resolve("est.json");
    String[] base = {"offpolicy", "--logs", logs.toString(), "--bundle", bundleDir.toString(), "--json", json.toString(),
        "--bootstrap", "20"};
    assertEquals(0, run(base));
    assertEquals(1, agreements(json), "without the starting history the banner is the target's choice");
    assertEquals(0, run(concat(base, "--history", data.toString())));
    assertEquals(0, agreements(json), "three impressions today: capped, the target picks another");
    assertEquals(0, run(concat(base, "--history", data.toString(), "--frequency-cap-per-day", "0")));
    assertEquals(1, agreements(json), "no cap");
  }

  @Test
  void theCapCountsEveryImpressionOfTheDayTheServiceKeptNotOnlyTheFewAHistoryKeeps() throws IOException {
    Bundle bundle = RandomBundles.create(3, 24);
    String[] pair = greedyPair(bundle);
    String chosen = pair[0];
    String other = pair[1];
    // three impressions of the target's favourite 20 hours ago, then a hundred of another banner, recorded by the
    // service: more than a history's ring and the service's 64 latest, but the service keeps a day's impressions
    // for its cap, so the favourite is at the cap
    List<LogRecord> records = new ArrayList<>();
    for (int k = 0; k < 103; k++) {
      Instant t = k < 3 ? NOW.minusSeconds(20 * 3600L - k) : NOW.minusSeconds(10 * 3600L - 60L * k);
      records.add(new ImpressionRecord(t, "u-1", k < 3 ? chosen : other, null, 1));
    }
    records.add(decision("r1", "u-1", chosen));
    records.add(new ImpressionRecord(NOW.plusMillis(10), "u-1", chosen, "r1", 1));
    Path logs = writeLogs(bundle, records);
    Path bundleDir = tmp.resolve("bundle");
    BundleIO.write(bundle, bundleDir, false);

    Path json = tmp.resolve("est.json");
    String[] base = {"offpolicy", "--logs", logs.toString(), "--bundle", bundleDir.toString(), "--json", json.toString(),
        "--bootstrap", "20"};
    assertEquals(0, run(base));
    assertEquals(0, agreements(json), "three impressions in the last 24 hours: capped");
    assertEquals(0, run(concat(base, "--frequency-cap-per-day", "0")));
    assertEquals(1, agreements(json), "no cap");
  }

  @Test
  void theServicesStartingDataKeepsEachUsersLatestActivitiesOnly() throws IOException {
    Bundle bundle = RandomBundles.create(3, 24);
    String[] pair = greedyPair(bundle);
    String chosen = pair[0];
    String other = pair[1];
    Path logs = writeLogs(bundle, List.of(decision("r1", "u-1", chosen),
        new ImpressionRecord(NOW.plusMillis(10), "u-1", chosen, "r1", 1)));
    Path bundleDir = tmp.resolve("bundle");
    BundleIO.write(bundle, bundleDir, false);
    // the same impressions in the service's starting data: its import keeps each user's latest 64 impressions (and
    // 64 events), so the favourite's three fall out and it is not capped; with a larger capacity they stay
    StringBuilder imps = new StringBuilder();
    for (int k = 0; k < 103; k++) {
      Instant t = k < 3 ? NOW.minusSeconds(20 * 3600L - k) : NOW.minusSeconds(10 * 3600L - 60L * k);
      imps.append("im-").append(k).append(",u-1,").append(t).append(',').append(k < 3 ? chosen : other)
          .append(",home_hero,1,web,0\n");
    }
    Path data = startingData(bundle, imps.toString());

    Path json = tmp.resolve("est.json");
    String[] base = {"offpolicy", "--logs", logs.toString(), "--bundle", bundleDir.toString(), "--json", json.toString(),
        "--bootstrap", "20", "--history", data.toString()};
    assertEquals(0, run(base));
    assertEquals(1, agreements(json), "the import kept the latest 64 impressions: not capped");
    assertEquals(0, run(concat(base, "--activity-capacity", "128")));
    assertEquals(0, agreements(json), "all 103 kept: capped");
    assertEquals(ExitCodes.USAGE, run(concat(base, "--activity-capacity", "0")));
  }

  /** The service's starting data: the bundle's banners, u-1's profile, no events, and these impression rows. */
  private Path startingData(Bundle bundle, String impressionRows) throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    BannerCsv.write(data.resolve(dev.bannerranker.data.CsvSchemas.BANNERS_FILE), bundle.catalog());
    Files.writeString(data.resolve("users.csv"), "user_id,gender,age_band,city_tier\nu-1,M,25-34,2\n");
    Files.writeString(data.resolve("events.csv"),
        String.join(",", dev.bannerranker.data.CsvSchemas.EVENTS_HEADER) + "\n");
    Files.writeString(data.resolve("impressions.csv"),
        String.join(",", dev.bannerranker.data.CsvSchemas.IMPRESSIONS_HEADER) + "\n" + impressionRows);
    return data;
  }

  /** A log directory with the bundle's catalog as snapshot, u-1's profile, and {@code records}. */
  private Path writeLogs(Bundle bundle, List<LogRecord> records) throws IOException {
    Path logs = Files.createDirectories(tmp.resolve("logs"));
    Files.createDirectories(logs.resolve("catalog"));
    BannerCsv.write(logs.resolve(CATALOG), bundle.catalog());
    List<LogRecord> all = new ArrayList<>();
    all.add(new StartRecord(NOW.minusSeconds(60), "test", CATALOG));
    all.add(new ProfileRecord(NOW.minusSeconds(60), "u-1", "M", "25-34", 2));
    all.addAll(records);
    StringBuilder text = new StringBuilder();
    all.forEach(r -> text.append(ServingLogCodec.encode(r)).append('\n'));
    Files.writeString(logs.resolve(ServingLogFiles.logFileName(NOW, 1)), text);
    return logs;
  }

  private static int agreements(Path json) throws IOException {
    return new ObjectMapper().readTree(json.toFile()).get("counts").get("target_agrees_with_logged_top").asInt();
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The top banner the service would rank for u-1 (no history) at NOW, computed directly with the scorer. */
  static String greedyChoice(Bundle bundle) {
    return greedyPair(bundle)[0];
  }

  static String[] greedyPair(Bundle bundle) {
    ScoringModel model = ScoringModel.of(bundle);
    UserProfile profile = new UserProfile("u-1", dev.bannerranker.data.Gender.M, "25-34", 2);
    List<BannerFeatures> eligible = new ArrayList<>();
    for (Banner b : bundle.catalog()) {
      if (b.placement().equals("home_hero") && b.liveAt(NOW.getEpochSecond()) && b.targets(profile)) {
        eligible.add(model.banner(b.id()));
      }
    }
    BannerFeatures[] c = eligible.toArray(BannerFeatures[]::new);
    float[] p = new float[c.length];
    UserFeatures u = model.userFeatures(profile, UserHistory.forSpec(model.spec()), NOW.getEpochSecond());
    model.predict(u, new ScoringContext(NOW.getEpochSecond(), Platform.WEB, model.spec().neutralSlot()), c, c.length, p);
    int best = 0;
    for (int k = 1; k < c.length; k++) {
      if (c[k].banner().bid() * p[k] > c[best].banner().bid() * p[best]) {
        best = k;
      }
    }
    return new String[] {c[best].banner().id(), c[(best + 1) % c.length].banner().id()};
  }

  @Test
  void badOptionsAndBundlesGiveTheirExitCodes() throws IOException {
    Path logs = Files.createDirectories(tmp.resolve("logs"));
    assertEquals(ExitCodes.USAGE, run("offpolicy", "--logs", logs.toString(), "--bundle", tmp.toString(),
        "--candidates", "all"));
    assertEquals(ExitCodes.BAD_BUNDLE, run("offpolicy", "--logs", logs.toString(), "--bundle", tmp.toString()));
  }

  static DecisionRecord decision(String request, String user, String... banners) {
    List<LoggedBanner> list = new ArrayList<>();
    for (int i = 0; i < banners.length; i++) {
      list.add(new LoggedBanner(banners[i], i + 1, 0.1, 0.05, "MODEL", i == 0 ? 0.5 : 1.0));
    }
    return new DecisionRecord(NOW, request, user, "home_hero", "web", "control", "v1", CATALOG, "personalized",
        "epsilon_greedy", banners.length, list);
  }

  static int run(String... args) {
    CommandLine cl = LoopCli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    if (code == ExitCodes.UNEXPECTED) {
      fail(err.toString());
    }
    return code;
  }
}
