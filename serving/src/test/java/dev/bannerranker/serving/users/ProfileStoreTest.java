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
    Files.copy(TestBundles.TINY.resolve("banners.csv"), dir.resolve("banners.csv"));
    Files.copy(TestBundles.USERS.resolve("users.csv"), dir.resolve("users.csv"));
    Files.writeString(dir.resolve("events.csv"), """
        user_id,timestamp,event_type,brand,category,price_tier,dwell_seconds
        u-000002,2026-03-09T10:00:00Z,view,Nornor,jeans,3,40.0
        u-000002,2026-03-09T10:01:00Z,purchase,Nornor,jeans,3,0.0
        """);
    Files.writeString(dir.resolve("impressions.csv"), """
        impression_id,user_id,timestamp,banner_id,placement,slot_position,platform,clicked
        im-1,u-000002,2026-03-09T09:00:00Z,bn-00004,home_hero,1,web,0
        im-2,u-000002,2026-03-09T11:00:00Z,bn-00004,home_hero,1,web,1
        """);
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
