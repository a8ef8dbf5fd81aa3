package dev.bannerranker.loop.offpolicy;

import dev.bannerranker.data.Impression;
import dev.bannerranker.loop.export.LogJoin;
import dev.bannerranker.servinglog.DecisionRecord;
import dev.bannerranker.trainer.generate.LiveShoppers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the off-policy estimators estimate, computed from the simulator's world: over the replayed requests, the mean
 * true click probability of the target's top banner in the logged context — the user as logged, at the logged time,
 * shown at the top slot after the impressions of that banner to that user in the log's previous 72 hours (the
 * world's fatigue), those before the requests' time range included. The same for the logged top banner checks the
 * replay against the simulator's own figure. Without fatigue (no recent impressions counted) shows how much of the
 * value the users' exposure decides.
 */
public final class LoggedContextTruth {

  /** Mean true top-slot click probabilities of the target's and the logged choices, with and without fatigue. */
  public record Truth(double target, double targetWithoutFatigue, double targetRecentImpressions, double logged,
      double loggedWithoutFatigue, double loggedRecentImpressions, int requests, int unknown) {
    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target_true_ctr", target);
      m.put("target_true_ctr_without_fatigue", targetWithoutFatigue);
      m.put("target_mean_recent_impressions", targetRecentImpressions);
      m.put("logging_true_ctr", logged);
      m.put("logging_true_ctr_without_fatigue", loggedWithoutFatigue);
      m.put("logging_mean_recent_impressions", loggedRecentImpressions);
      m.put("requests", requests);
      m.put("requests_unknown_to_world", unknown);
      return m;
    }
  }

  private LoggedContextTruth() {}

  /**
   * The truth of {@code replay}'s requests (those of {@code log}) in {@code world}; unknown users are left out.
   * {@code shown} are the log's impressions in time order from at least the fatigue window before the first request
   * on: {@code log}'s own when it starts where the log does, else a join of the wider range ({@link #fatigueRange}).
   */
  public static Truth of(LogJoin.Joined log, List<Impression> shown, OffPolicyEvaluation.Replay replay,
      LiveShoppers world) {
    Map<String, List<Impression>> byUser = new HashMap<>();
    for (Impression i : shown) { // in time order
      byUser.computeIfAbsent(i.userId(), k -> new ArrayList<>()).add(i);
    }
    double[] sums = new double[6];
    int used = 0;
    int unknown = 0;
    for (int m = 0; m < replay.decision().length; m++) {
      DecisionRecord d = log.decisions().get(replay.decision()[m]);
      String logged = d.banners().stream().filter(b -> b.position() == 1).findFirst().orElseThrow().bannerId();
      long now = d.time().getEpochSecond();
      List<Impression> seen = byUser.getOrDefault(d.userId(), List.of());
      int targetRecent = recent(seen, replay.target()[m], now);
      int loggedRecent = recent(seen, logged, now);
      double t = world.trueClickProbability(d.userId(), replay.target()[m], 1, targetRecent);
      double t0 = world.trueClickProbability(d.userId(), replay.target()[m], 1, 0);
      double l = world.trueClickProbability(d.userId(), logged, 1, loggedRecent);
      double l0 = world.trueClickProbability(d.userId(), logged, 1, 0);
      if (Double.isNaN(t) || Double.isNaN(l)) {
        unknown++;
        continue;
      }
      sums[0] += t;
      sums[1] += t0;
      sums[2] += targetRecent;
      sums[3] += l;
      sums[4] += l0;
      sums[5] += loggedRecent;
      used++;
    }
    double n = Math.max(1, used);
    return new Truth(sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n, sums[4] / n, sums[5] / n, used, unknown);
  }

  /**
   * The join options whose impressions the truth of requests joined with {@code requests} needs: the same, starting
   * the fatigue window earlier; {@code requests} itself when it has no start.
   */
  public static LogJoin.Options fatigueRange(LogJoin.Options requests) {
    return requests.since() == null ? requests : new LogJoin.Options(
        requests.since().minusSeconds(LiveShoppers.FATIGUE_WINDOW_SECONDS), requests.until(), requests.window(),
        requests.conversionWindow(), requests.maxBadFraction());
  }

  /**
   * Impressions of {@code banner} in {@code seen} (in time order) during the fatigue window strictly before
   * {@code now}: the world's count, as a user's impressions at one second are of distinct banners.
   */
  public static int recent(List<Impression> seen, String banner, long now) {
    int n = 0;
    for (Impression i : seen) {
      if (i.timestamp() >= now) {
        break;
      }
      if (now - i.timestamp() < LiveShoppers.FATIGUE_WINDOW_SECONDS && i.bannerId().equals(banner)) {
        n++;
      }
    }
    return n;
  }
}
