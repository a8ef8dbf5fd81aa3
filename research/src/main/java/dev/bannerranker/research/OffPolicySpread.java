package dev.bannerranker.research;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.loop.export.LogJoin;
import dev.bannerranker.loop.offpolicy.Estimators;
import dev.bannerranker.loop.offpolicy.LoggedContextTruth;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.HistoryReplay;
import dev.bannerranker.trainer.generate.LiveShoppers;
import dev.bannerranker.trainer.generate.Scale;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How one serving log's off-policy estimates spread around the truth they estimate, on a simulated world. The logged
 * requests are kept; the logging policy's top-slot softmax is recomputed from its bundle on the replayed state, each
 * candidate's greedy choice and the true click probability of every eligible banner come from the world. Reports,
 * per candidate: the truth on the logged requests; the log's IPS and the same with each click replaced by its true
 * probability; then, over redraws of the logged top banner and its click, the mean, spread and range of IPS and
 * SNIPS and how often a 95 % normal interval from the redraw's own standard error covers the truth.
 */
public final class OffPolicySpread {
  private OffPolicySpread() {}

  @Command(name = "offpolicy-spread", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Redraws a log's softmax top banners and clicks on the same requests to show the spread of IPS "
          + "and SNIPS around the true CTR on the logged requests.")
  static final class Args {
    @Option(names = "--logs", required = true, description = "The serving log (a SOFTMAX logging policy).")
    Path logs;

    @Option(names = "--logging-bundle", required = true, description = "The bundle that served the log.")
    Path logging;

    @Option(names = "--data", defaultValue = "work/demo/data",
        description = "The service's starting data (serve --data). Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--scale", defaultValue = "demo", description = "The world's scale. Default: ${DEFAULT-VALUE}.")
    String scale;

    @Option(names = "--seed", defaultValue = "42", description = "The world's seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--temperature", defaultValue = "0.25", split = ",",
        description = "Logging softmax temperatures to redraw with (the log's own first). Default: ${DEFAULT-VALUE}.")
    List<Double> temperatures;

    @Option(names = "--propensity-floor", defaultValue = "0", split = ",",
        description = "Uniform shares mixed into the logging softmax (each with each temperature). "
            + "Default: ${DEFAULT-VALUE}.")
    List<Double> floors;

    @Option(names = "--redraws", defaultValue = "200", description = "Default: ${DEFAULT-VALUE}.")
    int redraws;

    @Option(names = "--frequency-cap-per-day", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    int cap;

    @Option(names = "--every", defaultValue = "1",
        description = "Use every k-th logged request (the others still update the users' state), for a quicker "
            + "look. Default: ${DEFAULT-VALUE}.")
    int every;

    @CommandLine.Parameters(paramLabel = "CANDIDATE", arity = "1..*", description = "Candidate bundles.")
    List<Path> candidates;
  }

  public static void main(String[] args) throws Exception {
    Args a = new Args();
    CommandLine cl = new CommandLine(a);
    try {
      cl.parseArgs(args);
      if (cl.isUsageHelpRequested()) {
        cl.usage(System.out);
        return;
      }
      run(a, System.out);
    } catch (CommandLine.ParameterException e) {
      System.err.println("offpolicy-spread: " + e.getMessage() + " (see --help)");
      System.exit(2);
    } catch (IllegalArgumentException | dev.bannerranker.data.BadInputException | dev.bannerranker.bundle.BundleException
        | java.io.IOException e) {
      System.err.println("offpolicy-spread: " + e.getMessage());
      System.exit(2);
    }
  }

  /**
   * A logged request over its eligible banners: the logging bundle's log scores relative to its best, each banner's
   * truth, the candidates' choices, the logging bundle's greedy choice and the logged top banner.
   */
  private record Request(double[] logScore, double[] truth, int[] choice, int greedy, int logged, boolean clicked,
      double propensity) {

    double[] pi(double t, double f) {
      return loggingPolicy(logScore, t, f);
    }
  }

  /**
   * A logging policy's probabilities over the eligible banners: the softmax of the log scores (relative to the best,
   * so at most 0) at temperature t, mixed with a uniform share f.
   */
  static double[] loggingPolicy(double[] logScore, double t, double f) {
    int n = logScore.length;
    double[] pi = new double[n];
    double sum = 0;
    for (int c = 0; c < n; c++) {
      pi[c] = Math.exp(logScore[c] / t);
      sum += pi[c];
    }
    for (int c = 0; c < n; c++) {
      pi[c] = (1 - f) * pi[c] / sum + f / n;
    }
    return pi;
  }

  static void run(Args a, PrintStream out) throws Exception {
    if (a.every < 1) {
      throw new IllegalArgumentException("--every must be at least 1, got " + a.every);
    }
    for (double t : a.temperatures) {
      if (!(t > 0 && t < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("--temperature must be positive, got " + t);
      }
    }
    for (double f : a.floors) {
      if (!(f >= 0 && f <= 1)) {
        throw new IllegalArgumentException("--propensity-floor must be in [0, 1], got " + f);
      }
    }
    int k = a.candidates.size();
    ScoringModel[] models = new ScoringModel[k + 1];
    models[0] = ScoringModel.of(BundleIO.load(a.logging));
    for (int j = 0; j < k; j++) {
      models[j + 1] = ScoringModel.of(BundleIO.load(a.candidates.get(j)));
    }
    LiveShoppers world = new LiveShoppers(Scale.parse(a.scale), a.seed);
    LogJoin.Joined log = LogJoin.join(a.logs, new LogJoin.Options(null, null, Duration.ofMinutes(30), 0.01));
    EventLog before = EventLogReader.read(a.data, 0.01);
    Map<String, UserProfile> profiles = new HashMap<>();
    log.users().forEach(u -> profiles.put(u.id(), u));
    before.users().forEach(u -> profiles.putIfAbsent(u.id(), u));
    List<BehaviourEvent> events = new ArrayList<>(before.events());
    events.addAll(log.events());
    events.sort(Comparator.comparingLong(BehaviourEvent::timestamp));
    List<Impression> imps = new ArrayList<>(before.impressions());
    imps.addAll(log.impressions());
    imps.sort(Comparator.comparingLong(Impression::timestamp));
    Map<String, Impression> shownBy = new HashMap<>();
    for (Impression i : log.impressions()) {
      shownBy.putIfAbsent(i.requestId() + "\u0000" + i.bannerId(), i);
    }
    Map<String, List<Impression>> fatigue = new HashMap<>(); // the simulation's own impressions: the world's fatigue
    for (Impression i : log.impressions()) {
      fatigue.computeIfAbsent(i.userId(), u -> new ArrayList<>()).add(i);
    }
    Map<String, List<Impression>> shownTo = new HashMap<>(); // every impression: the service's cap
    List<Map<String, UserHistory>> histories = new ArrayList<>();
    for (int j = 0; j <= k; j++) {
      histories.add(new HashMap<>());
    }
    List<Request> requests = new ArrayList<>();
    HistoryReplay replay = new HistoryReplay(events, imps);
    long index = 0;
    for (DecisionRecord d : log.decisions()) {
      long now = d.time().getEpochSecond();
      replay.advanceTo(now, ev -> {
        for (int j = 0; j <= k; j++) {
          DatasetBuilder.applyEvent(history(histories.get(j), ev.userId(), models[j]), ev, models[j].bundle().vocab());
        }
      }, imp -> {
        shownTo.computeIfAbsent(imp.userId(), u -> new ArrayList<>()).add(imp);
        for (int j = 0; j <= k; j++) {
          BannerFeatures f = models[j].banner(imp.bannerId());
          if (f != null) {
            DatasetBuilder.applyImpression(history(histories.get(j), imp.userId(), models[j]), f, imp.timestamp(),
                imp.clicked());
          }
        }
      });
      if (index++ % a.every != 0) {
        continue;
      }
      LoggedBanner top = d.banners().stream().filter(b -> b.position() == 1).findFirst().orElse(null);
      Impression shown = top == null ? null : shownBy.get(d.requestId() + "\u0000" + top.bannerId());
      if (shown == null || shown.slotPosition() != 1) {
        continue;
      }
      UserProfile profile = profiles.getOrDefault(d.userId(), UserProfile.unknown(d.userId()));
      List<Impression> seen = shownTo.getOrDefault(d.userId(), List.of());
      List<Banner> eligible = new ArrayList<>();
      for (Banner b : log.catalogs().getOrDefault(d.catalog(), log.banners())) {
        boolean known = true;
        for (ScoringModel m : models) {
          known &= m.banner(b.id()) != null;
        }
        if (known && b.placement().equals(d.placement()) && b.liveAt(now) && b.targets(profile)
            && (a.cap == 0 || shownSince(seen, b.id(), now - 86_400) < a.cap)) {
          eligible.add(b);
        }
      }
      int n = eligible.size();
      int logged = -1;
      for (int c = 0; c < n; c++) {
        if (eligible.get(c).id().equals(top.bannerId())) {
          logged = c;
        }
      }
      if (logged < 0) {
        continue;
      }
      int[] best = new int[k + 1];
      double[] loggingScore = null;
      for (int j = 0; j <= k; j++) {
        double[] score = scores(models[j], histories.get(j).get(d.userId()), profile, d, eligible, now);
        best[j] = argmax(score, eligible);
        if (j == 0) {
          loggingScore = score;
        }
      }
      // the service's softmax over log scores, relative to the best
      double[] logScore = new double[n];
      double topLog = Math.log(Math.max(loggingScore[best[0]], 1e-12));
      for (int c = 0; c < n; c++) {
        logScore[c] = Math.log(Math.max(loggingScore[c], 1e-12)) - topLog;
      }
      double[] truth = new double[n];
      List<Impression> tired = fatigue.getOrDefault(d.userId(), List.of());
      for (int c = 0; c < n; c++) {
        truth[c] = world.trueClickProbability(d.userId(), eligible.get(c).id(), 1,
            LoggedContextTruth.recent(tired, eligible.get(c).id(), now));
      }
      requests.add(new Request(logScore, truth, Arrays.copyOfRange(best, 1, k + 1), best[0], logged, shown.clicked(),
          top.propensity()));
    }
    report(a, requests, out);
  }

  private static void report(Args a, List<Request> requests, PrintStream out) {
    int n = requests.size();
    int k = a.candidates.size();
    double banners = requests.stream().mapToInt(r -> r.truth().length).average().orElse(0);
    out.printf(Locale.ROOT, "%d logged requests, %.1f eligible banners each on average%n", n, banners);
    double[] truth = new double[k];
    for (int j = 0; j < k; j++) {
      double ips = 0;
      double ipsTrue = 0;
      double weights = 0;
      for (Request r : requests) {
        int b = r.choice()[j];
        truth[j] += r.truth()[b] / n;
        if (r.logged() == b) {
          double w = 1 / r.propensity();
          weights += w / n;
          ips += (r.clicked() ? w : 0) / n;
          ipsTrue += w * r.truth()[b] / n;
        }
      }
      out.printf(Locale.ROOT, "%s: true CTR on the logged requests %.5f; this log: IPS %.5f, with the true "
          + "probability for each click %.5f, mean weight %.4f, SNIPS %.5f%n", a.candidates.get(j), truth[j], ips,
          ipsTrue, weights, ips / weights);
    }
    double greedy = requests.stream().mapToDouble(r -> r.truth()[r.greedy()]).sum() / n;
    for (double t : a.temperatures) {
      for (double f : a.floors) {
        // per request: the logging policy's probability of each candidate's choice
        double[][] p = new double[n][];
        double logging = 0;
        for (int i = 0; i < n; i++) {
          Request r = requests.get(i);
          double[] pi = r.pi(t, f);
          p[i] = new double[k];
          for (int j = 0; j < k; j++) {
            p[i][j] = pi[r.choice()[j]];
          }
          for (int c = 0; c < pi.length; c++) {
            logging += pi[c] * r.truth()[c] / n;
          }
        }
        out.printf(Locale.ROOT, "temperature %s, propensity floor %s: the logging policy's top-slot true CTR %.5f, "
            + "%.1f %% below its greedy choice's %.5f%n", t, f, logging, 100 * (1 - logging / greedy), greedy);
        redraw(a, requests, p, truth, out);
      }
    }
  }

  /**
   * Redraws the logged top banner from the probabilities p (per request, of each candidate's choice) and its click,
   * and reports per candidate the spread of IPS and SNIPS, their 95 % normal intervals' coverage of the truth, the
   * weights' effective sample size and Pareto k; then how often both estimators cover every candidate at once.
   */
  private static void redraw(Args a, List<Request> requests, double[][] p, double[] truth, PrintStream out) {
    int n = requests.size();
    int k = truth.length;
    SplittableRandom rng = new SplittableRandom(5);
    double[][] ipsDraws = new double[k][a.redraws];
    double[][] snipsDraws = new double[k][a.redraws];
    int[] ipsCovers = new int[k];
    int[] snipsCovers = new int[k];
    int[] weightBelowOne = new int[k];
    double[] essSum = new double[k];
    double[] paretoSum = new double[k];
    int allIps = 0;
    int allSnips = 0;
    double[][] w = new double[k][n];
    for (int t = 0; t < a.redraws; t++) {
      double[] sx = new double[k];
      double[] sx2 = new double[k];
      double[] sw = new double[k];
      double[] sw2 = new double[k];
      for (int i = 0; i < n; i++) {
        Request r = requests.get(i);
        // the logged banner: one of the candidates' choices (each counted once) or another
        double u = rng.nextDouble();
        double acc = 0;
        int drawn = -1;
        int slot = -1;
        for (int j = 0; j < k && drawn < 0; j++) {
          boolean repeat = false;
          for (int e = 0; e < j; e++) {
            repeat |= r.choice()[e] == r.choice()[j];
          }
          if (!repeat) {
            acc += p[i][j];
            if (u < acc) {
              drawn = r.choice()[j];
              slot = j;
            }
          }
        }
        boolean click = drawn >= 0 && rng.nextDouble() < r.truth()[drawn];
        for (int j = 0; j < k; j++) {
          w[j][i] = 0;
          if (drawn >= 0 && r.choice()[j] == drawn) {
            double x = 1 / p[i][slot];
            w[j][i] = x;
            sw[j] += x;
            sw2[j] += x * x;
            if (click) {
              sx[j] += x;
              sx2[j] += x * x;
            }
          }
        }
      }
      boolean ipsAll = true;
      boolean snipsAll = true;
      for (int j = 0; j < k; j++) {
        double v = sx[j] / n;
        double ratio = sw[j] == 0 ? 0 : sx[j] / sw[j];
        ipsDraws[j][t] = v;
        snipsDraws[j][t] = ratio;
        boolean ipsCovered = Math.abs(v - truth[j]) <= 1.96 * Math.sqrt(Math.max(0, sx2[j] / n - v * v) / n);
        // delta method: the ratio's variance from the sums of (w r - R w)^2 (r is 0 or 1)
        double var = (sx2[j] - 2 * ratio * sx2[j] + ratio * ratio * sw2[j]) / n / Math.pow(sw[j] / n, 2) / n;
        boolean snipsCovered = Math.abs(ratio - truth[j]) <= 1.96 * Math.sqrt(Math.max(0, var));
        ipsCovers[j] += ipsCovered ? 1 : 0;
        snipsCovers[j] += snipsCovered ? 1 : 0;
        ipsAll &= ipsCovered;
        snipsAll &= snipsCovered;
        weightBelowOne[j] += sw[j] / n < 1 ? 1 : 0;
        essSum[j] += sw2[j] == 0 ? 0 : sw[j] * sw[j] / sw2[j];
        paretoSum[j] += Estimators.paretoK(w[j]);
      }
      allIps += ipsAll ? 1 : 0;
      allSnips += snipsAll ? 1 : 0;
    }
    int lo = (int) (0.025 * a.redraws);
    int hi = (int) Math.ceil(0.975 * a.redraws) - 1;
    for (int j = 0; j < k; j++) {
      double[] si = ipsDraws[j].clone();
      double[] ss = snipsDraws[j].clone();
      Arrays.sort(si);
      Arrays.sort(ss);
      out.printf(Locale.ROOT, "  %s (truth %.5f), %d redraws: IPS mean %.5f, sd %.5f, 2.5-97.5 %% [%.5f, %.5f]; "
          + "SNIPS mean %.5f, sd %.5f, [%.5f, %.5f]; a 95 %% normal interval covers the truth: IPS %d %%, SNIPS %d %%; "
          + "ESS %.0f, pareto_k %.2f (means); mean weight below 1: %d %%%n", a.candidates.get(j).getFileName(),
          truth[j], a.redraws, mean(ipsDraws[j]), sd(ipsDraws[j]), si[lo], si[hi], mean(snipsDraws[j]),
          sd(snipsDraws[j]), ss[lo], ss[hi], 100 * ipsCovers[j] / a.redraws, 100 * snipsCovers[j] / a.redraws,
          essSum[j] / a.redraws, paretoSum[j] / a.redraws, 100 * weightBelowOne[j] / a.redraws);
    }
    out.printf(Locale.ROOT, "  every candidate covered in one redraw: IPS %d %%, SNIPS %d %%%n",
        100 * allIps / a.redraws, 100 * allSnips / a.redraws);
  }

  private static double[] scores(ScoringModel m, UserHistory h, UserProfile profile, DecisionRecord d,
      List<Banner> eligible, long now) {
    int n = eligible.size();
    BannerFeatures[] c = new BannerFeatures[n];
    for (int i = 0; i < n; i++) {
      c[i] = m.banner(eligible.get(i).id());
    }
    float[] p = new float[n];
    m.predict(m.userFeatures(profile, h == null ? UserHistory.forSpec(m.spec()) : h, now),
        new ScoringContext(now, LogJoin.platformOf(d.platform()), m.spec().neutralSlot()), c, n, p);
    double[] score = new double[n];
    for (int i = 0; i < n; i++) {
      score[i] = eligible.get(i).bid() * p[i];
    }
    return score;
  }

  /** The best score, ties to the smaller banner id, as the target policy orders. */
  private static int argmax(double[] score, List<Banner> eligible) {
    int best = 0;
    for (int i = 1; i < score.length; i++) {
      if (score[i] > score[best] || score[i] == score[best] && eligible.get(i).id().compareTo(eligible.get(best).id()) < 0) {
        best = i;
      }
    }
    return best;
  }

  private static int shownSince(List<Impression> seen, String banner, long since) {
    int n = 0;
    for (int i = seen.size() - 1; i >= 0 && seen.get(i).timestamp() >= since; i--) {
      n += seen.get(i).bannerId().equals(banner) ? 1 : 0;
    }
    return n;
  }

  private static UserHistory history(Map<String, UserHistory> histories, String user, ScoringModel m) {
    return histories.computeIfAbsent(user, u -> UserHistory.forSpec(m.spec()));
  }

  private static double mean(double[] x) {
    return Arrays.stream(x).average().orElse(Double.NaN);
  }

  private static double sd(double[] x) {
    double m = mean(x);
    double s = 0;
    for (double v : x) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (x.length - 1));
  }
}
