package dev.bannerranker.loop.offpolicy;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.loop.export.LogJoin;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.serving.config.EligibilitySettings;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.ranking.Eligibility;
import dev.bannerranker.serving.users.UserSnapshot;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ServingLogReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replays a joined serving log against a new bundle and estimates the top-slot click-through of the policy that
 * bundle would run. For each logged request whose top banner was shown (an impression with the request's id):
 * <ul>
 *   <li>the user's state (profile, history, the impressions the frequency cap counts) is the one the service's
 *       Rank read: rebuilt by the service's own user-state code from its starting data and every event the log
 *       holds before the request, in the log's order ({@link ServedUserStates}); the features and scores are the
 *       runtime's;</li>
 *   <li>the target policy is greedy: it puts first the candidate with the highest value × predicted CTR (value as
 *       the service's {@code ranker.ordering.value}: bid, 1 + priority, or 1), scored at the bundle's neutral
 *       slot as the service does; ties go to the smaller banner id;</li>
 *   <li>the candidates are, with {@link Candidates#CATALOG}, the banners of the request's catalog snapshot eligible
 *       for it (placement, flight, targeting) that the bundle knows; with {@link Candidates#RETURNED}, the logged
 *       returned banners;</li>
 *   <li>the reward is the click on the logged top banner; the propensity that of the logged top banner at
 *       position 1; the direct model of DR is the bundle's predicted CTR at slot 1.</li>
 * </ul>
 * For each lower position k it also keeps what {@link Estimators#positions} needs under the position-based click
 * model (a click at k has probability {@code theta_k x relevance(user, banner)}): the target's k-th banner (its
 * k-th best by the same order) judged at the top slot with the top slot's logged propensity, and, for the
 * examination ratio {@code theta_k / theta_1}, whether the logged banner at k was shown and clicked and the bundle's
 * predicted CTR of it at the neutral slot.
 * The service's eligibility rules, the frequency cap included, leave banners out as in the service. For the
 * decisions the bundle itself served, the replay also checks itself: whether it reproduces their logged predicted
 * CTRs exactly. Assumes the service's other rules (pinned and blocked banners, the popularity order of cold-start
 * users) do not change the top slot.
 */
public final class OffPolicyEvaluation {

  /** Where the target policy chooses from. */
  public enum Candidates { CATALOG, RETURNED }

  /** What a click is worth in the target's order. */
  public enum Value { BID, PRIORITY, NONE }

  /**
   * The per-request arrays and the counts of skipped requests; {@code decision[m]} is used request m's index in the
   * log's decisions and {@code target[m]} the target's top banner for it.
   */
  public record Replay(double[] w, double[] r, double[] q, double[] qLogged, Map<String, Object> counts,
      Map<String, Object> fidelity, Map<String, long[]> byModelVersion, Positions positions, int[] decision,
      String[] target) {}

  /**
   * Per position k (index 0 = position 1) and used request m, each 0 unless the logged banner at k was shown at k:
   * {@code shown[k][m]} 1; {@code click} 1 when it was clicked; {@code knownClick} and {@code expected} the click
   * and the bundle's predicted CTR at the neutral slot, when the bundle knows the banner; {@code w} the importance
   * weight of the target's k-th banner at the top slot (1 / the logged top propensity when it is the logged top
   * banner, else 0); {@code q} the bundle's predicted CTR of the target's k-th banner at slot 1. Position 1's
   * {@code w} and {@code q} are the top-slot replay's own.
   */
  public record Positions(double[][] shown, double[][] click, double[][] knownClick, double[][] expected,
      double[][] w, double[][] q) {
    public int count() {
      return shown.length;
    }
  }

  /** Positions estimated at most. */
  public static final int MAX_POSITIONS = 10;

  private OffPolicyEvaluation() {}

  /**
   * Replays the log in {@code logDir} (joined as {@code log}) against {@code model}, leaving out of the target's
   * candidates the banners the user was shown {@code frequencyCapPerDay} times in the 24 hours before the request, as
   * the service's {@code ranker.eligibility.frequency-cap-per-day} does (0: no cap). The users' state is the
   * service's ({@link ServedUserStates}): {@code history}, when not null, is the data directory the service started
   * from ({@code serve --data}); {@code activityCapacity} its {@code ranker.users.activity-capacity}.
   */
  public static Replay replay(Path logDir, LogJoin.Joined log, ScoringModel model, Candidates mode, Value value,
      int frequencyCapPerDay, Path history, int activityCapacity) throws IOException {
    Map<String, Impression> topShown = new HashMap<>();
    for (Impression i : log.impressions()) {
      if (!i.requestId().isEmpty()) {
        topShown.putIfAbsent(i.requestId() + "\u0000" + i.bannerId(), i);
      }
    }
    ModelGeneration g = ModelGeneration.of(model, null);
    Map<String, Banner> bannersById = new HashMap<>();
    log.banners().forEach(b -> bannersById.put(b.id(), b));
    ServedUserStates states = new ServedUserStates(g, history, log.users(), bannersById, activityCapacity);
    Eligibility eligibility = new Eligibility(new EligibilitySettings(frequencyCapPerDay, List.of(), List.of()));
    Walk walk = new Walk(log, model, g, mode, value, eligibility, topShown);
    Map<String, Integer> pending = new HashMap<>();
    for (int k = 0; k < log.decisions().size(); k++) {
      DecisionRecord d = log.decisions().get(k);
      if (d.requestId() == null) {
        walk.skip(d); // no impression can name it
      } else {
        pending.put(d.requestId(), k);
      }
    }
    // The log's order is the order the service applied each user's calls: the state before a decision is every
    // event of the user logged before it.
    ServingLogReader.read(logDir, new ServingLogReader.Visitor() {
      @Override
      public void record(LogRecord record, String file, long line) {
        if (record instanceof DecisionRecord d) {
          Integer index = d.requestId() == null ? null : pending.remove(d.requestId());
          if (index != null) {
            DecisionRecord kept = log.decisions().get(index);
            walk.decision(kept, index, states.snapshot(kept.userId()));
          }
        } else {
          states.apply(record);
        }
      }
    });
    return walk.finish();
  }

  /** The per-request walk over the decisions, in the log's order. */
  private static final class Walk {
    final LogJoin.Joined log;
    final ScoringModel model;
    final ModelGeneration g;
    final Candidates mode;
    final Value value;
    final Eligibility eligibility;
    final Map<String, Impression> topShown;
    final int n;
    final double[] w;
    final double[] r;
    final double[] q;
    final double[] qLogged;
    final int[] decision;
    final String[] target;
    final double[][][] perPosition = new double[6][MAX_POSITIONS][]; // as Positions' components, made when first used
    int positions = 1;
    int m;
    long noTop;
    long notShown;
    long badPropensity;
    long noCandidates;
    long matched;
    final Map<String, long[]> byVersion = new TreeMap<>();
    final String version;
    long ownDecisions;
    long scoresReproduced;
    long loggedEligible;
    long greedyDecisions;
    long greedyTopReproduced;

    Walk(LogJoin.Joined log, ScoringModel model, ModelGeneration g, Candidates mode, Value value,
        Eligibility eligibility, Map<String, Impression> topShown) {
      this.log = log;
      this.model = model;
      this.g = g;
      this.mode = mode;
      this.value = value;
      this.eligibility = eligibility;
      this.topShown = topShown;
      this.version = model.bundle().modelVersion();
      n = log.decisions().size();
      w = new double[n];
      r = new double[n];
      q = new double[n];
      qLogged = new double[n];
      decision = new int[n];
      target = new String[n];
    }

    void skip(DecisionRecord d) {
      if (d.banners().stream().noneMatch(b -> b.position() == 1)) {
        noTop++;
      } else {
        notShown++;
      }
    }

    void decision(DecisionRecord d, int index, UserSnapshot user) {
      long now = d.time().getEpochSecond();
      LoggedBanner top = d.banners().stream().filter(b -> b.position() == 1).findFirst().orElse(null);
      if (top == null) {
        noTop++;
        return;
      }
      UserProfile profile = user.profile();
      Platform platform = LogJoin.platformOf(d.platform());
      ScoringContext atNeutralSlot = new ScoringContext(now, platform, model.spec().neutralSlot());
      List<BannerFeatures> known = candidates(log, d, profile, model, mode, now);
      // (an empty list would mean the placement's banners to the service's eligibility)
      List<BannerFeatures> candidates = known.isEmpty() ? known
          : eligibility.selectResolved(g, d.placement(), known, profile, user.shown(), now).ranked();
      UserFeatures u = candidates.isEmpty() && !version.equals(d.modelVersion()) ? null
          : model.userFeatures(profile, user.history(), now);
      if (version.equals(d.modelVersion()) && "personalized".equals(d.path())) {
        checkAgainstLog(d, top, candidates, u, atNeutralSlot);
      }
      Impression shown = d.requestId() == null ? null : topShown.get(d.requestId() + "\u0000" + top.bannerId());
      if (shown == null || shown.slotPosition() != 1) {
        notShown++;
        return;
      }
      if (!(top.propensity() > 0 && top.propensity() <= 1)) {
        badPropensity++;
        return;
      }
      if (candidates.isEmpty()) {
        noCandidates++;
        return;
      }
      BannerFeatures[] c = candidates.toArray(BannerFeatures[]::new);
      Integer[] order = targetOrder(c, u, atNeutralSlot);
      int ranked = Math.min(MAX_POSITIONS, c.length);
      BannerFeatures logged = model.banner(top.bannerId());
      // slot 1 predictions of the target's first banners and of the logged top banner
      BannerFeatures[] judged = new BannerFeatures[ranked + 1];
      for (int k = 0; k < ranked; k++) {
        judged[k] = c[order[k]];
      }
      judged[ranked] = logged == null ? judged[0] : logged;
      float[] atTop = new float[judged.length];
      model.predict(u, new ScoringContext(now, platform, 1), judged, judged.length, atTop);
      BannerFeatures chosen = judged[0];
      boolean same = chosen.banner().id().equals(top.bannerId());
      w[m] = same ? 1.0 / top.propensity() : 0;
      r[m] = shown.clicked() ? 1 : 0;
      q[m] = atTop[0];
      qLogged[m] = logged == null ? 0 : atTop[ranked];
      decision[m] = index;
      target[m] = chosen.banner().id();
      positions = Math.max(positions, loggedPositions(d, ranked, perPosition, n, m, judged, atTop, top, topShown,
          model, u, atNeutralSlot));
      m++;
      if (same) {
        matched++;
      }
      long[] v = byVersion.computeIfAbsent(d.modelVersion(), k -> new long[2]);
      v[0]++;
      v[1] += shown.clicked() ? 1 : 0;
    }

    /** The target's order of {@code c}: value x predicted CTR at the neutral slot, ties to the smaller banner id. */
    Integer[] targetOrder(BannerFeatures[] c, UserFeatures u, ScoringContext atNeutralSlot) {
      float[] p = new float[c.length];
      model.predict(u, atNeutralSlot, c, c.length, p);
      double[] score = new double[c.length];
      Integer[] order = new Integer[c.length];
      for (int k = 0; k < c.length; k++) {
        score[k] = value(c[k].banner(), value) * p[k];
        order[k] = k;
      }
      java.util.Arrays.sort(order, (x, y) -> score[x] != score[y] ? Double.compare(score[y], score[x])
          : c[x].banner().id().compareTo(c[y].banner().id()));
      return order;
    }

    /**
     * A decision of the bundle being replayed: whether the replay reproduces its logged predicted CTRs exactly (at
     * the float precision the log keeps), finds every logged banner eligible, and, for a greedy decision, puts the
     * logged top banner first.
     */
    void checkAgainstLog(DecisionRecord d, LoggedBanner top, List<BannerFeatures> candidates, UserFeatures u,
        ScoringContext atNeutralSlot) {
      ownDecisions++;
      BannerFeatures[] loggedBanners = new BannerFeatures[d.banners().size()];
      boolean eligible = true;
      for (int k = 0; k < loggedBanners.length; k++) {
        loggedBanners[k] = model.banner(d.banners().get(k).bannerId());
        if (loggedBanners[k] == null) {
          return; // not the bundle's catalog: nothing to compare
        }
        eligible &= candidates.contains(loggedBanners[k]);
      }
      float[] p = new float[loggedBanners.length];
      model.predict(u, atNeutralSlot, loggedBanners, loggedBanners.length, p);
      boolean same = true;
      for (int k = 0; k < p.length; k++) {
        same &= p[k] == (float) d.banners().get(k).predictedCtr();
      }
      scoresReproduced += same ? 1 : 0;
      loggedEligible += eligible ? 1 : 0;
      if ("greedy".equals(d.policy()) && !candidates.isEmpty()) {
        greedyDecisions++;
        BannerFeatures[] c = candidates.toArray(BannerFeatures[]::new);
        greedyTopReproduced += c[targetOrder(c, u, atNeutralSlot)[0]].banner().id().equals(top.bannerId()) ? 1 : 0;
      }
    }

    Replay finish() {
      Map<String, Object> counts = new LinkedHashMap<>();
      counts.put("decisions", n);
      counts.put("requests_used", m);
      counts.put("target_agrees_with_logged_top", matched);
      counts.put("skipped_no_top_banner", noTop);
      counts.put("skipped_top_not_shown", notShown);
      counts.put("skipped_bad_propensity", badPropensity);
      counts.put("skipped_no_candidates", noCandidates);
      Map<String, Object> fidelity = new LinkedHashMap<>();
      fidelity.put("decisions_of_this_bundle", ownDecisions);
      fidelity.put("scores_reproduced", scoresReproduced);
      fidelity.put("logged_banners_eligible", loggedEligible);
      fidelity.put("greedy_decisions", greedyDecisions);
      fidelity.put("greedy_top_reproduced", greedyTopReproduced);
      double[][][] trimmed = new double[6][positions][];
      for (int a = 0; a < 6; a++) {
        for (int k = 0; k < positions; k++) {
          trimmed[a][k] = perPosition[a][k] == null ? new double[m] : java.util.Arrays.copyOf(perPosition[a][k], m);
        }
      }
      return new Replay(java.util.Arrays.copyOf(w, m), java.util.Arrays.copyOf(r, m), java.util.Arrays.copyOf(q, m),
          java.util.Arrays.copyOf(qLogged, m), counts, fidelity, byVersion,
          new Positions(trimmed[0], trimmed[1], trimmed[2], trimmed[3], trimmed[4], trimmed[5]),
          java.util.Arrays.copyOf(decision, m), java.util.Arrays.copyOf(target, m));
    }
  }

  /**
   * Fills request m's entries of {@code perPosition} (a position's arrays, of length {@code requests}, made when first
   * used) for the positions up to {@code ranked} whose logged banner was shown there; returns the last such position
   * (at least 1: the top banner was shown).
   */
  private static int loggedPositions(DecisionRecord d, int ranked, double[][][] perPosition, int requests, int m,
      BannerFeatures[] judged, float[] atTop, LoggedBanner top, Map<String, Impression> shownByRequest,
      ScoringModel model, UserFeatures u, ScoringContext neutral) {
    Impression[] seen = new Impression[ranked];
    BannerFeatures[] known = new BannerFeatures[ranked];
    for (LoggedBanner b : d.banners()) {
      int k = b.position() - 1;
      Impression imp = k < 0 || k >= ranked ? null : shownByRequest.get(d.requestId() + "\u0000" + b.bannerId());
      if (imp != null && imp.slotPosition() == b.position()) {
        seen[k] = imp;
        known[k] = model.banner(b.bannerId());
      }
    }
    BannerFeatures[] toScore = java.util.Arrays.stream(known).filter(java.util.Objects::nonNull)
        .toArray(BannerFeatures[]::new);
    float[] expected = new float[toScore.length];
    model.predict(u, neutral, toScore, toScore.length, expected);
    int last = 1;
    int j = 0;
    for (int k = 0; k < ranked; k++) {
      if (seen[k] == null) {
        continue;
      }
      double click = seen[k].clicked() ? 1 : 0;
      if (perPosition[0][k] == null) {
        for (double[][] component : perPosition) {
          component[k] = new double[requests];
        }
      }
      perPosition[0][k][m] = 1;
      perPosition[1][k][m] = click;
      if (known[k] != null) { // a banner the bundle does not know has no relevance to compare with
        perPosition[2][k][m] = click;
        perPosition[3][k][m] = expected[j++];
      }
      perPosition[4][k][m] = judged[k].banner().id().equals(top.bannerId()) ? 1.0 / top.propensity() : 0;
      perPosition[5][k][m] = atTop[k];
      last = k + 1;
    }
    return last;
  }

  private static List<BannerFeatures> candidates(LogJoin.Joined log, DecisionRecord d, UserProfile profile,
      ScoringModel model, Candidates mode, long now) {
    List<BannerFeatures> out = new ArrayList<>();
    if (mode == Candidates.RETURNED) {
      for (LoggedBanner b : d.banners()) {
        BannerFeatures f = model.banner(b.bannerId());
        if (f != null) {
          out.add(f);
        }
      }
      return out;
    }
    List<Banner> catalog = d.catalog() == null ? log.banners() : log.catalogs().getOrDefault(d.catalog(), log.banners());
    for (Banner b : catalog) {
      if (b.placement().equals(d.placement()) && b.liveAt(now) && b.targets(profile)) {
        BannerFeatures f = model.banner(b.id());
        if (f != null) {
          out.add(f);
        }
      }
    }
    return out;
  }

  static double value(Banner b, Value value) {
    return switch (value) {
      case BID -> b.bid();
      case PRIORITY -> 1 + b.priority();
      case NONE -> 1;
    };
  }
}
