package dev.bannerranker.serving.ranking;

import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.users.UserStateStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes to users other than events: profile upserts (UpsertProfiles) and deletion (DeleteUser), free of gRPC. A
 * store that cannot be written throws {@code StoreUnavailableException}.
 */
public final class UserUpdates {
  private final UserStateStore users;
  private final ModelRegistry registry;
  private final RequestSettings limits;

  public UserUpdates(UserStateStore users, ModelRegistry registry, RequestSettings limits) {
    this.users = users;
    this.registry = registry;
    this.limits = limits;
  }

  /** A profile as a client sends it, before validation. */
  public record ProfileInput(String userId, String gender, String ageBand, int cityTier) {
    public ProfileInput {
      userId = userId == null ? "" : userId;
      gender = gender == null ? "" : gender;
      ageBand = ageBand == null ? "" : ageBand;
    }
  }

  /**
   * Validates every profile as a {@code users.csv} row is validated (gender F, M or U; an age band of {@link
   * CsvSchemas#AGE_BANDS}; a city tier in range), then stores them all in one write. Returns how many were stored.
   *
   * @throws InvalidRequestException naming the first bad field ({@code profiles[i].age_band}); nothing is stored
   */
  public int upsertProfiles(List<ProfileInput> inputs) {
    if (inputs.size() > limits.maxEventsPerCall()) {
      throw new InvalidRequestException("profiles", "profiles has " + inputs.size() + " items, more than the limit of "
          + limits.maxEventsPerCall());
    }
    List<UserProfile> profiles = new ArrayList<>(inputs.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < inputs.size(); i++) {
      ProfileInput in = inputs.get(i);
      String at = "profiles[" + i + "]";
      RequestChecks.userId(at + ".user_id", in.userId(), limits);
      if (!seen.add(in.userId())) {
        throw new InvalidRequestException(at + ".user_id", at + ".user_id appears earlier in the call");
      }
      Gender gender;
      try {
        gender = Gender.parse(in.gender());
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(at + ".gender", at + ".gender must be F, M or U, got '" + clip(in.gender())
            + "'");
      }
      if (!CsvSchemas.AGE_BANDS.contains(in.ageBand())) {
        throw new InvalidRequestException(at + ".age_band", at + ".age_band must be one of " + CsvSchemas.AGE_BANDS
            + ", got '" + clip(in.ageBand()) + "'");
      }
      if (in.cityTier() < CsvSchemas.MIN_CITY_TIER || in.cityTier() > CsvSchemas.MAX_CITY_TIER) {
        throw new InvalidRequestException(at + ".city_tier", at + ".city_tier must be " + CsvSchemas.MIN_CITY_TIER
            + " to " + CsvSchemas.MAX_CITY_TIER + ", got " + in.cityTier());
      }
      profiles.add(new UserProfile(in.userId(), gender, in.ageBand(), in.cityTier()));
    }
    users.upsertProfiles(profiles);
    return profiles.size();
  }

  /** Deletes everything held about the user: the store's record, the cached state and the cached tastes. */
  public boolean deleteUser(String userId) {
    RequestChecks.userId("user_id", userId, limits);
    boolean held = users.delete(userId);
    for (Arm arm : Arm.values()) {
      ModelGeneration g = registry.current().generation(arm);
      if (g != null) {
        g.forgetTaste(userId);
      }
    }
    return held;
  }

  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
