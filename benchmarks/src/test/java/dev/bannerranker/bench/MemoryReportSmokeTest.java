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

  @Test
  void loadsEveryUserAndWritesTheFigures() throws Exception {
    Path json = dir.resolve("out/memory.json");
    int code = new CommandLine(new MemoryReport()).execute("--banners", "200", "--users", "2000", "--json",
        json.toString(), "--work", dir.resolve("work").toString());
    assertEquals(0, code);
    JsonNode r = new ObjectMapper().readTree(Files.readString(json));
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
  }
}
