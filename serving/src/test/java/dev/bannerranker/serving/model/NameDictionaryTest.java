package dev.bannerranker.serving.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.bannerranker.serving.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NameDictionaryTest {
  @Test
  void idsAreStableAndTablesMapThemToVocabularyIndices() {
    NameDictionary d = new NameDictionary("brand");
    int early = d.idOf("Zed");
    int[] table = d.indexTable(List.of("Acme", "Zed", "Bolt"));
    assertEquals(early, d.idOf("Zed"));
    assertEquals(2, table[early]);
    assertEquals(1, table[d.idOf("Acme")]);
    assertEquals(3, table[d.idOf("Bolt")]);
    int later = d.idOf("Newcomer");
    assertTrue(later >= table.length, "a name numbered after the table is past its end, so unknown to it");
    assertEquals("Newcomer", d.nameOf(later));
    assertNull(d.nameOf(0));
  }

  @Test
  void namesFromEventsAreBoundedButVocabulariesAreNot() {
    NameDictionary d = new NameDictionary("brand");
    for (int i = 0; i < NameDictionary.MAX_EVENT_NAMES; i++) {
      assertTrue(d.idOf("event-" + i) > 0);
    }
    try (LogCapture log = LogCapture.of(NameDictionary.class)) {
      assertEquals(0, d.idOf("one-too-many"));
      assertEquals(0, d.idOf("another-one"));
      assertEquals(1, log.events().size(), "one warning, not one per name");
      assertEquals(Level.WARN, log.events().get(0).getLevel());
      assertEquals("brand", LogCapture.value(log.events().get(0), "kind"));
    }
    assertEquals(0, d.idOf("one-too-many"));
    assertTrue(d.idOf("event-7") > 0, "names already numbered keep their ids");
    int vocab = d.register("in-a-model");
    assertTrue(vocab > 0);
    assertEquals(vocab, d.idOf("in-a-model"));
  }

  @Test
  void concurrentCallersGetOneIdPerName() throws Exception {
    NameDictionary d = new NameDictionary("banner");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<int[]>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        runs.add(pool.submit(() -> {
          int[] ids = new int[2_000];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = d.idOf("bn-" + i);
          }
          return ids;
        }));
      }
      int[] first = runs.get(0).get();
      for (Future<int[]> r : runs) {
        assertArrayEquals(first, r.get());
      }
      for (int i = 0; i < first.length; i++) {
        assertEquals("bn-" + i, d.nameOf(first[i]));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
