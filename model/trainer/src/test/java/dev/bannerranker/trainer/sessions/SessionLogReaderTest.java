package dev.bannerranker.trainer.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.RowProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLogReaderTest {
  @TempDir
  Path dir;

  private void write(String text) throws Exception {
    Files.writeString(dir.resolve(SessionLogReader.FILE), text);
  }

  @Test
  void badRowsAreReportedByLineAndTheRestIsRead() throws Exception {
    write("session_id,item_id,timestamp\n"
        + "s1,a,2026-03-02T08:00:00Z\n"
        + "s1,b,yesterday\n" // line 3: bad time
        + "s1,c,1772438460\n"
        + "s2,,1772438400\n" // line 5: empty item
        + "s2,a,1772438400\n"
        + "s2,d,1772438401,extra\n"); // line 7: a fourth cell
    SessionLog log = SessionLogReader.read(dir, 0.5);
    assertEquals(List.of(3L, 5L, 7L), log.problems().problems().stream().map(RowProblem::line).toList());
    assertTrue(log.problems().problems().stream().allMatch(p -> p.file().equals(SessionLogReader.FILE)));
    assertEquals(2, log.sessions().size());
    SessionLog.Session s1 = log.sessions().stream().filter(s -> s.id().equals("s1")).findFirst().orElseThrow();
    assertEquals(List.of("a", "c"), s1.items());
  }

  @Test
  void tooManyBadRowsFailTheRead() throws Exception {
    write("session_id,item_id,timestamp\ns1,a,nope\ns1,b,1772438400\n");
    assertThrows(BadInputException.class, () -> SessionLogReader.read(dir, 0.01));
  }

  @Test
  void epochSecondsAndIsoTimesOrderTheItemsAlike() throws Exception {
    // 2026-03-02T08:00:00Z is 1772438400; rows out of order in the file
    write("session_id,item_id,timestamp,category\n"
        + "s1,late,1772438460,shoes\n"
        + "s1,early,2026-03-02T08:00:00Z,\n"
        + "s1,middle,2026-03-02T08:00:30Z,bags\n"
        + "s0,x,1772438300,bags\n"
        + "s0,y,1772438301,bags\n");
    SessionLog log = SessionLogReader.read(dir, 0);
    assertEquals(List.of("s0", "s1"), log.sessions().stream().map(SessionLog.Session::id).toList());
    SessionLog.Session s1 = log.sessions().get(1);
    assertEquals(List.of("early", "middle", "late"), s1.items());
    assertEquals(1772438400L, s1.start());
    assertEquals("shoes", log.categories().get("late"));
    assertTrue(!log.categories().containsKey("early"));
  }

  @Test
  void timesOutsideTheRangeAndWrongHeadersAreRefused() throws Exception {
    write("session_id,item_id,timestamp\ns1,a,99999999999\ns1,b,1772438400\n");
    SessionLog log = SessionLogReader.read(dir, 0.5);
    assertEquals(List.of(2L), log.problems().problems().stream().map(RowProblem::line).toList());
    write("session,item,time\ns1,a,1772438400\n");
    assertThrows(BadInputException.class, () -> SessionLogReader.read(dir, 0.5));
    Files.delete(dir.resolve(SessionLogReader.FILE));
    assertThrows(BadInputException.class, () -> SessionLogReader.read(dir, 0.5));
  }
}
