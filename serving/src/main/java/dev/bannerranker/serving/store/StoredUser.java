package dev.bannerranker.serving.store;

import dev.bannerranker.data.UserProfile;

/**
 * What the store holds about one user.
 *
 * @param userId the user
 * @param profile gender, age band and city tier (its id is {@code userId}); null when none is on file
 * @param log the packed activity log ({@link StoredLog}); null when none
 */
public record StoredUser(String userId, UserProfile profile, byte[] log) {}
