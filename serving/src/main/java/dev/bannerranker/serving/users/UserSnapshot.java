package dev.bannerranker.serving.users;

import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.serving.model.ModelGeneration;

/**
 * A user as one request sees them: a private copy of the history, so scoring runs without holding the user's
 * lock.
 *
 * @param profile the profile, or {@link UserProfile#unknown} when none is on file
 * @param cold true when nothing is known: no profile and no activity
 * @param history a copy of the history, indexed by the request's model
 * @param shown the impressions the frequency caps count (every one the state holds of the model's banners)
 */
public record UserSnapshot(UserProfile profile, boolean cold, UserHistory history, ShownBanners shown) {

  /** A user nothing is known about, for {@code g}: what Rank uses when the store cannot be read. */
  public static UserSnapshot unknown(String userId, ModelGeneration g) {
    return new UserSnapshot(UserProfile.unknown(userId), true,
        new UserHistory(g.spec().maxRecentEvents(), g.spec().maxRecentImpressions(), false), ShownBanners.none());
  }
}
