package dev.bannerranker.trainer.movielens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.RowProblem;
import dev.bannerranker.data.UserProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovieLensReaderTest {
  private static final String GENRE_HEADER = String.join("|", MovieLensReader.GENRES);
  private static final String ITEM_HEADER = "item|title|releaseDate|videoReleaseDate|imdbURL|" + GENRE_HEADER;

  // ---------------------------------------------------------------- real data (skips when absent)

  @Test
  void readsTheRealMovieLens100k() throws IOException {
    Path dir = SharedData.movieLensOrSkip();
    EventLog log = MovieLensReader.read(dir, 0.0);

    assertEquals(100_000, log.impressions().size());
    assertEquals(100_000, log.events().size());
    assertEquals(943, log.users().size());
    assertEquals(1682, log.banners().size());
    assertEquals(0, log.problems().badRows());
    assertFalse(log.hasTruth());

    // The known first row 196|242|3|881250949.
    Impression first = log.impressions().stream().filter(i -> i.impressionId().equals("r1")).findFirst().orElseThrow();
    assertEquals(new Impression("r1", "u196", 881250949L, "m242", "home", 1, Platform.WEB, false), first);

    // Independent count of ratings >= 4 straight from the file.
    List<String> lines = Files.readAllLines(dir.resolve("u.data"), StandardCharsets.ISO_8859_1);
    long positives = lines.stream().skip(1).filter(l -> Integer.parseInt(l.split("\\|")[2]) >= 4).count();
    long clicked = log.impressions().stream().filter(Impression::clicked).count();
    assertEquals(positives, clicked);
    double share = clicked / (double) log.impressions().size();
    assertTrue(share > 0.5 && share < 0.6, "clicked share " + share);

    for (int i = 1; i < log.impressions().size(); i++) {
      assertTrue(log.impressions().get(i - 1).timestamp() <= log.impressions().get(i).timestamp());
      assertTrue(log.events().get(i - 1).timestamp() <= log.events().get(i).timestamp());
    }
    long min = log.impressions().get(0).timestamp();
    long max = log.impressions().get(log.impressions().size() - 1).timestamp();

    // Toy Story: Animation|Children's|Comedy, so its category is Animation.
    Banner toyStory = log.banners().stream().filter(b -> b.id().equals("m1")).findFirst().orElseThrow();
    assertEquals("m1", toyStory.brand());
    assertEquals("Animation", toyStory.category());
    assertEquals(min, toyStory.startTime());
    assertEquals(max + 86_400, toyStory.endTime());
    assertTrue(log.banners().stream().allMatch(b -> b.startTime() == min && b.endTime() == max + 86_400));

    UserProfile u1 = log.users().stream().filter(u -> u.id().equals("u1")).findFirst().orElseThrow();
    assertEquals(new UserProfile("u1", Gender.M, "18-24", MovieLensReader.CITY_TIER), u1);
    Set<String> bands = log.users().stream().map(UserProfile::ageBand).collect(Collectors.toSet());
    assertEquals(Set.of("18-24", "25-34", "35-44", "45-54", "55+"), bands);

    Map<String, Set<String>> genres = MovieLensReader.genres(dir);
    assertEquals(1682, genres.size());
    assertEquals(List.of("Animation", "Children's", "Comedy"), new ArrayList<>(genres.get("m1")));

    System.out.printf("movielens-100k: %d impressions, %d events, %d users, %d banners, clicked share %.4f, "
        + "time %d..%d, bad rows %d%n", log.impressions().size(), log.events().size(), log.users().size(),
        log.banners().size(), share, min, max, log.problems().badRows());
  }

  // ---------------------------------------------------------------- mapping and bad rows on a temp dir

  /** 8 good movies + 1 bad (line 10), 8 good users + 1 bad (line 10), 20 ratings with 5 bad. */
  private static void writeSmall(Path dir) throws IOException {
    List<String> items = new ArrayList<>(List.of(ITEM_HEADER));
    for (int m = 1; m <= 8; m++) {
      int[] flags = new int[19];
      if (m == 1) {
        flags[1] = 1; // Action
      } else if (m == 2) {
        flags[5] = 1; // Comedy
        flags[8] = 1; // Drama
      } else if (m != 3) { // movie 3 has no genre
        flags[8] = 1;
      }
      items.add(m + "|Movie " + m + " (1995)|01-Jan-1995||http://example|"
          + java.util.Arrays.stream(flags).mapToObj(Integer::toString).collect(Collectors.joining("|")));
    }
    items.add("9|Bad flags|01-Jan-1995||x|0|2|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0"); // line 10
    Files.write(dir.resolve("u.item"), items, StandardCharsets.ISO_8859_1);

    List<String> users = new ArrayList<>(List.of("user|age|gender|occupation|zip"));
    int[] ages = {0, 17, 30, 44, 45, 55, 73, 24, 25};
    for (int u = 1; u <= 8; u++) {
      users.add(u + "|" + ages[u] + "|" + (u % 2 == 1 ? "F" : "M") + "|other|12345");
    }
    users.add("9|40|X|other|12345"); // line 10
    Files.write(dir.resolve("u.user"), users, StandardCharsets.ISO_8859_1);

    List<String> data = new ArrayList<>(List.of("user|item|rating|timestamp"));
    for (int line = 2; line <= 21; line++) {
      int u = 1 + line % 8;
      int m = 1 + (line * 3 + line / 8) % 8; // each user rates each movie at most once
      int rating = 1 + line % 5;
      long t = 1_000_000L + 100L * (25 - line); // later lines are earlier...
      if (line == 20 || line == 21) {
        t = 1_000_000L; // ...and two share a time, to check the sort is stable
      }
      String row = u + "|" + m + "|" + rating + "|" + t;
      switch (line) {
        case 4: row = "1|2|5"; break;
        case 7: row = "1|2|five|1000000"; break;
        case 10: row = "99|1|4|1000000"; break;
        case 12: row = "9|1|4|1000000"; break; // user 9's own row is bad
        case 14: row = "1|9|4|1000000"; break; // movie 9's own row is bad
        default: break;
      }
      data.add(row);
    }
    Files.write(dir.resolve("u.data"), data, StandardCharsets.ISO_8859_1);
  }

  @Test
  void mapsMoviesUsersAndRatings(@TempDir Path dir) throws IOException {
    writeSmall(dir);
    EventLog log = MovieLensReader.read(dir, 0.3);
    Map<String, Banner> banners = log.banners().stream().collect(Collectors.toMap(Banner::id, Function.identity()));
    assertEquals(Set.of("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"), banners.keySet());
    assertEquals("Action", banners.get("m1").category());
    assertEquals("Comedy", banners.get("m2").category());
    assertEquals("unknown", banners.get("m3").category());
    Banner b = banners.get("m2");
    assertEquals(new Banner("m2", "m2", "Comedy", "home", "image", "light", 0, "ml", 1,
        b.startTime(), b.endTime(), 1.0, 0, Set.of(), Set.of(), Set.of()), b);

    Map<String, UserProfile> users = log.users().stream().collect(Collectors.toMap(UserProfile::id, Function.identity()));
    assertEquals(8, users.size());
    assertEquals(new UserProfile("u1", Gender.F, "18-24", 2), users.get("u1"));
    assertEquals("25-34", users.get("u2").ageBand());
    assertEquals("35-44", users.get("u3").ageBand());
    assertEquals("45-54", users.get("u4").ageBand());
    assertEquals("55+", users.get("u5").ageBand());
    assertEquals("55+", users.get("u6").ageBand());
    assertEquals("18-24", users.get("u7").ageBand());
    assertEquals("25-34", users.get("u8").ageBand());

    assertEquals(15, log.impressions().size());
    assertEquals(15, log.events().size());
    // Line 2: user 3, movie 7, rating 3, time 1_002_300; its id is its data-row number.
    Impression r1 = log.impressions().stream().filter(i -> i.impressionId().equals("r1")).findFirst().orElseThrow();
    assertEquals(new Impression("r1", "u3", 1_002_300L, "m7", "home", 1, Platform.WEB, false), r1);
    // Line 3 is rating 4: a click, dwell 40 s.
    Impression r2 = log.impressions().stream().filter(i -> i.impressionId().equals("r2")).findFirst().orElseThrow();
    assertTrue(r2.clicked());
    assertTrue(log.events().contains(new BehaviourEvent("u4", 1_002_200L, EventType.VIEW, "m2", "Comedy", 0, 40f)));

    // Sorted by time; the two equal times (lines 20 and 21) keep file order.
    List<String> ids = log.impressions().stream().map(Impression::impressionId).collect(Collectors.toList());
    assertEquals(List.of("r19", "r20"), ids.subList(0, 2));
    assertEquals("r1", ids.get(ids.size() - 1));
    assertEquals(1_000_000L, banners.get("m1").startTime());
    assertEquals(1_002_300L + 86_400L, banners.get("m1").endTime());

    List<String> problems = log.problems().problems().stream().map(RowProblem::toString).collect(Collectors.toList());
    assertEquals(List.of(
        "u.item:10: Action must be 0 or 1, got '2'",
        "u.user:10: gender must be F or M, got 'X'",
        "u.data:4: expected 4 columns, found 3",
        "u.data:7: rating is not an integer: 'five'",
        "u.data:10: user 99 is not in u.user",
        "u.data:12: user 9 is not in u.user",
        "u.data:14: item 9 is not in u.item"), problems);

    Map<String, Set<String>> genres = MovieLensReader.genres(dir);
    assertEquals(banners.keySet(), genres.keySet());
    assertEquals(Set.of("Comedy", "Drama"), genres.get("m2"));
    assertEquals(Set.of(), genres.get("m3"));
  }

  @Test
  void failsPastTheBadRowLimitNamingFileCountsAndFirstProblems(@TempDir Path dir) throws IOException {
    writeSmall(dir);
    BadInputException e = assertThrows(BadInputException.class, () -> MovieLensReader.read(dir, 0.2));
    String msg = e.getMessage();
    assertTrue(msg.startsWith("u.data: 5 of 20 rows are malformed (25.00%), above the limit of 20.00%"), msg);
    assertTrue(msg.contains("u.data:4: expected 4 columns, found 3"), msg);
    assertTrue(msg.contains("u.data:14: item 9 is not in u.item"), msg);

    // u.item and u.user are 1 bad in 9 (11%): past a 10% limit it is u.item, read first, that fails.
    BadInputException items = assertThrows(BadInputException.class, () -> MovieLensReader.read(dir, 0.1));
    assertTrue(items.getMessage().startsWith("u.item: 1 of 9 rows are malformed"), items.getMessage());
  }

  @Test
  void aSecondRatingOfTheSameMovieByTheSameUserIsABadRow(@TempDir Path dir) throws IOException {
    writeSmall(dir);
    List<String> data = new ArrayList<>(Files.readAllLines(dir.resolve("u.data"), StandardCharsets.ISO_8859_1));
    String[] line2 = data.get(1).split("\\|");
    data.add(line2[0] + "|" + line2[1] + "|1|1000500"); // line 22: user 3 rates movie 7 again
    Files.write(dir.resolve("u.data"), data, StandardCharsets.ISO_8859_1);
    EventLog log = MovieLensReader.read(dir, 0.3);
    assertEquals(15, log.impressions().size(), "the first rating is kept");
    RowProblem last = log.problems().problems().get(log.problems().problems().size() - 1);
    assertEquals("u.data", last.file());
    assertEquals(22, last.line());
    assertTrue(last.reason().contains("line 2"), last.reason());
  }

  @Test
  void aTimestampAfter2099IsABadRow(@TempDir Path dir) throws IOException {
    writeSmall(dir);
    List<String> data = new ArrayList<>(Files.readAllLines(dir.resolve("u.data"), StandardCharsets.ISO_8859_1));
    data.add("8|8|4|" + dev.bannerranker.data.CsvSchemas.END_TIME); // line 22: 2100-01-01
    Files.write(dir.resolve("u.data"), data, StandardCharsets.ISO_8859_1);
    EventLog log = MovieLensReader.read(dir, 0.3);
    assertEquals(15, log.impressions().size());
    RowProblem last = log.problems().problems().get(log.problems().problems().size() - 1);
    assertEquals(new RowProblem("u.data", 22, last.reason()), last);
    assertTrue(last.reason().startsWith("timestamp"), last.reason());
  }

  @Test
  void blankLinesAreIgnoredButKeepLineNumbers(@TempDir Path dir) throws IOException {
    writeSmall(dir);
    List<String> data = new ArrayList<>(Files.readAllLines(dir.resolve("u.data"), StandardCharsets.ISO_8859_1));
    data.add(3, ""); // the old line 4 (bad) becomes line 5
    Files.write(dir.resolve("u.data"), data, StandardCharsets.ISO_8859_1);
    EventLog log = MovieLensReader.read(dir, 0.3);
    assertEquals(15, log.impressions().size());
    assertTrue(log.problems().problems().contains(new RowProblem("u.data", 5, "expected 4 columns, found 3")));
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) throws IOException {
    writeSmall(dir);
    Files.delete(dir.resolve("u.user"));
    BadInputException e = assertThrows(BadInputException.class, () -> MovieLensReader.read(dir, 0.3));
    assertTrue(e.getMessage().contains("u.user: file not found"), e.getMessage());
    assertThrows(BadInputException.class, () -> MovieLensReader.read(dir.resolve("nope"), 0.3));
  }

  @Test
  void theTabSeparatedGroupLensOriginalIsRejectedWithAHint(@TempDir Path dir) throws IOException {
    writeSmall(dir);
    Files.write(dir.resolve("u.data"), List.of("196\t242\t3\t881250949"), StandardCharsets.ISO_8859_1);
    BadInputException e = assertThrows(BadInputException.class, () -> MovieLensReader.read(dir, 0.3));
    assertTrue(e.getMessage().contains("u.data: line 1: header must be"), e.getMessage());
    assertTrue(e.getMessage().contains("tab-separated"), e.getMessage());
  }

  @Test
  void noUsableRatingIsAnError(@TempDir Path dir) throws IOException {
    writeSmall(dir);
    Files.write(dir.resolve("u.data"), List.of("user|item|rating|timestamp"), StandardCharsets.ISO_8859_1);
    BadInputException e = assertThrows(BadInputException.class, () -> MovieLensReader.read(dir, 0.3));
    assertTrue(e.getMessage().contains("no usable ratings"), e.getMessage());
  }

  @Test
  void rejectsAnInvalidLimit(@TempDir Path dir) {
    assertThrows(IllegalArgumentException.class, () -> MovieLensReader.read(dir, 1.5));
  }

  @Test
  void ageBands() {
    assertEquals("18-24", MovieLensReader.ageBand(7));
    assertEquals("18-24", MovieLensReader.ageBand(24));
    assertEquals("25-34", MovieLensReader.ageBand(25));
    assertEquals("25-34", MovieLensReader.ageBand(34));
    assertEquals("35-44", MovieLensReader.ageBand(35));
    assertEquals("45-54", MovieLensReader.ageBand(54));
    assertEquals("55+", MovieLensReader.ageBand(55));
    assertEquals("55+", MovieLensReader.ageBand(73));
  }
}
