package dev.bannerranker.serving.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.serving.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileStoreTest {
  @Test
  void profilesComeFromUsersCsv() {
    ProfileStore store = ProfileStore.load(TestBundles.USERS, false, 64);
    assertEquals(400, store.size());
    assertTrue(store.knows(TestBundles.KNOWN_USER));
    UserState known = store.newState(TestBundles.KNOWN_USER, 64);
    UserSnapshot s = known.snapshot(TestBundles.generation());
    assertEquals(Gender.F, s.profile().gender());
    assertEquals("55+", s.profile().ageBand());
    assertFalse(s.cold());
    UserSnapshot unknown = store.newState("stranger", 64).snapshot(TestBundles.generation());
    assertEquals(Gender.U, unknown.profile().gender());
    assertTrue(unknown.cold());
  }

  @Test
  void recentHistoryIsBootstrappedFromTheEventTables(@TempDir Path dir) throws Exception {
    TestBundles.smallWorld(dir);
    ProfileStore store = ProfileStore.load(dir, true, 64);
    List<Activity> a = store.newState("u-000002", 64).activities();
    String brand = TestBundles.generation().banner("bn-00004").banner().brand();
    assertEquals(5, a.size());
    assertTrue(a.contains(new Activity.Shown("bn-00004", java.time.Instant.parse("2026-03-09T11:00:00Z").getEpochSecond())));
    assertEquals(1, a.stream().filter(x -> x instanceof Activity.Behaviour b && b.type() == EventType.BANNER_CLICK
        && b.brand().equals(brand)).count());
    assertTrue(store.newState("u-000003", 64).activities().isEmpty());
  }
}
