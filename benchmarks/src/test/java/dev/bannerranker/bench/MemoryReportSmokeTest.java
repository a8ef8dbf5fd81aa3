package dev.bannerranker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The memory report on a small world: its figures are real (users held, full rings, bytes), not its timings. */
class MemoryReportSmokeTest {
  @TempDir Path dir;

  /** Runs the report with {@code args} and {@code --json}; its figures. */
  private JsonNode report(String name, String... args) throws Exception {
    Path json = dir.resolve(name);
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--json";
    all[args.length + 1] = json.toString();
    assertEquals(0, new CommandLine(new MemoryReport()).execute(all));
    return new ObjectMapper().readTree(Files.readString(json));
  }

  @Test
  void loadsEveryUserAndWritesTheFigures() throws Exception {
    JsonNode r = report("out/memory.json", "--banners", "200", "--users", "2000", "--store", "memory", "--work",
        dir.resolve("work").toString());
    for (String key : List.of("banners", "users_loaded", "users_held", "evictions", "heap_used_after_gc_bytes",
        "model_bytes", "profiles_bytes", "user_state_bytes", "user_state_bytes_per_user", "heap_max_bytes", "xmx",
        "vm_rss_bytes", "vm_hwm_bytes", "goal_met", "machine", "jvm", "events_recorded")) {
      assertTrue(r.has(key), "missing " + key);
    }
    assertEquals(200, r.get("banners").asInt());
    assertEquals(2000, r.get("users_loaded").asInt());
    assertEquals(2000, r.get("users_held").asLong());
    assertEquals(0, r.get("evictions").asLong());
    assertEquals(r.get("sampled_users").asInt(), r.get("sampled_users_with_full_rings").asInt());
    assertTrue(r.get("events_recorded").asLong() >= 2000L * 2 * (64 + 8));
    assertTrue(r.get("user_state_bytes").asLong() > 0);
    assertTrue(r.get("profiles_bytes").asLong() > 0);
    assertTrue(r.get("vm_rss_bytes").asLong() > 0);
    assertTrue(r.get("heap_used_after_gc_bytes").asLong() > r.get("user_state_bytes").asLong());
    assertEquals(0, r.get("fold_in_dim").asInt());
    assertTrue(!r.has("choice_counts_packed_bytes_mean"));
  }

  @Test
  void behindTheDefaultCacheRocksDbHoldsEveryUserAndReportsTheDisk() throws Exception {
    JsonNode r = report("rocksdb.json", "--banners", "200", "--users", "2000", "--cache-max-size", "500", "--work",
        dir.resolve("work").toString());
    assertEquals("rocksdb", r.get("store").asText());
    assertTrue(r.get("users_held").asLong() <= 500, "held " + r.get("users_held"));
    assertTrue(r.get("evictions").asLong() >= 1_500);
    // Users the cache dropped are read back from the store with every ring full.
    assertEquals(r.get("sampled_users").asInt(), r.get("sampled_users_with_full_rings").asInt());
    assertTrue(r.get("user_state_bytes_per_cached_user").asDouble() > 0);
    long disk = r.get("state_dir_bytes_compacted").asLong();
    // Every user's value (2 × 72 records at 3 to 9 bytes) is on disk.
    assertTrue(disk > 2000L * 2 * 72 * 3, "state directory " + disk);
    assertEquals((double) disk / 2000, r.get("state_dir_bytes_per_user_compacted").asDouble(), 1e-9);
  }

  @Test
  void withFoldInUsersGetWholeHistoriesAndFullRings() throws Exception {
    JsonNode r = report("fold-in.json", "--banners", "200", "--users", "500", "--fold-in-dim", "8");
    assertEquals(8, r.get("fold_in_dim").asInt());
    assertEquals(500, r.get("users_held").asLong());
    assertEquals(r.get("sampled_users").asInt(), r.get("sampled_users_with_full_rings").asInt());
    // a demo shopper views about 114 products and their packed counts take about 110 bytes
    double views = r.get("product_views_per_sampled_user").asDouble();
    assertTrue(views > 80 && views < 200, "views per user " + views);
    double bytes = r.get("choice_counts_packed_bytes_mean").asDouble();
    assertTrue(bytes > 50 && bytes < 250, "packed bytes " + bytes);
  }
}
