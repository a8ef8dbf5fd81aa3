package dev.bannerranker.bench.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole reliability suite in its short mode (a few seconds per scenario, a 10-second soak) against service
 * processes on the serving tests' tiny bundle: the goals that do not depend on the machine's speed hold, every
 * scenario reports its keys, and no process or temporary file is left behind.
 */
class ReliabilityTest {
  static final Path TINY = Path.of("../serving/src/test/resources/bundles/tiny");
  static final Path USERS = Path.of("../serving/src/test/resources/bundles/tiny-users");

  @TempDir Path dir;

  @Test
  void shortSuiteKeepsTheDeterministicGoalsAndCleansUp() throws Exception {
    Path out = dir.resolve("out");
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    JsonNode r = runShort(out, tmp, "--soak-seconds", "8", "--fuzz-requests", "200", "--swaps", "4");

    assertTrue(r.at("/kill9/acknowledged_events").asLong() > 0, r.get("kill9").toString());
    assertEquals(0, r.at("/kill9/acknowledged_lost").asLong(), r.get("kill9").toString());
    assertTrue(r.at("/kill9/healthy_after_restart").asBoolean());

    assertEquals(4, r.at("/swaps/reloads").asInt(), r.get("swaps").toString());
    assertEquals(4, r.at("/swaps/rollbacks").asInt());
    assertTrue(r.at("/swaps/rank_calls").asLong() > 0);
    assertEquals(0, r.at("/swaps/failed_calls").asLong(), r.get("swaps").toString());

    for (String key : List.of("shed_share", "admitted_p99_ms", "unloaded_p99_ms", "threads_before", "threads_after",
        "heap_mb_before", "heap_mb_after")) {
      assertTrue(r.get("overload").has(key), key);
    }
    assertTrue(r.at("/overload/threads_before").asDouble() > 0);
    // 3x is taken of the ramp's last step that kept up, before the first that did not
    JsonNode overload = r.get("overload");
    assertTrue(overload.get("probe_admitted_rps").asDouble() > 0, overload.toString());
    // the ramp starts once Rank's limit, lowered by the closed loop's standing queue, is back at its ceiling
    assertTrue(overload.get("rank_limit_ceiling").asDouble() > 0, overload.toString());
    assertTrue(overload.get("rank_limit_recovery_seconds").asDouble() < Scenarios.LIMIT_RECOVERY_SECONDS,
        overload.toString());
    // the warm-up went on until the service's JIT compiler settled, or for its bound (twice the 2 s per scenario)
    for (JsonNode probe : List.of(overload, r.get("soak"))) {
      double seconds = probe.get("warmup_jit_seconds").asDouble();
      if (probe.get("warmup_compiler_share").isNull()) {
        assertEquals(0.0, seconds, probe.toString()); // no /proc to read the compiler's times from
        continue;
      }
      double share = probe.get("warmup_compiler_share").asDouble();
      assertTrue(seconds > 0 && seconds < 4.0 + 1.0, "within its bound, give or take the calls in flight: " + probe);
      assertTrue(share <= Scenarios.SETTLED_COMPILER_SHARE || seconds >= 4.0 - Scenarios.SHORTEST_PART_SECONDS,
          "settled, or at the bound: " + probe);
    }
    JsonNode ramp = overload.get("ramp");
    assertTrue(ramp.size() >= 1 && ramp.size() <= Ramp.MAX_STEPS, overload.toString());
    // a step that fell behind is tried once more at its rate; the ramp ends at a rate that fell behind twice
    int lastKept = -1;
    for (int i = 0; i < ramp.size(); i++) {
      if (ramp.get(i).get("kept_up").asBoolean()) {
        lastKept = i;
      } else if (i + 1 < ramp.size()) {
        assertEquals(ramp.get(i).get("offered_rps").asLong(), ramp.get(i + 1).get("offered_rps").asLong(),
            overload.toString());
        assertTrue(ramp.get(i + 1).get("kept_up").asBoolean() || i + 2 == ramp.size(), overload.toString());
      }
    }
    String source = overload.get("sustainable_source").asText();
    if (lastKept >= 0) {
      assertEquals(lastKept == ramp.size() - 1 ? "ramp_capped" : "ramp", source, overload.toString());
      assertEquals(ramp.get(lastKept).get("offered_rps").asDouble(), overload.get("sustainable_rps").asDouble(), 1.0,
          overload.toString());
    } else {
      assertEquals("ramp_admitted", source, overload.toString());
    }
    assertEquals(3 * overload.get("sustainable_rps").asDouble(), overload.get("offered_rps").asDouble(), 3.0,
        overload.toString());
    assertTrue(r.at("/overload/healthy_after").asBoolean());
    // the load generator's own CPU share, which says whether its queueing is in the client's latencies
    assertTrue(overload.get("load_cpu_share").asDouble() > 0, overload.toString());
    assertTrue(overload.get("unloaded_load_cpu_share").asDouble() > 0, overload.toString());

    assertEquals(0, r.at("/fuzz/internal_or_unknown").asLong(), r.get("fuzz").toString());
    assertTrue(r.at("/fuzz/healthy_after").asBoolean());
    JsonNode codes = r.at("/fuzz/codes_by_rpc");
    assertEquals(7, codes.size());
    // Admin calls without the token were refused, so both halves were sent.
    assertTrue(codes.at("/GetModelStatus/UNAUTHENTICATED").asLong() > 0, codes.toString());
    assertTrue(codes.at("/GetModelStatus/OK").asLong() > 0, codes.toString());

    for (String key : List.of("failed_inflight", "inflight_at_signal", "drain_ms", "exit_ms")) {
      assertTrue(r.get("sigterm").has(key), key);
    }
    JsonNode redis = r.get("redis_restart");
    if (!redis.has("skipped")) {
      assertTrue(redis.get("acknowledged_events").asLong() > 0, redis.toString());
      assertEquals(0, redis.get("acknowledged_lost").asLong(), redis.toString());
      assertTrue(redis.has("errors_while_down") && redis.has("recovery_ms"), redis.toString());
      assertTrue(redis.get("healthy_after").asBoolean());
    }
    assertTrue(r.get("soak").has("errors") && r.get("soak").has("heap_slope_mb_per_min"), r.get("soak").toString());
    // three full collections (after the warm-up, midway, at the end), each a live heap the service reported
    JsonNode live = r.at("/soak/live_heap_mb");
    assertEquals(3, live.size(), r.get("soak").toString());
    for (JsonNode mb : live) {
      assertTrue(mb.asDouble() > 0, r.get("soak").toString());
    }
    assertTrue(r.at("/soak/live_heap_slope_mb_per_min").isNumber(), r.get("soak").toString());
    // the live sets are read from full collections that leave no dead objects in place
    List<String> flags = new ArrayList<>();
    r.at("/soak/service_java_flags").forEach(f -> flags.add(f.asText()));
    assertTrue(flags.containsAll(Scenarios.NO_DEAD_WOOD) && flags.containsAll(ServiceProcess.SERVE_JAVA_FLAGS),
        flags.toString());
    // the soak runs at 70 % of its own probe's sustainable rate, of its own mix, and once Rank's limit is back after
    // the ramp
    JsonNode soak = r.get("soak");
    assertEquals("rank+record_events", soak.get("probe_load").asText(), soak.toString());
    assertEquals("rank", overload.get("probe_load").asText(), overload.toString());
    assertTrue(soak.get("ramp").size() >= 1, soak.toString());
    assertEquals(0.7 * soak.get("sustainable_rps").asDouble(), soak.get("rate_rps").asDouble(), 1.0, soak.toString());
    assertTrue(soak.get("lead_in_limit_recovery_seconds").asDouble() < Scenarios.LIMIT_RECOVERY_SECONDS,
        soak.toString());
    assertTrue(soak.get("rank_limit_drops").asDouble() >= 0, soak.toString());
    // the service's own count of the soak's sheds, by RPC and bound, is the client's RESOURCE_EXHAUSTED count
    long shedByService = 0;
    for (JsonNode n : soak.get("shed_by_rpc_reason")) {
      shedByService += n.asLong();
    }
    assertEquals(soak.at("/errors_by_code/RESOURCE_EXHAUSTED").asLong(0), shedByService, soak.toString());
    // the lead-in ran before the soak's counted calls, and its outcomes are reported apart
    assertTrue(r.at("/soak/lead_in_calls").asLong() > 0, r.get("soak").toString());
    assertTrue(r.get("soak").has("lead_in_errors_by_code"), r.get("soak").toString());
    assertTrue(r.at("/soak/calls").asLong() > 0);

    String table = Files.readString(out.resolve("report.md"));
    assertTrue(table.contains("| figure | value | goal |"), table);
    assertFalse(table.contains("failed:"), table);
    try (var logs = Files.list(out.resolve("logs"))) {
      List<String> names = logs.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(names.contains("kill9-service.log") && names.contains("soak-service.log"), names.toString());
      assertTrue(names.stream().noneMatch(n -> n.contains("state")), "RocksDB's own logs are not kept: " + names);
    }
    assertEquals(List.of(), ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList(),
        "child processes left running");
    try (var left = Files.list(tmp)) {
      assertEquals(List.of(), left.toList(), "the work directory is removed");
    }
  }

  @Test
  void soakRpsSetsTheSoaksRateInsteadOfTheProbes() throws Exception {
    Path out = dir.resolve("fixed");
    Path tmp = Files.createDirectories(dir.resolve("tmp-fixed"));
    JsonNode r = runShort(out, tmp, "--soak-seconds", "4", "--soak-rps", "37", "--scenarios", "soak");
    JsonNode soak = r.get("soak");
    assertEquals(37, soak.get("rate_rps").asDouble(), 1e-9, soak.toString());
    assertTrue(soak.get("sustainable_rps").asDouble() > 0, soak.toString()); // the probe still ran, as the warm-up
    assertEquals(37.0, r.at("/meta/soak_rps").asDouble(), 1e-9, r.get("meta").toString());
    // about 37 calls a second for 4 s (the open loop sends on a schedule), not 70 % of the probe's rate
    assertEquals(148, soak.get("calls").asDouble(), 8, soak.toString());
  }

  /** The suite in its short mode on the tiny bundle, with {@code options}; its report, once it exited 0. */
  private static JsonNode runShort(Path out, Path tmp, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("--bundle", TINY.toString(), "--data", USERS.toString(),
        "--default-time", "2026-03-10T12:00:00Z", "--serving-jar", System.getProperty("java.class.path"),
        "--server-heap", "384m", "--seconds", "2", "--threads", "4", "--users", "50", "--out", out.toString(),
        "--tmp", tmp.toString()));
    args.addAll(List.of(options));
    int code = new CommandLine(new Reliability()).execute(args.toArray(String[]::new));
    JsonNode r = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals(0, code, r.toPrettyString());
    return r;
  }

  @Test
  void refusesUnknownScenariosAndMissingBundles() {
    assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new Reliability()).execute("--bundle", TINY.toString(),
        "--scenarios", "kill9,meteor", "--out", dir.toString()));
    assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new Reliability()).execute("--bundle",
        dir.resolve("none").toString(), "--out", dir.toString()));
    assertEquals(CommandLine.ExitCode.USAGE, new CommandLine(new Reliability()).execute("--bundle", TINY.toString(),
        "--scenarios", "soak", "--soak-rps", "0", "--out", dir.toString()));
  }
}
