package dev.bannerranker.serving.ranking;

import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.serving.catalog.PlacementRules;
import dev.bannerranker.serving.config.EligibilitySettings;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.users.ShownBanners;
import dev.bannerranker.serving.users.UserState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which banners may be shown: in flight at the request time, of the placement, not paused, targeted at the user,
 * not blocked, and under the per-user daily frequency cap. Pinned banners obey the same rules; pinning changes
 * the order, not eligibility. A placement's pinned and blocked banners are its rules in the live catalog, or the
 * configured ones ({@code ranker.eligibility}) until rules are set for it at run time.
 */
public final class Eligibility {
  static final long DAY_SECONDS = UserState.CAP_WINDOW_SECONDS;

  private final int cap;
  private final PlacementRules configured;

  public Eligibility(EligibilitySettings settings) {
    this.cap = settings.frequencyCapPerDay();
    this.configured = new PlacementRules(settings.pinned(), settings.blocked());
  }

  /** The placement's rules in {@code g}'s catalog, or the configured ones. */
  private PlacementRules rules(ModelGeneration g, String placement) {
    PlacementRules r = g.rules(placement);
    return r != null ? r : configured;
  }

  /**
   * The eligible banners.
   *
   * @param pinned eligible pinned banners, in configured order
   * @param ranked the other eligible banners, in candidate order
   */
  public record Eligible(List<BannerFeatures> pinned, List<BannerFeatures> ranked) {
    public int size() {
      return pinned.size() + ranked.size();
    }
  }

  /** Filters {@code candidates} (or the placement's banners when empty) for this user at {@code now}. */
  public Eligible select(ModelGeneration g, String placement, List<String> candidates, UserProfile profile,
      UserHistory history, long now) {
    List<BannerFeatures> resolved = new ArrayList<>(candidates.size());
    for (String id : candidates) {
      resolved.add(g.banner(id));
    }
    return selectResolved(g, placement, resolved, profile, history, now);
  }

  /**
   * As {@link #select}, for candidates already resolved in {@code g}'s catalog (unique, none null); an empty list
   * means the placement's banners. Nothing is copied when no banner is pinned.
   */
  public Eligible selectResolved(ModelGeneration g, String placement, List<BannerFeatures> candidates,
      UserProfile profile, UserHistory history, long now) {
    return selectResolved(g, placement, candidates, profile, shownIn(history), now);
  }

  /** As above, with the caps counting {@code shown} (the user state's impressions) rather than a history's ring. */
  public Eligible selectResolved(ModelGeneration g, String placement, List<BannerFeatures> candidates,
      UserProfile profile, ShownBanners shown, long now) {
    List<BannerFeatures> pool = candidates.isEmpty() ? g.banners(placement) : candidates;
    PlacementRules rules = rules(g, placement);
    Set<String> pinnedIds = rules.pinnedSet();
    Set<String> blocked = rules.blockedSet();
    List<BannerFeatures> pins = List.of();
    if (!pinnedIds.isEmpty()) {
      pins = new ArrayList<>();
      for (String id : rules.pinned()) {
        BannerFeatures b = g.banner(id);
        if (b != null && !pins.contains(b) && pool.contains(b) && shown(g, b, placement, profile, blocked, now)
            && !capped(b, shown, now)) {
          pins.add(b);
        }
      }
    }
    int[] capped = cappedBanners(shown, now);
    List<BannerFeatures> ranked = new ArrayList<>(pool.size());
    for (BannerFeatures b : pool) {
      // A pinned banner never ranks among the others, whether or not it was eligible.
      if ((pinnedIds.isEmpty() || !pinnedIds.contains(b.banner().id()))
          && shown(g, b, placement, profile, blocked, now) && !contains(capped, b.index())) {
        ranked.add(b);
      }
    }
    return new Eligible(pins, ranked);
  }

  /**
   * The banners at the cap, found once per request from the user's impressions (a ring of a few dozen) rather
   * than by scanning the ring for every candidate; the same rule as {@link #capped}.
   */
  int[] cappedBanners(ShownBanners history, long now) {
    int n = history.size();
    if (cap == 0 || n < cap) {
      return NONE;
    }
    int[] out = new int[n / cap];
    int found = 0;
    for (int k = 0; k < n && found < out.length; k++) {
      int banner = history.banner(k);
      if (history.time(k) >= now - DAY_SECONDS && !contains(out, found, banner)
          && history.countSince(banner, now - DAY_SECONDS) >= cap) {
        out[found++] = banner;
      }
    }
    return found == out.length ? out : java.util.Arrays.copyOf(out, found);
  }

  private static final int[] NONE = new int[0];

  private static boolean contains(int[] a, int value) {
    return contains(a, a.length, value);
  }

  private static boolean contains(int[] a, int n, int value) {
    for (int i = 0; i < n; i++) {
      if (a[i] == value) {
        return true;
      }
    }
    return false;
  }

  boolean eligible(ModelGeneration g, BannerFeatures b, String placement, UserProfile profile, UserHistory history,
      long now) {
    return shown(g, b, placement, profile, rules(g, placement).blockedSet(), now) && !capped(b, history, now);
  }

  /** A history's ring of impressions, oldest first. */
  static ShownBanners shownIn(UserHistory history) {
    int n = history.impressionCount();
    int[] banners = new int[n];
    long[] times = new long[n];
    for (int k = 0; k < n; k++) {
      banners[k] = history.impressionBanner(k);
      times[k] = history.impressionTime(k);
    }
    return ShownBanners.of(banners, times, n);
  }

  private boolean capped(BannerFeatures b, ShownBanners shown, long now) {
    return cap > 0 && shown.countSince(b.index(), now - DAY_SECONDS) >= cap;
  }

  /** Every rule but the frequency cap. */
  private static boolean shown(ModelGeneration g, BannerFeatures b, String placement, UserProfile profile,
      Set<String> blocked, long now) {
    return b.banner().placement().equals(placement)
        && b.banner().liveAt(now)
        && !g.paused(b)
        && b.banner().targets(profile)
        && !blocked.contains(b.banner().id());
  }

  /** At the cap: {@code cap} impressions in the 24 hours before {@code now} (or stamped later, clock skew). */
  boolean capped(BannerFeatures b, UserHistory history, long now) {
    return cap > 0 && history.impressionsOf(b.index(), now - DAY_SECONDS, Long.MAX_VALUE) >= cap;
  }
}
