package dev.bannerranker.trainer.movielens;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Maps MovieLens 100K onto the project's tables (see docs/data-format.md, "MovieLens 100K").
 *
 * <p>Input: the copy in {@code shared/data/movielens-100k/}, which is <b>pipe-separated with a header
 * line</b> (the GroupLens original is tab-separated without one and is rejected with a message saying so):
 * <ul>
 *   <li>{@code u.data}: {@code user|item|rating|timestamp}, ratings 1-5, unix seconds;</li>
 *   <li>{@code u.item}: {@code item|title|releaseDate|videoReleaseDate|imdbURL} and the 19 genre flags
 *       {@link #GENRES} (0/1, several may be set);</li>
 *   <li>{@code u.user}: {@code user|age|gender|occupation|zip}.</li>
 * </ul>
 * Cells are never quoted in this format, so a line is split on every {@code |}. Files are decoded as
 * ISO-8859-1 so the Latin-1 titles of the original {@code u.item} cannot fail a read (titles are not used).
 *
 * <p>The mapping, all of it deliberate:
 * <ul>
 *   <li><b>Movie → banner</b> {@code m<item>}. Its brand is {@code m<item>} too, so "nearest brands" are
 *       nearest movies; its category is the first genre flag set in header order (or {@code unknown} when
 *       none is). Placement {@value #PLACEMENT}, creative format {@code image}, colour {@code light},
 *       discount 0, campaign {@value #CAMPAIGN}, price tier 1, bid 1.0, priority 0, no targeting. Every
 *       banner is in flight over the whole data: from the earliest rating to one day after the latest.</li>
 *   <li><b>User</b> {@code u<user>}: gender F/M from the file; age band from the age ({@code 18-24} for
 *       ages under 25, including the under-18s, then {@code 25-34}, {@code 35-44}, {@code 45-54},
 *       {@code 55+}). MovieLens has no city tier: every user gets tier {@value #CITY_TIER}, the middle
 *       tier, so the city-tier feature is constant on this data and carries no signal. Occupation and zip
 *       are not used.</li>
 *   <li><b>Rating</b> → both a behaviour event ({@code view} of the movie's brand and category, price
 *       tier 0 = unknown, dwell = rating × {@value #DWELL_SECONDS_PER_STAR} seconds) and an impression
 *       ({@code r<n>} where n is the rating's data-row number, i.e. its file line − 1, so the first rating
 *       is {@code r1}; slot 1, platform web, placement {@value #PLACEMENT}, clicked when rating ≥
 *       {@value #CLICK_MIN_RATING}). A user's time-ordered ratings are the sessions item2vec learns
 *       from.</li>
 * </ul>
 *
 * <p>Bad rows (wrong column count, unparsable or out-of-range cells, duplicate ids, a second rating of the same
 * movie by the same user, timestamps outside the years 1970 to 2099 ({@link CsvSchemas#END_TIME}), ratings of
 * users or movies that are not in {@code u.user} / {@code u.item}, including ones whose own row was bad) are
 * reported to {@link DataProblems} with file, line (1-based, the header is line 1) and reason, and
 * skipped. Blank lines are ignored. Each file fails as a whole with {@link BadInputException} when its
 * bad share exceeds {@code maxBadFraction}, the same rule as the project's own CSV files.
 */
public final class MovieLensReader {
  private MovieLensReader() {}

  public static final String RATINGS_FILE = "u.data";
  public static final String MOVIES_FILE = "u.item";
  public static final String USERS_FILE = "u.user";

  /** The 19 genre flags of {@code u.item}, in column order; also the genre names this class returns. */
  public static final List<String> GENRES = List.of(
      "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
      "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western");

  public static final List<String> RATINGS_HEADER = List.of("user", "item", "rating", "timestamp");
  public static final List<String> MOVIES_HEADER = Stream.concat(
      Stream.of("item", "title", "releaseDate", "videoReleaseDate", "imdbURL"), GENRES.stream())
      .collect(Collectors.toUnmodifiableList());
  public static final List<String> USERS_HEADER = List.of("user", "age", "gender", "occupation", "zip");

  /** MovieLens has no city tier; every user gets this one (the middle tier). */
  public static final int CITY_TIER = 2;
  /** A rating at or above this is a click. */
  public static final int CLICK_MIN_RATING = 4;
  public static final int DWELL_SECONDS_PER_STAR = 10;
  public static final String PLACEMENT = "home";
  public static final String CAMPAIGN = "ml";
  /** Category of a movie with no genre flag set. */
  public static final String NO_GENRE = "unknown";

  private static final long DAY_SECONDS = 86_400L;
  private static final int FIRST_GENRE_COLUMN = 5;

  /** Banner and brand id of a MovieLens item. */
  public static String movieId(int item) {
    return "m" + item;
  }

  /** User id of a MovieLens user. */
  public static String userId(int user) {
    return "u" + user;
  }

  /** The project's age band for a MovieLens age: under 25 (including under 18) is {@code 18-24}. */
  public static String ageBand(int age) {
    if (age < 25) {
      return "18-24";
    }
    if (age < 35) {
      return "25-34";
    }
    if (age < 45) {
      return "35-44";
    }
    if (age < 55) {
      return "45-54";
    }
    return "55+";
  }

  private record Movie(int item, List<String> genres) {
    String category() {
      return genres.isEmpty() ? NO_GENRE : genres.get(0);
    }
  }

  private record Rating(long row, int user, int item, int rating, long timestamp) {}

  /**
   * Reads {@code u.item}, {@code u.user} and {@code u.data} from {@code dir}.
   *
   * @param maxBadFraction largest tolerated share of bad rows in one file, in [0, 1]
   * @throws BadInputException for a missing file, a wrong header, too many bad rows, or no usable rating
   */
  public static EventLog read(Path dir, double maxBadFraction) {
    DataProblems problems = new DataProblems(maxBadFraction); // validates the fraction
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir + ": not a directory (expected the MovieLens 100K folder with "
          + MOVIES_FILE + ", " + USERS_FILE + " and " + RATINGS_FILE + ")");
    }
    Map<Integer, Movie> movies = readMovies(dir, problems);
    Map<Integer, UserProfile> users = readUsers(dir, problems);

    List<Rating> ratings = new ArrayList<>();
    Map<Long, Long> lineOfRating = new HashMap<>(); // (user, item) -> its first line
    readTable(dir, RATINGS_FILE, RATINGS_HEADER, (cells, line) -> {
      int user = integer(cells, 0, "user", 1, Integer.MAX_VALUE);
      int item = integer(cells, 1, "item", 1, Integer.MAX_VALUE);
      int rating = integer(cells, 2, "rating", 1, 5);
      long time = longInteger(cells, 3, "timestamp", CsvSchemas.MIN_TIME, CsvSchemas.END_TIME - 1);
      if (!users.containsKey(user)) {
        throw new IllegalArgumentException("user " + user + " is not in " + USERS_FILE);
      }
      if (!movies.containsKey(item)) {
        throw new IllegalArgumentException("item " + item + " is not in " + MOVIES_FILE);
      }
      // MovieLens keeps one rating per user and movie; a second one is an export or merge error
      Long first = lineOfRating.putIfAbsent(((long) user << 32) | item, line);
      if (first != null) {
        throw new IllegalArgumentException("user " + user + " rated item " + item + " twice (first on line " + first
            + ")");
      }
      ratings.add(new Rating(line - 1, user, item, rating, time));
    }, problems);
    if (ratings.isEmpty()) {
      throw new BadInputException(dir.resolve(RATINGS_FILE) + ": no usable ratings");
    }

    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (Rating r : ratings) {
      first = Math.min(first, r.timestamp());
      last = Math.max(last, r.timestamp());
    }
    List<Banner> banners = new ArrayList<>(movies.size());
    for (Movie m : movies.values()) {
      String id = movieId(m.item());
      banners.add(new Banner(id, id, m.category(), PLACEMENT, "image", "light", 0, CAMPAIGN, 1,
          first, last + DAY_SECONDS, 1.0, 0, Set.of(), Set.of(), Set.of()));
    }

    List<BehaviourEvent> events = new ArrayList<>(ratings.size());
    List<Impression> impressions = new ArrayList<>(ratings.size());
    for (Rating r : ratings) {
      String uid = userId(r.user());
      String mid = movieId(r.item());
      events.add(new BehaviourEvent(uid, r.timestamp(), EventType.VIEW, mid, movies.get(r.item()).category(), 0,
          (float) (r.rating() * DWELL_SECONDS_PER_STAR)));
      impressions.add(new Impression("r" + r.row(), uid, r.timestamp(), mid, PLACEMENT, 1, Platform.WEB,
          r.rating() >= CLICK_MIN_RATING));
    }
    // List.sort is stable: equal times keep file order.
    events.sort(Comparator.comparingLong(BehaviourEvent::timestamp));
    impressions.sort(Comparator.comparingLong(Impression::timestamp));
    return new EventLog(List.copyOf(banners), List.copyOf(users.values()), events, impressions, Map.of(), problems);
  }

  /**
   * Every genre of every movie in {@code dir/u.item}: banner (and brand) id {@code m<item>} → its genre
   * names from {@link #GENRES}, in column order; the set is empty when no flag is set. Bad rows are
   * skipped here whatever their share, so the keys are exactly the banners {@link #read} produces when it
   * succeeds. Iteration follows file order.
   *
   * @throws BadInputException when the file is missing or its header is wrong
   */
  public static Map<String, Set<String>> genres(Path dir) {
    Map<Integer, Movie> movies = readMovies(dir, new DataProblems(1.0));
    Map<String, Set<String>> out = new LinkedHashMap<>();
    movies.values().forEach(m -> out.put(movieId(m.item()),
        Collections.unmodifiableSet(new LinkedHashSet<>(m.genres()))));
    return Collections.unmodifiableMap(out);
  }

  private static Map<Integer, Movie> readMovies(Path dir, DataProblems problems) {
    Map<Integer, Movie> movies = new LinkedHashMap<>();
    readTable(dir, MOVIES_FILE, MOVIES_HEADER, (cells, line) -> {
      int item = integer(cells, 0, "item", 1, Integer.MAX_VALUE);
      List<String> genres = new ArrayList<>();
      for (int g = 0; g < GENRES.size(); g++) {
        String v = cells[FIRST_GENRE_COLUMN + g];
        if (v.equals("1")) {
          genres.add(GENRES.get(g));
        } else if (!v.equals("0")) {
          throw new IllegalArgumentException(GENRES.get(g) + " must be 0 or 1, got '" + v + "'");
        }
      }
      if (movies.containsKey(item)) {
        throw new IllegalArgumentException("item " + item + " appears twice");
      }
      movies.put(item, new Movie(item, List.copyOf(genres)));
    }, problems);
    return movies;
  }

  private static Map<Integer, UserProfile> readUsers(Path dir, DataProblems problems) {
    Map<Integer, UserProfile> users = new LinkedHashMap<>();
    readTable(dir, USERS_FILE, USERS_HEADER, (cells, line) -> {
      int user = integer(cells, 0, "user", 1, Integer.MAX_VALUE);
      int age = integer(cells, 1, "age", 1, 150);
      Gender gender;
      switch (cells[2]) {
        case "F": gender = Gender.F; break;
        case "M": gender = Gender.M; break;
        default: throw new IllegalArgumentException("gender must be F or M, got '" + cells[2] + "'");
      }
      if (users.containsKey(user)) {
        throw new IllegalArgumentException("user " + user + " appears twice");
      }
      users.put(user, new UserProfile(userId(user), gender, ageBand(age), CITY_TIER));
    }, problems);
    return users;
  }

  /** Handles one data row; throws {@link IllegalArgumentException} with the reason for a bad row. */
  @FunctionalInterface
  private interface RowHandler {
    void accept(String[] cells, long line);
  }

  /**
   * Reads one pipe-separated table: checks the header exactly, hands each row with the right number of
   * cells to {@code handler}, reports bad rows and enforces the bad-row limit for this file.
   */
  private static void readTable(Path dir, String fileName, List<String> header, RowHandler handler,
      DataProblems problems) {
    Path file = dir.resolve(fileName);
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      String first = in.readLine();
      List<String> actual = first == null ? List.of() : List.of(first.split("\\|", -1));
      if (!actual.equals(header)) {
        throw new BadInputException(file + ": line 1: header must be\n  " + String.join("|", header)
            + "\nbut is\n  " + (first == null ? "(empty file)" : first)
            + "\n(this reader expects the pipe-separated MovieLens 100K copy with a header line described in"
            + " shared/data/README.md; the GroupLens original is tab-separated without a header)");
      }
      long line = 1;
      String text;
      while ((text = in.readLine()) != null) {
        line++;
        if (text.isEmpty()) {
          continue;
        }
        problems.countRow(fileName);
        String[] cells = text.split("\\|", -1);
        try {
          if (cells.length != header.size()) {
            throw new IllegalArgumentException("expected " + header.size() + " columns, found " + cells.length);
          }
          handler.accept(cells, line);
        } catch (IllegalArgumentException e) {
          problems.report(fileName, line, e.getMessage());
        }
      }
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": file not found (MovieLens 100K needs " + MOVIES_FILE + ", " + USERS_FILE
          + " and " + RATINGS_FILE + ", pipe-separated with a header line)");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    }
    problems.checkLimit(fileName);
  }

  private static int integer(String[] cells, int col, String name, int min, int max) {
    return (int) longInteger(cells, col, name, min, max);
  }

  private static long longInteger(String[] cells, int col, String name, long min, long max) {
    String v = cells[col];
    long x;
    try {
      x = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not an integer: '" + v + "'");
    }
    if (x < min || x > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + x);
    }
    return x;
  }
}
