package dev.bannerranker.loop.offpolicy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.cli.OutputPaths;
import dev.bannerranker.data.Impression;
import dev.bannerranker.loop.CliValues;
import dev.bannerranker.loop.export.LogJoin;
import dev.bannerranker.scoring.ScoringModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "offpolicy", mixinStandardHelpOptions = true,
    description = "Estimates, from a serving log of the deployed policy, the top-slot click-through of the greedy "
        + "policy a new bundle would run: IPS, self-normalised IPS and doubly robust, each with a 95%% bootstrap "
        + "interval and the effective sample size, beside the logging policy's observed click-through.")
public final class OffPolicyCommand implements Callable<Integer> {
  @Option(names = "--logs", required = true, description = "The service's --log-dir.")
  Path logs;

  @Option(names = "--bundle", required = true, description = "The candidate bundle to evaluate.")
  Path bundle;

  @Option(names = "--json", description = "Write the estimates as JSON to this file.")
  Path json;

  @Option(names = "--report", description = "Write offpolicy.json and offpolicy.html into this directory.")
  Path report;

  @Option(names = "--candidates", defaultValue = "catalog",
      description = "What the target chooses from: catalog (the eligible banners of the request's catalog snapshot) "
          + "or returned (the banners the service returned). Default: ${DEFAULT-VALUE}.")
  String candidates;

  @Option(names = "--value", defaultValue = "bid",
      description = "What a click is worth in the target's order, as the service's ranker.ordering.value: bid, "
          + "priority or none. Default: ${DEFAULT-VALUE}.")
  String value;

  @Option(names = "--frequency-cap-per-day", defaultValue = "3",
      description = "As the service's ranker.eligibility.frequency-cap-per-day: the target leaves out banners the user "
          + "saw this often in the last 24 hours; 0 for none. Default: ${DEFAULT-VALUE}.")
  int frequencyCap;

  @Option(names = "--history", description = "The data directory the service was started with (serve --data): its "
      + "profiles, events and impressions are the users' state before the log, imported as the service imports them.")
  Path history;

  @Option(names = "--activity-capacity", defaultValue = "" + ServedUserStates.ACTIVITY_CAPACITY,
      description = "As the service's ranker.users.activity-capacity: the recent events and impressions it keeps per "
          + "user. Default: ${DEFAULT-VALUE}.")
  int activityCapacity;

  @Option(names = "--world", description = "For logs of simulated traffic: the directory the world was generated in "
      + "(simulate --world). Adds the truth the estimates estimate: the mean true top-slot click probability of the "
      + "target's choice in the logged contexts.")
  Path world;

  @Option(names = "--since", description = "Use requests at or after this time.")
  String since;

  @Option(names = "--until", description = "Use requests before this time.")
  String until;

  @Option(names = "--attribution-window", defaultValue = "30m",
      description = "Longest time from an impression to its click. Default: ${DEFAULT-VALUE}.")
  String window;

  @Option(names = "--max-bad-fraction", defaultValue = "0.01",
      description = "Largest share of malformed log lines tolerated. Default: ${DEFAULT-VALUE}.")
  double maxBad;

  @Option(names = "--bootstrap", defaultValue = "1000", description = "Bootstrap resamples. Default: ${DEFAULT-VALUE}.")
  int bootstrap;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the bootstrap. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OffPolicyEvaluation.Candidates mode = parse(OffPolicyEvaluation.Candidates.class, "--candidates", candidates);
    OffPolicyEvaluation.Value v = parse(OffPolicyEvaluation.Value.class, "--value", value);
    if (bootstrap < 1 || bootstrap > 100_000) {
      throw new IllegalArgumentException("--bootstrap must be 1 to 100000, got " + bootstrap);
    }
    if (!Files.isDirectory(logs)) {
      throw new IllegalArgumentException("--logs " + logs + " is not a directory");
    }
    if (json != null) {
      CliValues.checkOutputFile("--json", json);
    }
    if (report != null) {
      OutputPaths.checkDirectory("--report", report);
    }
    dev.bannerranker.trainer.generate.LiveShoppers shoppers = null;
    if (world != null) {
      dev.bannerranker.loop.simulate.SimulateCommand.WorldId id =
          dev.bannerranker.loop.simulate.SimulateCommand.readWorld(world);
      shoppers = new dev.bannerranker.trainer.generate.LiveShoppers(id.scale(), id.seed());
    }
    Bundle b = BundleIO.load(bundle);
    ScoringModel model = ScoringModel.of(b);
    LogJoin.Options range = new LogJoin.Options(CliValues.instant("--since", since),
        CliValues.instant("--until", until), CliValues.duration("--attribution-window", window), maxBad);
    LogJoin.Joined joined = LogJoin.join(logs, range);
    if (frequencyCap < 0) {
      throw new IllegalArgumentException("--frequency-cap-per-day must be >= 0, got " + frequencyCap);
    }
    if (activityCapacity < 1 || activityCapacity > 65_535) {
      throw new IllegalArgumentException("--activity-capacity must be 1 to 65535, got " + activityCapacity);
    }
    if (history != null && !Files.isDirectory(history)) {
      throw new IllegalArgumentException("--history " + history + " is not a directory");
    }
    OffPolicyEvaluation.Replay replay = OffPolicyEvaluation.replay(logs, joined, model, mode, v, frequencyCap, history,
        activityCapacity);
    Estimators.Estimates est = Estimators.estimate(replay.w(), replay.r(), replay.q(), replay.qLogged(), bootstrap, seed);
    java.util.List<Estimators.PositionEstimate> positions = Estimators.positions(replay.positions(), replay.r(),
        replay.qLogged(), bootstrap, seed);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("logs", logs.toString());
    out.put("bundle", bundle.toString());
    out.put("model_version", b.modelVersion());
    out.put("target_policy", Map.of("rule", "greedy top-1 by value x predicted CTR",
        "candidates", mode.name().toLowerCase(Locale.ROOT), "value", v.name().toLowerCase(Locale.ROOT),
        "frequency_cap_per_day", frequencyCap));
    Map<String, Object> estimates = new LinkedHashMap<>();
    estimates.put("ips", estimate(est.ips()));
    estimates.put("snips", estimate(est.snips()));
    estimates.put("dr", estimate(est.dr()));
    out.put("estimates", estimates);
    Map<String, Object> logging = new LinkedHashMap<>();
    logging.put("observed_ctr", est.observed().value());
    logging.put("ci_low", est.observed().ciLow());
    logging.put("ci_high", est.observed().ciHigh());
    logging.put("requests", est.requests());
    Map<String, Object> versions = new LinkedHashMap<>();
    replay.byModelVersion().forEach((k, c) -> versions.put(k == null ? "" : k,
        Map.of("requests", c[0], "clicks", c[1], "ctr", c[0] == 0 ? 0 : (double) c[1] / c[0])));
    logging.put("model_versions", versions);
    out.put("logging_policy", logging);
    out.put("counts", replay.counts());
    out.put("replay_fidelity", replay.fidelity());
    // 1 in expectation whatever the target when the logged propensities are right
    Estimators.Estimate weights = Estimators.estimate(replay.w(), ones(replay.w().length),
        new double[replay.w().length], new double[replay.w().length], bootstrap, seed).ips();
    out.put("mean_weight", estimate(weights));
    double paretoK = Estimators.paretoK(replay.w());
    out.put("pareto_k", Double.isNaN(paretoK) ? null : paretoK);
    LoggedContextTruth.Truth truth = null;
    if (shoppers != null) {
      // fatigue counts the impressions of the window before --since too, as the shoppers felt them
      LogJoin.Options fatigue = LoggedContextTruth.fatigueRange(range);
      List<Impression> shown = fatigue == range ? joined.impressions() : LogJoin.join(logs, fatigue).impressions();
      truth = LoggedContextTruth.of(joined, shown, replay, shoppers);
    }
    if (truth != null) {
      out.put("truth_on_logged_contexts", truth.json());
    }
    out.put("bootstrap", Map.of("resamples", bootstrap, "seed", seed, "level", 0.95));
    out.put("position_model", POSITION_MODEL);
    java.util.List<Map<String, Object>> perPosition = new java.util.ArrayList<>();
    for (Estimators.PositionEstimate pe : positions) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("position", pe.position());
      m.put("requests", pe.requests());
      m.put("examination", estimate(pe.examination()));
      m.put("ips", estimate(pe.ips()));
      m.put("snips", estimate(pe.snips()));
      m.put("dr", estimate(pe.dr()));
      m.put("observed_ctr", estimate(pe.observed()));
      perPosition.add(m);
    }
    out.put("positions", perPosition);

    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    if (json != null) {
      mapper.writeValue(json.toFile(), out);
    }
    if (report != null) {
      Files.createDirectories(report);
      mapper.writeValue(report.resolve("offpolicy.json").toFile(), out);
      Files.writeString(report.resolve("offpolicy.html"), OffPolicyHtml.render(out, est, positions));
    }
    print(est, positions, replay, spec.commandLine().getOut());
    PrintWriter o = spec.commandLine().getOut();
    Map<String, Object> fidelity = replay.fidelity();
    long own = (Long) fidelity.get("decisions_of_this_bundle");
    if (own > 0) {
      o.printf(Locale.ROOT, "replay of this bundle's own %d decisions: logged scores reproduced in %d, logged banners "
          + "eligible in %d%s%n", own, fidelity.get("scores_reproduced"), fidelity.get("logged_banners_eligible"),
          (Long) fidelity.get("greedy_decisions") > 0 ? String.format(Locale.ROOT, ", greedy top banner in %d of %d",
              fidelity.get("greedy_top_reproduced"), fidelity.get("greedy_decisions")) : "");
    }
    o.printf(Locale.ROOT, "mean importance weight %.4f  95%% [%.4f, %.4f]  (1 in expectation)%n", weights.value(),
        weights.ciLow(), weights.ciHigh());
    if (!Double.isNaN(paretoK)) {
      o.printf(Locale.ROOT, "Pareto k of the largest weights %.2f%s%n", paretoK, paretoK > 0.5
          ? ": a heavy tail (infinite variance), the intervals understate the estimates' spread" : "");
    }
    if (truth != null) {
      o.printf(Locale.ROOT, "truth on the logged contexts (the world's click model): target %.5f, logging policy "
          + "%.5f; without fatigue %.5f and %.5f (%d requests)%n", truth.target(), truth.logged(),
          truth.targetWithoutFatigue(), truth.loggedWithoutFatigue(), truth.requests());
    }
    o.flush();
    return 0;
  }

  private static double[] ones(int n) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, 1);
    return a;
  }

  /** The assumption behind {@code positions}, stated in the JSON and the HTML report. */
  static final String POSITION_MODEL = "position-based click model: a click at position k has probability "
      + "theta_k x relevance(request, banner); the target's CTR at k is theta_k/theta_1 times the top-slot estimate "
      + "for the target's k-th banner; theta_k/theta_1 is observed over expected clicks at k (the bundle's predicted "
      + "CTR at one fixed slot) divided by the same at position 1";

  private static Map<String, Object> estimate(Estimators.Estimate e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("value", e.value());
    m.put("ci_low", e.ciLow());
    m.put("ci_high", e.ciHigh());
    m.put("ess", e.ess());
    return m;
  }

  private static void print(Estimators.Estimates est, java.util.List<Estimators.PositionEstimate> positions,
      OffPolicyEvaluation.Replay replay, PrintWriter out) {
    out.printf(Locale.ROOT, "%d requests used (%s where the target agrees with the logged top banner)%n",
        est.requests(), replay.counts().get("target_agrees_with_logged_top"));
    line(out, "logging policy (observed)", est.observed());
    line(out, "IPS", est.ips());
    line(out, "SNIPS", est.snips());
    line(out, "DR", est.dr());
    if (positions.size() > 1) {
      out.println("per position (position-based click model; SNIPS and DR, examination relative to position 1):");
      for (Estimators.PositionEstimate pe : positions) {
        out.printf(Locale.ROOT, "  position %d: SNIPS %.5f [%.5f, %.5f]  DR %.5f [%.5f, %.5f]  examination %.3f "
            + "[%.3f, %.3f]  logged %.5f  (%d requests)%n", pe.position(), pe.snips().value(), pe.snips().ciLow(),
            pe.snips().ciHigh(), pe.dr().value(), pe.dr().ciLow(), pe.dr().ciHigh(), pe.examination().value(),
            pe.examination().ciLow(), pe.examination().ciHigh(), pe.observed().value(), pe.requests());
      }
    }
    out.flush();
  }

  private static void line(PrintWriter out, String name, Estimators.Estimate e) {
    out.printf(Locale.ROOT, "%-27s top-slot CTR %.5f  95%% [%.5f, %.5f]  ESS %.1f%n", name, e.value(), e.ciLow(),
        e.ciHigh(), e.ess());
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String option, String v) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v == null ? "" : v.trim())) {
        return e;
      }
    }
    throw new IllegalArgumentException(option + " must be one of "
        + java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList()
        + ", got '" + (v == null ? "" : v.length() > 40 ? v.substring(0, 40) + "..." : v) + "'");
  }
}
