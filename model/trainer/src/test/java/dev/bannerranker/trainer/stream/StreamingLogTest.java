package dev.bannerranker.trainer.stream;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.RowProblem;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import dev.bannerranker.trainer.item2vec.SessionBuilder;
import dev.bannerranker.trainer.item2vec.SessionFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.models.sequencevectors.interfaces.SequenceIterator;
import org.deeplearning4j.models.sequencevectors.sequence.Sequence;
import org.deeplearning4j.models.word2vec.VocabWord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming reader against the in-memory one on a tiny world: the same good rows in the same places, the same
 * bad rows by file and line (a repeated id found across sort runs), the same sessions read back through DL4J's
 * iterator. Sort runs of 500 records make the tiny world's tables span many runs.
 */
class StreamingLogTest {
  private static final int RUN = 500;
  @TempDir
  static Path tmp;
  static Path world;

  @BeforeAll
  static void generate() throws IOException {
    world = tmp.resolve("tiny");
    new WorldGenerator(Scale.TINY, 5).generate(world, null);
  }

  @Test
  void eachUsersRowsAreTheInMemoryLogsInItsOrderAndPlaces() throws IOException {
    EventLog log = EventLogReader.read(world, 0.01);
    try (StreamingLog s = StreamingLog.read(world, 0.01, tmp.resolve("work1"), RUN)) {
      assertSameUsersAndPlaces(log, s);
      assertEquals(log.events().size(), s.events());
      TimeSplit split = TimeSplit.lastDays(log.impressions(), 1, 1);
      assertEquals(split, s.lastDays(1, 1));
    }
  }

  @Test
  void sessionsWrittenToAFileAndReadByTheSequenceIteratorAreTheInMemorySessions() throws IOException {
    EventLog log = EventLogReader.read(world, 0.01);
    long until = TimeSplit.lastDays(log.impressions(), 1, 1).testStart();
    List<List<String>> want = SessionBuilder.sessions(log, until, 30);
    Set<String> banners = new HashSet<>();
    log.banners().forEach(b -> banners.add(b.id()));
    SessionFile file;
    try (StreamingLog s = StreamingLog.read(world, 0.01, tmp.resolve("work2"), RUN);
        SessionFile.Writer w = new SessionFile.Writer(tmp.resolve("sessions.bin"))) {
      s.forEachUser(u -> SessionBuilder.ofUser(u.events(), u.impressions(), banners, until, 30, w::write));
      file = w.finish();
    }
    assertTrue(want.size() > 100, "sessions " + want.size());
    assertEquals(want, file.readAll());
    assertEquals(want.size(), file.sessions());
    SequenceIterator<VocabWord> it = file.iterator();
    for (int pass = 0; pass < 2; pass++) { // DL4J reads once for the vocabulary, then once per epoch
      List<List<String>> read = new ArrayList<>();
      while (it.hasMoreSequences()) {
        Sequence<VocabWord> seq = it.nextSequence();
        read.add(seq.getElements().stream().map(VocabWord::getLabel).toList());
      }
      assertEquals(want, read);
      it.reset();
    }
  }

  @Test
  void badRowsAreTheInMemoryReadersByFileAndLineWhereverTheyLie(@TempDir Path dir) throws IOException {
    Path bad = copyWorld(dir.resolve("bad"));
    List<String> imps = repeatFirstIdOnLastRow(bad);
    int n = imps.size();
    String[] middle = imps.get(n / 2).split(",", -1);
    middle[1] = "u-nobody";
    imps.set(n / 2, String.join(",", middle));
    Files.write(bad.resolve(CsvSchemas.IMPRESSIONS_FILE), imps, StandardCharsets.UTF_8);
    List<String> truth = Files.readAllLines(bad.resolve(CsvSchemas.TRUTH_FILE), StandardCharsets.UTF_8);
    truth.add(truth.get(3)); // a repeated truth row
    truth.add("im-none,0.5"); // a truth row of no impression
    Files.write(bad.resolve(CsvSchemas.TRUTH_FILE), truth, StandardCharsets.UTF_8);
    List<String> events = Files.readAllLines(bad.resolve(CsvSchemas.EVENTS_FILE), StandardCharsets.UTF_8);
    String[] ev = events.get(7).split(",", -1);
    ev[2] = "glance";
    events.set(7, String.join(",", ev));
    Files.write(bad.resolve(CsvSchemas.EVENTS_FILE), events, StandardCharsets.UTF_8);

    EventLog log = EventLogReader.read(bad, 0.5);
    List<RowProblem> want = log.problems().problems();
    // the event, the unknown user, the repeated id, and the truth rows: the repeated one and the unknown
    // impression's (the impression with the unknown user is not a good row either, so its truth row is bad too)
    assertTrue(want.size() >= 5, want.toString());
    try (StreamingLog s = StreamingLog.read(bad, 0.5, dir.resolve("work"), RUN)) {
      assertEquals(want, s.problems().problems());
      assertEquals(log.problems().countsByFile().keySet(), s.problems().countsByFile().keySet());
      assertSameUsersAndPlaces(log, s);
    }
    assertTrue(want.stream().anyMatch(p -> p.file().equals(CsvSchemas.IMPRESSIONS_FILE) && p.line() == n),
        "the repeated id's later row, line " + n + ": " + want);

    // At a limit below one bad row in the events file the run fails, as the in-memory read does.
    double limit = 0.5 / events.size();
    assertThrows(DataProblems.TooManyBadRows.class, () -> EventLogReader.read(bad, limit));
    DataProblems.TooManyBadRows e = assertThrows(DataProblems.TooManyBadRows.class,
        () -> StreamingLog.read(bad, limit, dir.resolve("work2"), RUN));
    assertEquals(CsvSchemas.EVENTS_FILE, e.problems().get(0).file());
  }

  @Test
  void aRepeatedIdAloneBreaksTheLimitOnceTheSortHasFoundIt(@TempDir Path dir) throws IOException {
    Path bad = copyWorld(dir.resolve("dup"));
    int n = repeatFirstIdOnLastRow(bad).size();
    Files.delete(bad.resolve(CsvSchemas.TRUTH_FILE));
    Files.delete(bad.resolve(CsvSchemas.CONVERSION_TRUTH_FILE));
    assertThrows(DataProblems.TooManyBadRows.class, () -> EventLogReader.read(bad, 0));
    DataProblems.TooManyBadRows e = assertThrows(DataProblems.TooManyBadRows.class,
        () -> StreamingLog.read(bad, 0, dir.resolve("work"), RUN));
    assertEquals(1, e.problems().size(), e.problems().toString());
    assertEquals(CsvSchemas.IMPRESSIONS_FILE, e.problems().get(0).file());
    assertEquals(n, e.problems().get(0).line());
    try (var left = Files.list(dir.resolve("work"))) {
      assertEquals(List.of(), left.toList(), "sort runs left behind");
    }
  }

  @Test
  void aMissingTableFailsNamingIt(@TempDir Path dir) throws IOException {
    Path broken = copyWorld(dir.resolve("broken"));
    Files.delete(broken.resolve(CsvSchemas.EVENTS_FILE));
    BadInputException e = assertThrows(BadInputException.class,
        () -> StreamingLog.read(broken, 0.01, dir.resolve("work"), RUN));
    assertTrue(e.getMessage().contains(CsvSchemas.EVENTS_FILE), e.getMessage());
  }

  /** Every good impression comes once, with its user, at the in-memory log's index, with its true click rate. */
  private static void assertSameUsersAndPlaces(EventLog log, StreamingLog s) throws IOException {
    assertEquals(log.impressions().size(), s.impressions());
    boolean[] seen = new boolean[log.impressions().size()];
    List<String> users = new ArrayList<>();
    int[] events = new int[1];
    s.forEachUser(u -> {
      users.add(u.userId());
      events[0] += u.events().size();
      for (int i = 0; i < u.impressions().size(); i++) {
        int p = (int) u.positions()[i];
        assertFalse(seen[p], "position " + p + " twice");
        seen[p] = true;
        Impression want = log.impressions().get(p);
        assertEquals(want, u.impressions().get(i));
        Double ctr = log.trueCtr().get(want.impressionId());
        assertEquals(ctr == null ? Float.NaN : ctr.floatValue(), u.trueCtr()[i]);
        if (i > 0) {
          assertTrue(u.positions()[i - 1] < p, "a user's impressions in log order");
        }
      }
      for (int i = 0; i < u.events().size(); i++) {
        assertEquals(u.userId(), u.events().get(i).userId());
      }
    });
    List<String> sorted = new ArrayList<>(users);
    sorted.sort(null);
    assertEquals(sorted, users);
    assertEquals(new HashSet<>(users).size(), users.size());
    assertEquals(log.events().size(), events[0]);
    for (boolean b : seen) {
      assertTrue(b);
    }
  }

  /**
   * Gives the last impression row the first one's id: thousands of rows apart, in different sort runs. Returns the
   * file's lines.
   */
  private static List<String> repeatFirstIdOnLastRow(Path dir) throws IOException {
    Path file = dir.resolve(CsvSchemas.IMPRESSIONS_FILE);
    List<String> imps = Files.readAllLines(file, StandardCharsets.UTF_8);
    int n = imps.size();
    String last = imps.get(n - 1);
    imps.set(n - 1, imps.get(1).split(",", 2)[0] + last.substring(last.indexOf(',')));
    Files.write(file, imps, StandardCharsets.UTF_8);
    return imps;
  }

  private static Path copyWorld(Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(world)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }
}
