package dev.bannerranker.data;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** One line parsed on its own, as a reader that splits a table across workers does. */
class CsvLineTest {
  @Test
  void aGoodLineParsesAsTheWholeFileReaderWould() {
    BehaviourEvent e = CsvTable.parseLine(CsvSchemas.EVENTS_FILE, CsvSchemas.EVENTS_HEADER,
        "u1,2026-03-02T10:00:00Z,view,acme,shoes,2,12.5", 7, EventLogReader::parseEvent);
    assertEquals("u1", e.userId());
    assertEquals("acme", e.brand());
    assertEquals(2, e.priceTier());
  }

  @Test
  void aBadLineNamesTheFileTheLineAndTheColumn() {
    BadInputException wrongValue = assertThrows(BadInputException.class, () -> CsvTable.parseLine(
        CsvSchemas.EVENTS_FILE, CsvSchemas.EVENTS_HEADER, "u1,2026-03-02T10:00:00Z,view,acme,shoes,9,12.5", 42,
        EventLogReader::parseEvent));
    assertTrue(wrongValue.getMessage().startsWith("events.csv: line 42: "), wrongValue.getMessage());
    assertTrue(wrongValue.getMessage().contains("price_tier"), wrongValue.getMessage());
    BadInputException shortRow = assertThrows(BadInputException.class, () -> CsvTable.parseLine(
        CsvSchemas.EVENTS_FILE, CsvSchemas.EVENTS_HEADER, "u1,2026-03-02T10:00:00Z", 3, EventLogReader::parseEvent));
    assertTrue(shortRow.getMessage().startsWith("events.csv: line 3: "), shortRow.getMessage());
    BadInputException openQuote = assertThrows(BadInputException.class, () -> CsvTable.parseLine(
        CsvSchemas.EVENTS_FILE, CsvSchemas.EVENTS_HEADER, "\"u1,2026", 5, EventLogReader::parseEvent));
    assertTrue(openQuote.getMessage().startsWith("events.csv: line 5: "), openQuote.getMessage());
  }
}
