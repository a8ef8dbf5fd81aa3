package dev.bannerranker.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogReaderTest {
  @TempDir Path dir;

  private void write(String banners, String users, String events, String impressions) throws IOException {
    Files.writeString(dir.resolve(CsvSchemas.BANNERS_FILE), String.join(",", CsvSchemas.BANNERS_HEADER) + "\n" + banners);
    Files.writeString(dir.resolve(CsvSchemas.USERS_FILE), String.join(",", CsvSchemas.USERS_HEADER) + "\n" + users);
    Files.writeString(dir.resolve(CsvSchemas.EVENTS_FILE), String.join(",", CsvSchemas.EVENTS_HEADER) + "\n" + events);
    Files.writeString(dir.resolve(CsvSchemas.IMPRESSIONS_FILE),
        String.join(",", CsvSchemas.IMPRESSIONS_HEADER) + "\n" + impressions);
  }

  private static final String BANNER =
      "bn-1,Velora,dresses,home_hero,image,light,10,cmp-1,2,2026-03-02T00:00:00Z,2026-03-20T00:00:00Z,1.5,3,F|U,,1|2\n";
  private static final String USERS = "u-1,F,25-34,1\nu-2,M,55+,3\n";

  @Test
  void readsWellFormedTables() throws IOException {
    write(BANNER, USERS, "u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2,12.5\nu-2,2026-03-03T09:00:00Z,purchase,Velora,dresses,,0\n",
        "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n");
    EventLog log = EventLogReader.read(dir, 0.0);
    Banner b = log.banners().get(0);
    assertEquals(java.util.Set.of(Gender.F, Gender.U), b.targetGenders());
    assertEquals(java.util.Set.of(1, 2), b.targetCityTiers());
    assertTrue(b.targetAgeBands().isEmpty());
    assertEquals(2, log.events().size());
    assertEquals("u-2", log.events().get(0).userId(), "events are sorted by time");
    assertEquals(0, log.events().get(0).priceTier(), "an empty price tier means unknown");
    assertTrue(log.impressions().get(0).clicked());
    assertEquals(0, log.problems().badRows());
  }

  @Test
  void everyBadRowIsReportedWithFileLineAndReason() throws IOException {
    StringBuilder events = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      events.append("u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2,1\n");
    }
    events.append("u-1,yesterday,view,Velora,dresses,2,1\n"); // line 202
    events.append("u-9,2026-03-03T10:00:00Z,view,Velora,dresses,2,1\n"); // line 203: unknown user
    events.append("u-1,2026-03-03T10:00:00Z,browse,Velora,dresses,2,1\n"); // line 204
    write(BANNER, USERS, events.toString(), "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,2\n");
    EventLog log = EventLogReader.read(dir, 1.0);
    var p = log.problems().problems();
    assertEquals(4, p.size());
    assertEquals(new RowProblem("events.csv", 202, "timestamp is not an ISO-8601 UTC time like 2026-03-02T08:15:30Z: 'yesterday'"), p.get(0));
    assertTrue(p.get(1).reason().contains("user_id 'u-9' is not in users.csv"), p.get(1).toString());
    assertEquals(204, p.get(2).line());
    assertTrue(p.get(2).reason().contains("event_type"), p.get(2).toString());
    assertEquals("impressions.csv", p.get(3).file());
    assertTrue(p.get(3).reason().contains("clicked must be 0 or 1"), p.get(3).toString());
    assertEquals(200, log.events().size(), "good rows are kept");
  }

  @Test
  void tooManyBadRowsFailsNamingTheFileAndShare() throws IOException {
    write(BANNER, USERS, "u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2,1\nu-1,2026-03-03T10:00:00Z,view,Velora,dresses,9,1\n",
        "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,0\n");
    BadInputException e = assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 0.01));
    assertTrue(e.getMessage().startsWith("events.csv: 1 of 2 rows are malformed (50.00%)"), e.getMessage());
    assertTrue(e.getMessage().contains("events.csv:3: price_tier must be in [1, 4], got 9"), e.getMessage());
  }

  /** The two big files are parsed side by side; a failure still names the file a sequential read would stop at. */
  @Test
  void whenBothBigFilesFailTheEventsFileIsReportedAsInASequentialRead() throws IOException {
    String badEvent = "u-1,2026-03-03T10:00:00Z,view,Velora,dresses,9,1\n";
    String badImpression = "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,7\n";
    write(BANNER, USERS, badEvent, badImpression);
    BadInputException both = assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 0.01));
    assertTrue(both.getMessage().startsWith("events.csv:"), both.getMessage());
    write(BANNER, USERS, "u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2,1\n", badImpression);
    BadInputException impressions = assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 0.01));
    assertTrue(impressions.getMessage().startsWith("impressions.csv:"), impressions.getMessage());
  }

  @Test
  void wrongHeaderAndMissingFileAreClear() throws IOException {
    write(BANNER, USERS, "", "");
    Files.writeString(dir.resolve(CsvSchemas.USERS_FILE), "id,gender\n");
    BadInputException e = assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 0.01));
    assertTrue(e.getMessage().contains("users.csv: line 1: header must be"), e.getMessage());
    Files.delete(dir.resolve(CsvSchemas.USERS_FILE));
    e = assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 0.01));
    assertTrue(e.getMessage().contains("users.csv: file not found"), e.getMessage());
  }

  @Test
  void impressionOfUnknownBannerAndDuplicateIdsAreBadRows() throws IOException {
    write(BANNER + BANNER, USERS, "", "im-1,u-1,2026-03-03T11:00:00Z,bn-7,home_hero,1,ios,0\n");
    EventLog log = EventLogReader.read(dir, 1.0);
    assertEquals(1, log.banners().size());
    assertTrue(log.problems().problems().get(0).reason().contains("banner_id 'bn-1' appears twice"));
    assertTrue(log.problems().problems().get(1).reason().contains("banner_id 'bn-7' is not in banners.csv"));
  }
  @Test
  void repeatedImpressionIdsAndTruthRowsOfUnknownImpressionsAreBadRows() throws IOException {
    write(BANNER, USERS, "", "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,0\n"
        + "im-1,u-2,2026-03-03T12:00:00Z,bn-1,home_hero,2,ios,0\n"
        + "im-2,u-2,2026-03-03T13:00:00Z,bn-1,home_hero,2,ios,1\n");
    Files.writeString(dir.resolve(CsvSchemas.TRUTH_FILE), String.join(",", CsvSchemas.TRUTH_HEADER) + "\n"
        + "im-1,0.02\nim-2,0.05\nim-2,0.06\nim-9,0.01\n");
    EventLog log = EventLogReader.read(dir, 1.0);
    var p = log.problems().problems();
    assertEquals(3, p.size(), p.toString());
    assertEquals(new RowProblem("impressions.csv", 3, "impression_id 'im-1' appears twice"), p.get(0));
    assertEquals(new RowProblem("impressions_truth.csv", 4, "impression_id 'im-2' appears twice"), p.get(1));
    assertEquals(new RowProblem("impressions_truth.csv", 5,
        "impression_id 'im-9' is not among the good rows of impressions.csv"), p.get(2));
    assertEquals(2, log.impressions().size(), "the first im-1 is kept");
    assertEquals(java.util.Map.of("im-1", 0.02, "im-2", 0.05), log.trueCtr(), "the first truth row of an id is kept");
  }

  /** Over the limit, the exception still carries every bad row, so the caller can write them all out. */
  @Test
  void tooManyBadRowsCarriesEveryProblemAndListsTheFirstTwenty() throws IOException {
    StringBuilder events = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      events.append("u-1,2026-03-03T10:00:00Z,view,Velora,dresses,9,1\n");
    }
    write(BANNER, USERS, events.toString(), "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,0\n");
    var e = assertThrows(DataProblems.TooManyBadRows.class, () -> EventLogReader.read(dir, 0.01));
    assertEquals(30, e.problems().size());
    assertEquals(31, e.problems().get(29).line());
    assertTrue(e.getMessage().contains("events.csv:21:"), e.getMessage());
    assertFalse(e.getMessage().contains("events.csv:22:"), e.getMessage());
  }

  @Test
  void badRowsAreNamedByTheirPhysicalLineAfterBlankLinesAndQuotedLineBreaks() throws IOException {
    String good = "u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2,1\n";
    String events = good // line 2
        + "\n\n" // lines 3-4: blank, skipped
        + "u-1,2026-03-03T10:00:00Z,view,\"Velora\",dresses,2,oops\n" // line 5
        + "u-1,2026-03-03T10:00:00Z,view,\"Vel\r\nora\",dresses,2,1\n" // lines 6-7: a cell with a line break
        + "u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2,-1\n"; // line 8
    write(BANNER, USERS, events, "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n");
    var p = EventLogReader.read(dir, 1.0).problems().problems();
    assertEquals(2, p.size(), p.toString());
    assertEquals(5, p.get(0).line(), p.get(0).toString());
    assertEquals(8, p.get(1).line(), p.get(1).toString());
  }

  @Test
  void invalidUtf8NamesTheLineInsteadOfACoderError() throws IOException {
    write(BANNER, USERS, "", "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n");
    StringBuilder events = new StringBuilder(String.join(",", CsvSchemas.EVENTS_HEADER)).append('\n');
    for (int i = 0; i < 5000; i++) { // past the reader's first block, so its failure alone could not say where
      events.append("u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2,1\n");
    }
    byte[] head = events.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] latin1 = "u-1,2026-03-03T10:00:00Z,view,Caf\u00e9,dresses,2,1\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] all = java.util.Arrays.copyOf(head, head.length + latin1.length);
    System.arraycopy(latin1, 0, all, head.length, latin1.length);
    Files.write(dir.resolve(CsvSchemas.EVENTS_FILE), all);
    BadInputException e = assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 1.0));
    assertTrue(e.getMessage().contains("events.csv: line 5002: not valid UTF-8"), e.getMessage());
  }

  @Test
  void aUtf8ByteOrderMarkIsNotPartOfTheHeader() throws IOException {
    write(BANNER, USERS, "", "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n");
    Path users = dir.resolve(CsvSchemas.USERS_FILE);
    Files.writeString(users, "\uFEFF" + String.join(",", CsvSchemas.USERS_HEADER) + "\n" + USERS);
    EventLog log = EventLogReader.read(dir, 0.0);
    assertEquals(2, log.users().size());
    assertEquals(0, log.problems().badRows());
  }

  @Test
  void aHugeBadCellIsCutInTheReport() throws IOException {
    write(BANNER, USERS, "u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2," + "9".repeat(5000) + "x\n",
        "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n");
    var p = EventLogReader.read(dir, 1.0).problems().problems();
    assertEquals(1, p.size());
    assertTrue(p.get(0).reason().length() < 400, p.get(0).reason().length() + " characters");
    assertTrue(p.get(0).reason().matches("(?s).*\\.\\.\\. \\(\\d+ characters\\)"), p.get(0).reason());
  }

  @Test
  void decimalsAreDecimalsNotJavaLiterals() throws IOException {
    String row = "u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2,";
    write(BANNER, USERS, row + "10d\n" + row + "0x1p3\n" + row + "1e1\n" + row + ".5\n" + row + "12.\n",
        "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n");
    EventLog log = EventLogReader.read(dir, 1.0);
    var p = log.problems().problems();
    assertEquals(2, p.size(), p.toString());
    assertEquals("dwell_seconds is not a number: '10d'", p.get(0).reason());
    assertEquals(3, p.get(1).line());
    assertEquals(3, log.events().size(), "1e1, .5 and 12. are numbers");
  }

  @Test
  void timesOutsideTheYears1970To2099AreBadRows() throws IOException {
    String row = ",view,Velora,dresses,2,1\n";
    write(BANNER, USERS, "u-1,2026-03-03T10:00:00Z" + row + "u-1,2206-03-03T10:00:00Z" + row
            + "u-1,1969-12-31T23:59:59Z" + row + "u-1,2099-12-31T23:59:59Z" + row,
        "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\nim-2,u-1,2100-01-01T00:00:00Z,bn-1,home_hero,1,ios,1\n");
    EventLog log = EventLogReader.read(dir, 1.0);
    var p = log.problems().problems();
    assertEquals(3, p.size(), p.toString());
    assertEquals(java.util.List.of("events.csv:3", "events.csv:4", "impressions.csv:3"),
        p.stream().map(x -> x.file() + ":" + x.line()).toList());
    assertTrue(p.get(0).reason().startsWith("timestamp"), p.get(0).reason());
    assertEquals(2, log.events().size(), "2099-12-31 is still in range");
    assertEquals(1, log.impressions().size());
  }

  @Test
  void anImpressionInAnotherPlacementThanItsBannersIsABadRow() throws IOException {
    write(BANNER, USERS, "", "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n"
        + "im-2,u-1,2026-03-03T12:00:00Z,bn-1,home_sidebar,1,ios,0\n");
    EventLog log = EventLogReader.read(dir, 1.0);
    var p = log.problems().problems();
    assertEquals(1, p.size(), p.toString());
    assertEquals("impressions.csv", p.get(0).file());
    assertEquals(3, p.get(0).line());
    assertTrue(p.get(0).reason().startsWith("placement"), p.get(0).reason());
    assertEquals(1, log.impressions().size());
  }

  @Test
  void anUnbalancedQuoteNamesFileAndLineNotTheParsersException() throws IOException {
    String good = "u-1,2026-03-03T10:00:00Z,view,Velora,dresses,2,1\n";
    String impression = "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n";
    // line 4 opens a quote that is never closed
    write(BANNER, USERS, good + "\n" + "u-1,2026-03-03T10:00:00Z,view,\"Velora,dresses,2,1\n" + good + good, impression);
    BadInputException open = assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 1.0));
    assertTrue(open.getMessage().contains(CsvSchemas.EVENTS_FILE + ": line 4:"), open.getMessage());
    assertFalse(open.getMessage().contains("Exception"), open.getMessage());
    // line 3: text after the closing quote
    write(BANNER, USERS, good + "u-1,2026-03-03T10:00:00Z,view,\"Vel\"ora,dresses,2,1\n" + good, impression);
    BadInputException after = assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 1.0));
    assertTrue(after.getMessage().contains(CsvSchemas.EVENTS_FILE + ": line 3:"), after.getMessage());
    assertFalse(after.getMessage().contains("Exception"), after.getMessage());
  }

  @Test
  void aSmallShareOfBadRowsDoesNotPrintAsZero() {
    assertEquals("1.50%", DataProblems.percent(0.015));
    assertEquals("0.00%", DataProblems.percent(0));
    assertEquals("0.0021%", DataProblems.percent(1.0 / 47449));
  }

  @Test
  void impressionsMayCarryRequestIdAndPropensityColumns() throws IOException {
    write(BANNER, USERS, "", "");
    Files.writeString(dir.resolve(CsvSchemas.IMPRESSIONS_FILE), String.join(",", CsvSchemas.IMPRESSIONS_HEADER)
        + ",request_id,propensity\n"
        + "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1,rq-7,0.25\n"
        + "im-2,u-1,2026-03-03T12:00:00Z,bn-1,home_hero,1,ios,0,,\n"
        + "im-3,u-1,2026-03-03T13:00:00Z,bn-1,home_hero,1,ios,0,rq-8,1.5\n"); // line 4: propensity above 1
    EventLog log = EventLogReader.read(dir, 1.0);
    assertEquals("rq-7", log.impressions().get(0).requestId());
    assertEquals(0.25, log.impressions().get(0).propensity());
    assertEquals("", log.impressions().get(1).requestId());
    assertTrue(Double.isNaN(log.impressions().get(1).propensity()));
    assertEquals(1, log.problems().badRows());
    assertEquals(4, log.problems().problems().get(0).line());
    assertTrue(log.problems().problems().get(0).reason().contains("propensity"));
  }

  @Test
  void impressionsWithoutTheOptionalColumnsStillLoadAndOtherExtraColumnsAreRefused() throws IOException {
    write(BANNER, USERS, "", "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n");
    Impression old = EventLogReader.read(dir, 0.0).impressions().get(0);
    assertEquals("", old.requestId());
    assertTrue(Double.isNaN(old.propensity()));
    Files.writeString(dir.resolve(CsvSchemas.IMPRESSIONS_FILE), String.join(",", CsvSchemas.IMPRESSIONS_HEADER)
        + ",propensity\nim-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1,0.5\n");
    assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 0.0), "propensity without request_id");
  }

  @Test
  void theConvertedColumnIsOptionalAndItsBadValuesAreBadRowsWithTheirLine() throws IOException {
    write(BANNER, USERS, "", "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1\n");
    EventLog old = EventLogReader.read(dir, 0.0);
    assertFalse(old.conversions());
    assertFalse(old.impressions().get(0).converted());

    Files.writeString(dir.resolve(CsvSchemas.IMPRESSIONS_FILE), String.join(",", CsvSchemas.IMPRESSIONS_HEADER)
        + ",converted\n"
        + "im-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1,1\n"
        + "im-2,u-1,2026-03-03T12:00:00Z,bn-1,home_hero,1,ios,1,0\n"
        + "im-3,u-1,2026-03-03T13:00:00Z,bn-1,home_hero,1,ios,1,yes\n" // line 4: not 0/1
        + "im-4,u-1,2026-03-03T14:00:00Z,bn-1,home_hero,1,ios,0,1\n"); // line 5: a conversion without a click
    Files.writeString(dir.resolve(CsvSchemas.CONVERSION_TRUTH_FILE), "impression_id,true_cvr\nim-1,0.25\nim-2,0.125\n"
        + "im-9,0.5\n"); // line 4: no such good impression
    EventLog log = EventLogReader.read(dir, 1.0);
    assertTrue(log.conversions());
    assertEquals(2, log.impressions().size());
    assertTrue(log.impressions().get(0).converted());
    assertFalse(log.impressions().get(1).converted());
    assertEquals(java.util.Map.of("im-1", 0.25, "im-2", 0.125), log.trueCvr());
    var p = log.problems().problems();
    assertEquals(3, p.size());
    assertEquals(CsvSchemas.IMPRESSIONS_FILE, p.get(0).file());
    assertEquals(4, p.get(0).line());
    assertTrue(p.get(0).reason().contains(CsvSchemas.CONVERTED), p.get(0).toString());
    assertEquals(5, p.get(1).line());
    assertTrue(p.get(1).reason().contains(CsvSchemas.CONVERTED), p.get(1).toString());
    assertEquals(CsvSchemas.CONVERSION_TRUTH_FILE, p.get(2).file());
    assertEquals(4, p.get(2).line());
  }

  @Test
  void theConvertedColumnGoesBeforeTheServingColumns() throws IOException {
    write(BANNER, USERS, "", "");
    Files.writeString(dir.resolve(CsvSchemas.IMPRESSIONS_FILE), String.join(",", CsvSchemas.IMPRESSIONS_HEADER)
        + ",converted,request_id,propensity\nim-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1,1,rq-7,0.25\n");
    Impression imp = EventLogReader.read(dir, 0.0).impressions().get(0);
    assertTrue(imp.converted());
    assertEquals("rq-7", imp.requestId());
    Files.writeString(dir.resolve(CsvSchemas.IMPRESSIONS_FILE), String.join(",", CsvSchemas.IMPRESSIONS_HEADER)
        + ",request_id,propensity,converted\nim-1,u-1,2026-03-03T11:00:00Z,bn-1,home_hero,1,ios,1,rq-7,0.25,1\n");
    assertThrows(BadInputException.class, () -> EventLogReader.read(dir, 0.0));
  }

  @Test
  void bannersMayCarryABidPerConversion() throws IOException {
    write(BANNER, USERS, "", "");
    Files.writeString(dir.resolve(CsvSchemas.BANNERS_FILE), String.join(",", CsvSchemas.BANNERS_HEADER)
        + ",bid_per_conversion\n" + BANNER.strip() + ",12.5\n" + BANNER.strip().replace("bn-1", "bn-2") + ",\n"
        + BANNER.strip().replace("bn-1", "bn-3") + ",-4\n"); // line 4: not positive
    EventLog log = EventLogReader.read(dir, 1.0);
    assertEquals(12.5, log.banners().get(0).bidPerConversion());
    assertFalse(log.banners().get(1).hasBidPerConversion());
    assertEquals(1, log.problems().badRows());
    assertEquals(4, log.problems().problems().get(0).line());
    assertTrue(log.problems().problems().get(0).reason().contains(CsvSchemas.BID_PER_CONVERSION));
  }
}
