package dev.bannerranker.trainer.sessions;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.CsvTable;
import dev.bannerranker.data.DataProblems;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code sessions.csv}: {@code session_id,item_id,timestamp[,category]}, the timestamp in ISO-8601 UTC or
 * epoch seconds. Bad rows are reported by file and line through {@link CsvTable}; a session's items are put in time
 * order (file order among equal times).
 */
public final class SessionLogReader {
  private SessionLogReader() {}

  public static final String FILE = "sessions.csv";
  public static final List<String> HEADER = List.of("session_id", "item_id", "timestamp");
  public static final List<String> HEADER_WITH_CATEGORY = List.of("session_id", "item_id", "timestamp", "category");

  private record Click(String session, String item, long time, long order, String category) {}

  public static SessionLog read(Path dir, double maxBadFraction) {
    DataProblems problems = new DataProblems(maxBadFraction);
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir + ": not a directory (expected a folder holding " + FILE + ")");
    }
    if (!Files.isRegularFile(dir.resolve(FILE))) {
      throw new BadInputException(dir.resolve(FILE) + ": file not found (a session log is one file, " + FILE
          + ", with the columns " + String.join(",", HEADER_WITH_CATEGORY) + ", category optional)");
    }
    List<String> header = headerOf(dir.resolve(FILE));
    boolean withCategory = header.equals(HEADER_WITH_CATEGORY);
    long[] order = {0};
    List<Click> clicks = new ArrayList<>();
    CsvTable.read(dir, FILE, withCategory ? HEADER_WITH_CATEGORY : HEADER, row -> {
      String session = row.text("session_id");
      String item = row.text("item_id");
      long time = timestamp(row);
      String category = withCategory ? row.optionalText("category") : "";
      return new Click(session, item, time, order[0]++, category);
    }, clicks::add, problems);
    if (clicks.isEmpty()) {
      throw new BadInputException(dir.resolve(FILE) + ": no usable rows");
    }
    Map<String, List<Click>> bySession = new HashMap<>();
    Map<String, String> categories = new TreeMap<>();
    for (Click c : clicks) {
      bySession.computeIfAbsent(c.session(), s -> new ArrayList<>()).add(c);
      if (!c.category().isEmpty()) {
        categories.putIfAbsent(c.item(), c.category());
      }
    }
    List<SessionLog.Session> sessions = new ArrayList<>(bySession.size());
    for (var e : bySession.entrySet()) {
      List<Click> cs = e.getValue();
      cs.sort(Comparator.comparingLong(Click::time).thenComparingLong(Click::order));
      List<String> items = new ArrayList<>(cs.size());
      cs.forEach(c -> items.add(c.item()));
      sessions.add(new SessionLog.Session(e.getKey(), cs.get(0).time(), List.copyOf(items)));
    }
    sessions.sort(Comparator.comparingLong(SessionLog.Session::start).thenComparing(SessionLog.Session::id));
    return new SessionLog(List.copyOf(sessions), categories, problems);
  }

  /** Epoch seconds when the cell is all digits, else an ISO-8601 instant; either within the project's time range. */
  static long timestamp(CsvTable.Row row) {
    String v = row.optionalText("timestamp").trim();
    if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
      long t;
      try {
        t = Long.parseLong(v);
      } catch (NumberFormatException e) {
        t = Long.MAX_VALUE;
      }
      if (t < CsvSchemas.MIN_TIME || t >= CsvSchemas.END_TIME) {
        throw new IllegalArgumentException("timestamp in epoch seconds must be from " + CsvSchemas.MIN_TIME_TEXT
            + " to before " + CsvSchemas.END_TIME_TEXT + ", got " + (v.length() > 30 ? v.substring(0, 30) + "..." : v));
      }
      return t;
    }
    return row.instant("timestamp");
  }

  /** The header line's column names, so that the optional category column can be recognised. */
  private static List<String> headerOf(Path file) {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = r.readLine();
      if (line == null) {
        return List.of();
      }
      if (line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      List<String> names = new ArrayList<>();
      for (String s : line.split(",", -1)) {
        names.add(s.trim());
      }
      return names;
    } catch (IOException e) {
      // CsvTable reports the missing file, encoding or read failure with its own message
      return List.of();
    }
  }
}
