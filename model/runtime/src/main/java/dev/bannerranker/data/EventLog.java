package dev.bannerranker.data;

import java.util.List;
import java.util.Map;

/**
 * The four input tables, in memory. Events and impressions are sorted by time (stable, so rows with equal
 * times keep file order). {@code trueCtr} maps impression id to the generator's true click probability,
 * and is empty for real data.
 */
public record EventLog(
    List<Banner> banners,
    List<UserProfile> users,
    List<BehaviourEvent> events,
    List<Impression> impressions,
    Map<String, Double> trueCtr,
    DataProblems problems) {

  public boolean hasTruth() {
    return !trueCtr.isEmpty();
  }
}
