package dev.bannerranker.loop.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.Impression;
import dev.bannerranker.loop.LoopCli;
import dev.bannerranker.loop.export.ExportWriter;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.trainer.cli.RankerCli;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The closed loop on the tiny world, with the real service in process: serve bundle A with the softmax logging
 * policy and the serving log, simulate shoppers, export the log, train bundle B on the export, estimate B off-policy,
 * then serve B greedily (the policy offpolicy evaluates) to the same shoppers on the same days and check that the
 * estimate's 95 % interval covers B's measured top-slot CTR and B's true CTR on the logged requests, and that the
 * replay reproduces each bundle's own logged decisions.
 */
class ClosedLoopTest {
  static final String DAYS = "3";
  static final String START = "2026-03-16T00:00:00Z";
  static final String LAST_DAY = "2026-03-18T00:00:00Z";
  @TempDir Path tmp;

  @Test
  void anOffPolicyEstimateFromTheLogCoversTheRetrainedBundlesOnlineClickThrough() throws Exception {
    Path world = tmp.resolve("world");
    new WorldGenerator(Scale.TINY, 5).generate(world, null);
    Path a = tmp.resolve("bundle-a");
    train(world, a);

    Path logs = tmp.resolve("logs");
    JsonNode onlineA;
    try (Service s = Service.start(a, world, tmp.resolve("state-a"), Map.of("ranker.log.dir", logs.toString(),
        "ranker.ordering.policy", "SOFTMAX"))) {
      onlineA = simulate(s.target(), world, tmp.resolve("sim-a.json"));
    }
    assertTrue(onlineA.path("all").path("impressions").asLong() > 1000, "the simulation showed banners");

    Path export = tmp.resolve("export");
    loop("logs", "export", "--logs", logs.toString(), "--out", export.toString());
    conversionsReachTraining(onlineA, export);
    Path b = tmp.resolve("bundle-b");
    train(export, b);
    JsonNode estimateB = offpolicy(logs, b, world, tmp.resolve("offpolicy-b.json"));
    JsonNode estimateA = offpolicy(logs, a, world, tmp.resolve("offpolicy-a.json"));

    Path logsB = tmp.resolve("logs-b");
    JsonNode onlineB;
    try (Service s = Service.start(b, world, tmp.resolve("state-b"), Map.of("ranker.ordering.policy", "GREEDY",
        "ranker.log.dir", logsB.toString()))) {
      onlineB = simulate(s.target(), world, tmp.resolve("sim-b.json"));
    }
    // The replay rebuilds the users' state as the service kept it: on each bundle's own log it reproduces every
    // logged score (A's softmax log), and on B's greedy log every top banner too.
    JsonNode fidelityA = estimateA.path("replay_fidelity");
    assertTrue(fidelityA.path("decisions_of_this_bundle").asLong() > 1000, fidelityA.toString());
    assertEquals(fidelityA.path("decisions_of_this_bundle").asLong(), fidelityA.path("scores_reproduced").asLong(),
        fidelityA.toString());
    assertEquals(fidelityA.path("decisions_of_this_bundle").asLong(),
        fidelityA.path("logged_banners_eligible").asLong(), fidelityA.toString());
    JsonNode fidelityB = offpolicy(logsB, b, world, tmp.resolve("offpolicy-b-own.json")).path("replay_fidelity");
    assertTrue(fidelityB.path("greedy_decisions").asLong() > 1000, fidelityB.toString());
    assertEquals(fidelityB.path("decisions_of_this_bundle").asLong(), fidelityB.path("scores_reproduced").asLong(),
        fidelityB.toString());
    assertEquals(fidelityB.path("greedy_decisions").asLong(), fidelityB.path("greedy_top_reproduced").asLong(),
        fidelityB.toString());
    String versionB = estimateB.path("model_version").asText();
    JsonNode topB = onlineB.path("top_slot_by_model_version").path(versionB);
    assertTrue(topB.path("impressions").asLong() > 1000, "B served the second run: " + onlineB);
    double ctrB = topB.path("ctr").asDouble();
    JsonNode snips = estimateB.path("estimates").path("snips");
    JsonNode dr = estimateB.path("estimates").path("dr");
    String figures = "B online top-slot CTR " + ctrB + ", SNIPS " + snips + ", DR " + dr + "; A logged "
        + estimateA.path("logging_policy") + ", A's own SNIPS " + estimateA.path("estimates").path("snips");
    System.out.println("closed loop on the tiny world: " + figures);
    assertTrue(covers(snips, ctrB) || covers(dr, ctrB), figures);
    // What the estimators estimate: B's choices on the logged requests, judged by the world's click model. The replay
    // rebuilds the simulator's own truth for the logged choices, and the intervals cover the truth for B's.
    JsonNode truthA = estimateA.path("truth_on_logged_contexts");
    JsonNode slot1 = onlineA.path("by_slot").path("1");
    assertEquals(slot1.path("impressions").asLong(), truthA.path("requests").asLong(), figures);
    assertEquals(slot1.path("mean_true_ctr").asDouble(), truthA.path("logging_true_ctr").asDouble(), 1e-9, figures);
    // The last day alone: its fatigue still counts the impressions of the days before, as the shoppers felt them.
    JsonNode lastDayTruthA = offpolicy(logs, a, world, tmp.resolve("offpolicy-a-last-day.json"), "--since", LAST_DAY)
        .path("truth_on_logged_contexts");
    JsonNode lastDay = onlineA.path("top_slot_by_day").path(LAST_DAY.substring(0, 10));
    assertTrue(lastDay.path("impressions").asLong() > 300, onlineA.path("top_slot_by_day").toString());
    assertEquals(lastDay.path("impressions").asLong(), lastDayTruthA.path("requests").asLong(), lastDayTruthA.toString());
    assertTrue(lastDayTruthA.path("logging_mean_recent_impressions").asDouble() > 0, lastDayTruthA.toString());
    assertEquals(lastDay.path("mean_true_ctr").asDouble(), lastDayTruthA.path("logging_true_ctr").asDouble(), 1e-9,
        lastDayTruthA.toString());
    double truthB = estimateB.path("truth_on_logged_contexts").path("target_true_ctr").asDouble();
    assertTrue(truthB > 0, figures);
    assertTrue(covers(snips, truthB) && covers(dr, truthB), "logged-contexts truth " + truthB + "; " + figures);
    assertTrue(estimateB.path("mean_weight").has("ci_low") && estimateB.has("pareto_k"), figures);
    // A judged on its own log: the replay is A's greedy top slot, the log A's softmax one (temperature 0.25, mostly
    // the greedy pick), so A's estimate lands on the CTR it was logged with.
    double logged = estimateA.path("logging_policy").path("observed_ctr").asDouble();
    assertTrue(covers(estimateA.path("estimates").path("snips"), logged)
        || covers(estimateA.path("estimates").path("dr"), logged), figures);
  }

  /**
   * The simulator's conversions went through RecordEvents into the log, the export joined every one of them to its
   * clicked impression and wrote the converted column, and a click-and-conversion model trains on it.
   */
  void conversionsReachTraining(JsonNode online, Path export) throws IOException {
    long sent = online.path("all").path("conversions").asLong();
    assertTrue(sent > 10, "the shoppers converted: " + online.path("all"));
    JsonNode report = new ObjectMapper().readTree(export.resolve(ExportWriter.REPORT_FILE).toFile());
    JsonNode conversions = report.path("conversions");
    assertEquals(sent, conversions.path("joined_by_request_id").asLong(), conversions.toString());
    assertEquals(0, conversions.path("without_click").asLong() + conversions.path("late").asLong()
        + conversions.path("duplicate").asLong(), conversions.toString());
    EventLog log = EventLogReader.read(export, 0.0);
    assertTrue(log.conversions());
    assertEquals(report.path("impressions").path("converted").asLong(),
        log.impressions().stream().filter(Impression::converted).count());
    Path c = tmp.resolve("bundle-conversion");
    train(export, c, "--objective", "click+conversion");
    assertTrue(ScoringModel.of(BundleIO.load(c)).hasConversion(), "the bundle predicts conversions");
  }

  static boolean covers(JsonNode estimate, double x) {
    return estimate.path("ci_low").asDouble() <= x && x <= estimate.path("ci_high").asDouble();
  }

  /** train with the trainer tests' fast settings, and {@code extra} options. */
  static void train(Path data, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString(),
        "--no-progress", "--dim", "16", "--i2v-epochs", "2", "--min-count", "2", "--hidden", "16,8", "--batch-size",
        "512", "--epochs", "3", "--patience", "1", "--validations-per-epoch", "2", "--learning-rate", "2e-3",
        "--taste-brands", "6", "--taste-dim", "4", "--fold-in-dim", "4", "--wide-buckets-log2", "12"));
    args.addAll(List.of(extra));
    run(RankerCli.commandLine(), args.toArray(String[]::new));
  }

  JsonNode simulate(String target, Path world, Path json) throws IOException {
    loop("simulate", "--target", target, "--world", world.toString(), "--days", DAYS, "--start", START,
        "--json", json.toString());
    return new ObjectMapper().readTree(json.toFile());
  }

  JsonNode offpolicy(Path logs, Path bundle, Path world, Path json, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("offpolicy", "--logs", logs.toString(), "--bundle", bundle.toString(),
        "--history", world.toString(), "--world", world.toString(), "--bootstrap", "400", "--json", json.toString()));
    args.addAll(List.of(extra));
    loop(args.toArray(String[]::new));
    return new ObjectMapper().readTree(json.toFile());
  }

  static void loop(String... args) {
    run(LoopCli.commandLine(), args);
  }

  static void run(CommandLine cl, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    assertEquals(0, code, () -> String.join(" ", args) + " failed:\n" + err + out);
  }

  /** The service, in process on free loopback ports, as serve --data starts it. */
  record Service(ApplicationContext ctx, int grpcPort) implements AutoCloseable {
    static Service start(Path bundle, Path data, Path state, Map<String, Object> extra) throws IOException {
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      Map<String, Object> props = new HashMap<>(extra);
      props.put("grpc.server.port", port);
      props.put("grpc.server.host", "127.0.0.1");
      props.put("ranker.admin.port", 0);
      props.put("micronaut.server.port", -1);
      props.put("micronaut.server.host", "127.0.0.1");
      props.put("ranker.model.bundle", bundle.toString());
      props.put("ranker.model.watch", false);
      props.put("ranker.users.data-dir", data.toString());
      props.put("ranker.users.bootstrap-history", true);
      props.put("ranker.state.dir", state.toString());
      props.put("ranker.ordering.seed", 11);
      return new Service(ApplicationContext.run(EmbeddedServer.class, props).getApplicationContext(), port);
    }

    String target() {
      return "127.0.0.1:" + grpcPort;
    }

    @Override
    public void close() {
      ctx.close();
    }
  }
}
