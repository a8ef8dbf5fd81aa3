package dev.bannerranker.serving.ranking;

import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.serving.config.EligibilitySettings;
import dev.bannerranker.serving.model.ModelGeneration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which banners may be shown: in flight at the request time, of the placement, targeted at the user, not
 * blocked, and under the per-user daily frequency cap. Pinned banners obey the same rules; pinning changes
 * the order, not eligibility.
 */
public final class Eligibility {
  static final long DAY_SECONDS = 86_400;

  private final int cap;
  private final List<String> pinned;
  private final Set<String> pinnedIds;
  private final Set<String> blocked;

  public Eligibility(EligibilitySettings settings) {
    this.cap = settings.frequencyCapPerDay();
    this.pinned = settings.pinned();
    this.pinnedIds = Set.copyOf(settings.pinned());
    this.blocked = Set.copyOf(settings.blocked());
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
    List<BannerFeatures> pool = candidates.isEmpty() ? g.banners(placement) : candidates;
    List<BannerFeatures> pins = List.of();
    if (!pinned.isEmpty()) {
      pins = new ArrayList<>();
      for (String id : pinned) {
        BannerFeatures b = g.banner(id);
        if (b != null && !pins.contains(b) && pool.contains(b) && eligible(b, placement, profile, history, now)) {
          pins.add(b);
        }
      }
    }
    List<BannerFeatures> ranked = new ArrayList<>(pool.size());
    for (BannerFeatures b : pool) {
      // A pinned banner never ranks among the others, whether or not it was eligible.
      if ((pinnedIds.isEmpty() || !pinnedIds.contains(b.banner().id())) && eligible(b, placement, profile, history, now)) {
        ranked.add(b);
      }
    }
    return new Eligible(pins, ranked);
  }

  boolean eligible(BannerFeatures b, String placement, UserProfile profile, UserHistory history, long now) {
    return b.banner().placement().equals(placement)
        && b.banner().liveAt(now)
        && b.banner().targets(profile)
        && !blocked.contains(b.banner().id())
        && !capped(b, history, now);
  }

  /** At the cap: {@code cap} impressions in the 24 hours before {@code now} (or stamped later, clock skew). */
  boolean capped(BannerFeatures b, UserHistory history, long now) {
    return cap > 0 && history.impressionsOf(b.index(), now - DAY_SECONDS, Long.MAX_VALUE) >= cap;
  }
}
