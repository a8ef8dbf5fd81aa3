package dev.bannerranker.data;

/** One row of {@code users.csv}. */
public record UserProfile(String id, Gender gender, String ageBand, int cityTier) {

  /** The profile assumed for a user id the service has never seen. */
  public static UserProfile unknown(String id) {
    return new UserProfile(id, Gender.U, "", 0);
  }
}
