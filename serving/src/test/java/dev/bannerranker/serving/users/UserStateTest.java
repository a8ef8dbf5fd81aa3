package dev.bannerranker.serving.users;

import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserStateTest {
  static final ModelGeneration G = TestBundles.generation();
  static final String BRAND = G.model().bundle().vocab().brands().values().get(4);

  static Activity view(String brand, long time) {
    return new Activity.Behaviour(EventType.VIEW, brand, "jeans", 2, 30f, time);
  }

  @Test
  void activityReachesTheHistoryThroughTheTrainingRules() {
    UserState s = new UserState(UserProfile.unknown("u"), false, 64, List.of());
    UserSnapshot before = s.snapshot(G);
    assertTrue(before.cold());
    s.apply(List.of(view(BRAND, T - 100), new Activity.Shown("bn-00004", T - 50)), G);
    UserSnapshot after = s.snapshot(G);
    assertFalse(after.cold());
    assertEquals(1, after.history().eventCount());
    assertEquals(G.model().bundle().vocab().brands().indexOf(BRAND), after.history().eventBrand(0));
    assertEquals(1, after.history().impressionsOf(G.banner("bn-00004").index(), 0, Long.MAX_VALUE));
    // Snapshots are copies: the earlier one did not change.
    assertEquals(0, before.history().eventCount());
  }

  @Test
  void aKnownProfileIsNeverCold() {
    UserState s = new UserState(new UserProfile("u", Gender.M, "25-34", 2), true, 64, List.of());
    assertFalse(s.snapshot(G).cold());
  }

  @Test
  void theLogKeepsTheLatestActivitiesOfEachKind() {
    UserState s = new UserState(UserProfile.unknown("u"), false, 2, List.of());
    s.apply(List.of(view("A", 1), view("B", 2), view("C", 3), new Activity.Shown("bn-00004", 4)), G);
    assertEquals(List.of(view("B", 2), view("C", 3), new Activity.Shown("bn-00004", 4)), s.activities());
  }

  @Test
  void aModelWithOtherVocabulariesRebuildsTheHistory(@TempDir Path tmp) throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "s");
    ModelGeneration shifted = registry.load(Arm.CONTROL, TestBundles.shiftedBrands(tmp.resolve("b"), "wd-shifted"));
    ModelGeneration same = registry.load(Arm.CONTROL, TestBundles.withVersion(tmp.resolve("c"), "wd-same"));
    UserState s = new UserState(UserProfile.unknown("u"), false, 64, List.of());
    s.apply(List.of(view(BRAND, T - 100)), G);
    int oldIndex = G.model().bundle().vocab().brands().indexOf(BRAND);
    assertEquals(oldIndex + 1, shifted.model().bundle().vocab().brands().indexOf(BRAND));
    assertEquals(oldIndex + 1, s.snapshot(shifted).history().eventBrand(0));
    assertEquals(oldIndex, s.snapshot(same).history().eventBrand(0));
    // Same vocabularies share one key, so swapping between them needs no rebuild.
    assertSame(same.historyKey(), registry.load(Arm.CONTROL, TestBundles.TINY).historyKey());
    assertNotSame(shifted.historyKey(), same.historyKey());
  }
}
