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

    @Option(names = "--temperature", defaultValue = "0.25",
        description = "The logging softmax's temperature. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--redraws", defaultValue = "200", description = "Default: ${DEFAULT-VALUE}.")
    int redraws;

    @Option(names = "--frequency-cap-per-day", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    int cap;

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

  /** A logged request: the logging policy's probabilities and each banner's truth, over the eligible banners. */
  private record Request(double[] pi, double[] truth, int[] choice, int logged, boolean clicked, double propensity) {}

  static void run(Args a, PrintStream out) throws Exception {
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
      double[] pi = new double[n];
      double sum = 0;
      double topLog = Math.log(Math.max(loggingScore[best[0]], 1e-12));
      for (int c = 0; c < n; c++) {
        pi[c] = Math.exp((Math.log(Math.max(loggingScore[c], 1e-12)) - topLog) / a.temperature);
        sum += pi[c];
      }
      double[] truth = new double[n];
      List<Impression> tired = fatigue.getOrDefault(d.userId(), List.of());
      for (int c = 0; c < n; c++) {
        pi[c] /= sum;
        truth[c] = world.trueClickProbability(d.userId(), eligible.get(c).id(), 1,
            LoggedContextTruth.recent(tired, eligible.get(c).id(), now));
      }
      requests.add(new Request(pi, truth, Arrays.copyOfRange(best, 1, k + 1), logged, shown.clicked(),
          top.propensity()));
    }
    report(a, requests, out);
  }

  private static void report(Args a, List<Request> requests, PrintStream out) {
    int n = requests.size();
    out.printf(Locale.ROOT, "%d logged requests%n", n);
    for (int j = 0; j < a.candidates.size(); j++) {
      double truth = 0;
      double ips = 0;
      double ipsTrue = 0;
      double weights = 0;
      for (Request r : requests) {
        int b = r.choice()[j];
        truth += r.truth()[b] / n;
        if (r.logged() == b) {
          double w = 1 / r.propensity();
          weights += w / n;
          ips += (r.clicked() ? w : 0) / n;
          ipsTrue += w * r.truth()[b] / n;
        }
      }
      out.printf(Locale.ROOT, "%s: true CTR on the logged requests %.5f; this log: IPS %.5f, with the true "
          + "probability for each click %.5f, mean weight %.4f, SNIPS %.5f%n", a.candidates.get(j), truth, ips, ipsTrue,
          weights, ips / weights);
      SplittableRandom rng = new SplittableRandom(5 + j);
      double[] ipsDraws = new double[a.redraws];
      double[] snipsDraws = new double[a.redraws];
      int ipsCovers = 0;
      int snipsCovers = 0;
      int weightBelowOne = 0;
      for (int t = 0; t < a.redraws; t++) {
        double sx = 0;
        double sx2 = 0;
        double sw = 0;
        double sw2 = 0;
        for (Request r : requests) {
          double u = rng.nextDouble();
          int c = 0;
          double acc = r.pi()[0];
          while (u >= acc && c < r.pi().length - 1) {
            acc += r.pi()[++c];
          }
          boolean click = rng.nextDouble() < r.truth()[c];
          if (c == r.choice()[j]) {
            double w = 1 / r.pi()[c];
            sw += w;
            sw2 += w * w;
            if (click) {
              sx += w;
              sx2 += w * w;
            }
          }
        }
        double v = sx / n;
        double ratio = sw == 0 ? 0 : sx / sw;
        ipsDraws[t] = v;
        snipsDraws[t] = ratio;
        if (Math.abs(v - truth) <= 1.96 * Math.sqrt(Math.max(0, sx2 / n - v * v) / n)) {
          ipsCovers++;
        }
        // delta method: the ratio's variance from the sums of (w r - R w)^2 (r is 0 or 1)
        double var = (sx2 - 2 * ratio * sx2 + ratio * ratio * sw2) / n / Math.pow(sw / n, 2) / n;
        if (Math.abs(ratio - truth) <= 1.96 * Math.sqrt(Math.max(0, var))) {
          snipsCovers++;
        }
        if (sw / n < 1) {
          weightBelowOne++;
        }
      }
      double[] si = ipsDraws.clone();
      double[] ss = snipsDraws.clone();
      Arrays.sort(si);
      Arrays.sort(ss);
      int lo = (int) (0.025 * a.redraws);
      int hi = (int) Math.ceil(0.975 * a.redraws) - 1;
      out.printf(Locale.ROOT, "  %d redraws: IPS mean %.5f, sd %.5f, 2.5-97.5 %% [%.5f, %.5f]; SNIPS mean %.5f "
          + "[%.5f, %.5f]; a 95 %% normal interval covers the truth: IPS %d %%, SNIPS %d %%; mean weight below 1: "
          + "%d %%%n", a.redraws, mean(ipsDraws), sd(ipsDraws), si[lo], si[hi], mean(snipsDraws), ss[lo], ss[hi],
          100 * ipsCovers / a.redraws, 100 * snipsCovers / a.redraws, 100 * weightBelowOne / a.redraws);
    }
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
