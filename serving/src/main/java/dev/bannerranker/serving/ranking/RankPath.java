package dev.bannerranker.serving.ranking;

import java.util.Locale;

/** How a Rank was answered; its label tags the {@code ranker.rank.responses} and {@code ranker.fallbacks} meters. */
public enum RankPath {
  /** Scored by the model for this user. */
  PERSONALIZED,
  /** Popularity order: the user has no state the model can use. */
  COLD_START,
  /** Popularity order: the deadline left no time to score. */
  DEADLINE,
  /** Popularity order: the user store could not be read. */
  STORE_UNAVAILABLE;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The metric tag value: personalized, cold_start, deadline or store_unavailable. */
  public String label() {
    return label;
  }
}
