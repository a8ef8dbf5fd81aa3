package dev.bannerranker.serving.users;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.Reason;
import dev.bannerranker.serving.store.RocksDbUserStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of unknown user ids through Rank, many times the cache, against the embedded store of record: it pushes the
 * known users out of the cache but loses none of their state (the store holds it), writes nothing for the strangers,
 * and leaves the cache within its bound; afterwards each known user ranks exactly as before, frequency caps included.
 */
class CacheFloodTest {
  private static final int CACHE = 1_000;
  private static final int FLOOD = 300_000;
  private static final UserSettings SETTINGS = new UserSettings("", false, 64, CACHE, Duration.ofHours(1));

  @TempDir
  Path dir;

  private static List<String> ranking(TestPipeline p, String user) {
    return p.ranking().rank(TestPipeline.query(user, "home_hero")).banners().stream()
        .map(b -> b.bannerId() + " " + b.predictedCtr() + " " + b.reason()).toList();
  }

  @Test
  void aFloodOfUnknownUsersLosesNoKnownUsersState() throws Exception {
    ModelRegistry registry = new ModelRegistry(0, "s");
    // A fold-in model, so the per-model cache of users' tastes is flooded too.
    registry.load(Arm.CONTROL, TestBundles.withFoldIn(dir.resolve("bundle")));
    try (RocksDbUserStore store = new RocksDbUserStore(dir.resolve("state"), UserStateStore.limits(SETTINGS), true,
        Duration.ofMillis(100), Duration.ZERO)) {
      UserStateStore users = new UserStateStore(SETTINGS, store);
      TestPipeline p = TestPipeline.over(registry, users);

      // Known users: each saw its top banner three times (the cap) and browsed a brand.
      Map<String, List<String>> before = new LinkedHashMap<>();
      Map<String, String> capped = new LinkedHashMap<>();
      for (int u = 0; u < 20; u++) {
        String user = "known-" + u;
        String top = p.ranking().rank(TestPipeline.query(user, "home_hero")).banners().get(0).bannerId();
        List<EventInput> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          events.add(EventInput.impression(user, T - 600 + i, top));
        }
        String brand = TestBundles.generation().model().bundle().vocab().brands().valueAt(1 + u % 5);
        for (int i = 0; i < 10; i++) {
          events.add(EventInput.product(user, T - 400 + i, dev.bannerranker.data.EventType.VIEW, brand, "jeans", 2,
              30f));
        }
        p.events().record(events);
        capped.put(user, top);
        before.put(user, ranking(p, user));
        assertFalse(before.get(user).stream().anyMatch(b -> b.startsWith(top + " ")), "capped before the flood");
        assertTrue(before.get(user).stream().allMatch(b -> b.endsWith(" " + Reason.PERSONALIZED)),
            "a known user is ranked by the model");
      }

      for (int i = 0; i < FLOOD; i++) {
        p.ranking().rank(TestPipeline.query("stranger-" + i, "home_hero"));
      }
      users.cache().cleanUp();
      assertTrue(users.cache().estimatedSize() <= CACHE, "the cache holds " + users.cache().estimatedSize());
      assertFalse(users.cache().asMap().containsKey("known-0"), "the flood pushed the known users out of the cache");
      for (int i = 0; i < FLOOD; i += FLOOD / 100) {
        assertNull(store.read("stranger-" + i), "a Rank of a stranger writes nothing to the store");
      }

      for (Map.Entry<String, List<String>> e : before.entrySet()) {
        assertEquals(e.getValue(), ranking(p, e.getKey()), e.getKey() + " ranks as before the flood");
      }
      // And the frequency cap still counts the impressions: one more day and the capped banner is back.
      String user = "known-0";
      var later = new dev.bannerranker.serving.ranking.RankQuery(user, "home_hero", dev.bannerranker.data.Platform.WEB,
          0, "", T + 86_400, List.of(), 50, false, dev.bannerranker.serving.ranking.Budget.unbounded());
      assertTrue(p.ranking().rank(later).banners().stream().anyMatch(b -> b.bannerId().equals(capped.get(user))));
      assertFalse(ranking(p, KNOWN_USER).isEmpty());
    }
  }
}
