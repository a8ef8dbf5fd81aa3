package dev.bannerranker.data;

import java.util.List;
import java.util.Map;

/**
 * The four input tables, in memory. Events and impressions are sorted by time (stable, so rows with equal
 * times keep file order). {@code trueCtr} maps impression id to the generator's true click probability,
 * and is empty for real data; {@code trueCvr} likewise its true probability that a click converts. {@code
 * conversions} tells whether the impressions file has the {@code converted} column.
 */
public record EventLog(
    List<Banner> banners,
    List<UserProfile> users,
    List<BehaviourEvent> events,
    List<Impression> impressions,
    Map<String, Double> trueCtr,
    DataProblems problems,
    boolean conversions,
    Map<String, Double> trueCvr) {

  /** A log without conversions. */
  public EventLog(List<Banner> banners, List<UserProfile> users, List<BehaviourEvent> events,
      List<Impression> impressions, Map<String, Double> trueCtr, DataProblems problems) {
    this(banners, users, events, impressions, trueCtr, problems, false, Map.of());
  }

  public boolean hasTruth() {
    return !trueCtr.isEmpty();
  }
}
