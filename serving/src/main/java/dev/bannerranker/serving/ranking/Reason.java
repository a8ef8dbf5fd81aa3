package dev.bannerranker.serving.ranking;

/** Why a banner holds its position. */
public enum Reason {
  /** Ordered by the model's expected value for this user. */
  PERSONALIZED,
  /** Ordered by popularity: unknown user, or no time left for the model. */
  POPULAR_FALLBACK,
  /** Placed by the exploration policy. */
  EXPLORATION,
  /** Pinned by configuration. */
  PINNED
}
