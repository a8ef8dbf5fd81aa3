package dev.bannerranker.trainer.sessions;

import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes an event log's behaviour as a session log ({@code sessions.csv}): each user's product events in time order,
 * cut where the pause between two exceeds the gap (0 never cuts: MovieLens, where each user's ratings are one
 * session). The item is the event's brand (a movie for MovieLens), its category the event's category.
 */
public final class SessionExport {
  private SessionExport() {}

  /** @return the number of sessions written */
  public static int write(EventLog log, int gapMinutes, Path file) throws IOException {
    Map<String, List<BehaviourEvent>> byUser = new TreeMap<>();
    for (BehaviourEvent e : log.events()) {
      byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
    }
    long gap = gapMinutes == 0 ? Long.MAX_VALUE : gapMinutes * 60L;
    int sessions = 0;
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder()
            .setHeader(SessionLogReader.HEADER_WITH_CATEGORY.toArray(String[]::new)).setRecordSeparator('\n').get())) {
      for (var entry : byUser.entrySet()) {
        List<BehaviourEvent> events = entry.getValue();
        events.sort(Comparator.comparingLong(BehaviourEvent::timestamp)); // stable: equal times keep log order
        long last = Long.MIN_VALUE;
        int n = 0;
        for (BehaviourEvent e : events) {
          if (n == 0 || e.timestamp() - last > gap) {
            n++;
            sessions++;
          }
          p.printRecord(entry.getKey() + "-" + n, e.brand(), e.timestamp(), e.category());
          last = e.timestamp();
        }
      }
    }
    return sessions;
  }
}
