package dev.bannerranker.serving.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Profiles are held as shared gender/age/tier shapes in an id table; every user still gets their own row back. */
class SharedProfilesTest {
  @Test
  void everyUserOnFileGetsTheirRowBack() {
    List<UserProfile> rows = EventLogReader.readUsers(TestBundles.USERS, new DataProblems(0.01));
    ProfileStore store = ProfileStore.load(TestBundles.USERS, false, 64);
    assertEquals(rows.size(), store.size());
    for (UserProfile row : rows) {
      assertTrue(store.knows(row.id()));
      UserSnapshot s = store.newState(row.id(), 64).snapshot(TestBundles.generation());
      assertEquals(row, s.profile());
      assertFalse(s.cold());
    }
    assertFalse(store.knows("u-999999"));
    assertFalse(ProfileStore.empty().knows(rows.get(0).id()));
    assertEquals(UserProfile.unknown("u-999999"), store.newState("u-999999", 64).snapshot(TestBundles.generation())
        .profile());
  }

  @Test
  void theCacheKeyIsTheTablesOwnIdString() {
    ProfileStore profiles = ProfileStore.load(TestBundles.USERS, false, 64);
    String asRequested = new String(TestBundles.KNOWN_USER);
    String canonical = profiles.canonicalId(asRequested);
    assertEquals(TestBundles.KNOWN_USER, canonical);
    assertSame(canonical, profiles.canonicalId(new String(TestBundles.KNOWN_USER)));
    UserStateStore store = new UserStateStore(TestSettings.users(), profiles);
    assertSame(store.get(asRequested), store.get(TestBundles.KNOWN_USER));
    assertEquals("stranger", profiles.canonicalId("stranger"));
  }
}
