package dev.bannerranker.loop.offpolicy;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.loop.export.LogJoin;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.servinglog.DecisionRecord.LoggedBanner;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.HistoryReplay;
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
 *   <li>the user's history is every logged product event and impression strictly before the request, replayed in
 *       time order with the training sweep's rules (the service's feature code, the runtime scorer);</li>
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
 * Banners at the frequency cap (every impression of the 24 hours before the request counted, as the service keeps
 * them for its cap) are left out as the service does. Assumes the service's other rules (pinned and
 * blocked banners, the popularity order of cold-start users) do not change the top slot.
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
      Map<String, long[]> byModelVersion, Positions positions, int[] decision, String[] target) {}

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

  private static final long DAY_SECONDS = 86_400;

  private OffPolicyEvaluation() {}

  public static Replay replay(LogJoin.Joined log, ScoringModel model, Candidates mode, Value value) {
    return replay(log, model, mode, value, 0, null);
  }

  /**
   * As {@link #replay(LogJoin.Joined, ScoringModel, Candidates, Value)}, leaving out of the target's candidates the
   * banners the user was shown {@code frequencyCapPerDay} times in the 24 hours before the request, as the
   * service's {@code ranker.eligibility.frequency-cap-per-day} does (0: no cap). {@code before}, when not null, is
   * the history the service started its users from ({@code serve --data}): replayed ahead of the log's.
   */
  public static Replay replay(LogJoin.Joined log, ScoringModel model, Candidates mode, Value value,
      int frequencyCapPerDay, EventLog before) {
    Map<String, Impression> topShown = new HashMap<>();
    for (Impression i : log.impressions()) {
      if (!i.requestId().isEmpty()) {
        topShown.putIfAbsent(i.requestId() + "\u0000" + i.bannerId(), i);
      }
    }
    Map<String, UserProfile> profiles = new HashMap<>();
    log.users().forEach(u -> profiles.put(u.id(), u));
    Map<String, UserHistory> histories = new HashMap<>();
    // every impression per user, in time order: a history keeps only its latest few, the service's cap counts all
    Map<String, List<Impression>> shownTo = new HashMap<>();
    List<BehaviourEvent> events = log.events();
    List<Impression> imps = log.impressions();
    if (before != null) {
      events = new ArrayList<>(before.events());
      events.addAll(log.events());
      events.sort(java.util.Comparator.comparingLong(BehaviourEvent::timestamp)); // stable: the data's first
      imps = new ArrayList<>(before.impressions());
      imps.addAll(log.impressions());
      imps.sort(java.util.Comparator.comparingLong(Impression::timestamp));
      for (UserProfile u : before.users()) {
        profiles.putIfAbsent(u.id(), u);
      }
    }
    HistoryReplay replay = new HistoryReplay(events, imps);

    int n = log.decisions().size();
    double[] w = new double[n];
    double[] r = new double[n];
    double[] q = new double[n];
    double[] qLogged = new double[n];
    int[] decision = new int[n];
    String[] target = new String[n];
    int index = -1;
    double[][][] perPosition = new double[6][MAX_POSITIONS][]; // as Positions' components, made when first used
    int positions = 1;
    int m = 0;
    long noTop = 0;
    long notShown = 0;
    long badPropensity = 0;
    long noCandidates = 0;
    long matched = 0;
    Map<String, long[]> byVersion = new TreeMap<>();
    int neutral = model.spec().neutralSlot();
    for (DecisionRecord d : log.decisions()) {
      index++;
      long now = d.time().getEpochSecond();
      // history strictly before the request
      replay.advanceTo(now,
          ev -> DatasetBuilder.applyEvent(history(histories, ev.userId(), model), ev, model.bundle().vocab()),
          imp -> {
            shownTo.computeIfAbsent(imp.userId(), k -> new ArrayList<>()).add(imp);
            BannerFeatures b = model.banner(imp.bannerId());
            if (b != null) {
              DatasetBuilder.applyImpression(history(histories, imp.userId(), model), b, imp.timestamp(),
                  imp.clicked());
            }
          });
      LoggedBanner top = d.banners().stream().filter(b -> b.position() == 1).findFirst().orElse(null);
      if (top == null) {
        noTop++;
        continue;
      }
      Impression shown = d.requestId() == null ? null : topShown.get(d.requestId() + "\u0000" + top.bannerId());
      if (shown == null || shown.slotPosition() != 1) {
        notShown++;
        continue;
      }
      if (!(top.propensity() > 0 && top.propensity() <= 1)) {
        badPropensity++;
        continue;
      }
      UserProfile profile = profiles.getOrDefault(d.userId(), UserProfile.unknown(d.userId()));
      UserHistory h = histories.get(d.userId());
      List<BannerFeatures> candidates = candidates(log, d, profile, model, mode, now);
      List<Impression> seen = shownTo.get(d.userId());
      if (frequencyCapPerDay > 0 && seen != null) {
        candidates.removeIf(b -> shownSince(seen, b.banner().id(), now - DAY_SECONDS) >= frequencyCapPerDay);
      }
      if (candidates.isEmpty()) {
        noCandidates++;
        continue;
      }
      UserFeatures u = model.userFeatures(profile, h == null ? UserHistory.forSpec(model.spec()) : h, now);
      Platform platform = LogJoin.platformOf(d.platform());
      BannerFeatures[] c = candidates.toArray(BannerFeatures[]::new);
      float[] atNeutral = new float[c.length];
      model.predict(u, new ScoringContext(now, platform, neutral), c, c.length, atNeutral);
      // the target's order: value x predicted CTR, ties to the smaller banner id
      double[] score = new double[c.length];
      Integer[] order = new Integer[c.length];
      for (int k = 0; k < c.length; k++) {
        score[k] = value(c[k].banner(), value) * atNeutral[k];
        order[k] = k;
      }
      java.util.Arrays.sort(order, (x, y) -> score[x] != score[y] ? Double.compare(score[y], score[x])
          : c[x].banner().id().compareTo(c[y].banner().id()));
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
      positions = Math.max(positions, loggedPositions(d, ranked, perPosition, n, m, judged, atTop, top, topShown, model,
          u, new ScoringContext(now, platform, neutral)));
      m++;
      if (same) {
        matched++;
      }
      long[] v = byVersion.computeIfAbsent(d.modelVersion(), k -> new long[2]);
      v[0]++;
      v[1] += shown.clicked() ? 1 : 0;
    }
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("decisions", n);
    counts.put("requests_used", m);
    counts.put("target_agrees_with_logged_top", matched);
    counts.put("skipped_no_top_banner", noTop);
    counts.put("skipped_top_not_shown", notShown);
    counts.put("skipped_bad_propensity", badPropensity);
    counts.put("skipped_no_candidates", noCandidates);
    double[][][] trimmed = new double[6][positions][];
    for (int a = 0; a < 6; a++) {
      for (int k = 0; k < positions; k++) {
        trimmed[a][k] = perPosition[a][k] == null ? new double[m] : java.util.Arrays.copyOf(perPosition[a][k], m);
      }
    }
    return new Replay(java.util.Arrays.copyOf(w, m), java.util.Arrays.copyOf(r, m), java.util.Arrays.copyOf(q, m),
        java.util.Arrays.copyOf(qLogged, m), counts, byVersion,
        new Positions(trimmed[0], trimmed[1], trimmed[2], trimmed[3], trimmed[4], trimmed[5]),
        java.util.Arrays.copyOf(decision, m), java.util.Arrays.copyOf(target, m));
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

  /** Impressions of {@code banner} in {@code seen} (in time order) at or after {@code since}. */
  private static int shownSince(List<Impression> seen, String banner, long since) {
    int n = 0;
    for (int k = seen.size() - 1; k >= 0 && seen.get(k).timestamp() >= since; k--) {
      if (seen.get(k).bannerId().equals(banner)) {
        n++;
      }
    }
    return n;
  }

  private static UserHistory history(Map<String, UserHistory> histories, String user, ScoringModel model) {
    return histories.computeIfAbsent(user, k -> UserHistory.forSpec(model.spec()));
  }
}
