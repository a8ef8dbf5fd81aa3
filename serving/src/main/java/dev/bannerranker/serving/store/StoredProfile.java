package dev.bannerranker.serving.store;

import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;

/**
 * A profile's stored form, three bytes: the gender's ordinal ({@link Gender}), the age band's position in {@link
 * CsvSchemas#AGE_BANDS} plus one (0 for none) and the city tier (0 for none).
 */
public final class StoredProfile {
  private static final Gender[] GENDERS = Gender.values();

  private StoredProfile() {}

  public static byte[] encode(UserProfile p) {
    int band = p.ageBand().isEmpty() ? 0 : CsvSchemas.AGE_BANDS.indexOf(p.ageBand()) + 1;
    if (band < 0 || p.cityTier() < 0 || p.cityTier() > 127) {
      throw new IllegalArgumentException("profile of " + p.id() + " has no stored form");
    }
    return new byte[] {(byte) p.gender().ordinal(), (byte) band, (byte) p.cityTier()};
  }

  /** The profile of {@code userId} stored as {@code bytes}; throws {@link IllegalStateException} for bad bytes. */
  public static UserProfile decode(String userId, byte[] bytes) {
    if (bytes.length != 3 || bytes[0] < 0 || bytes[0] >= GENDERS.length || bytes[1] < 0
        || bytes[1] > CsvSchemas.AGE_BANDS.size()) {
      throw new IllegalStateException("the stored profile of a user is corrupt (" + bytes.length + " bytes)");
    }
    return new UserProfile(userId, GENDERS[bytes[0]], bytes[1] == 0 ? "" : CsvSchemas.AGE_BANDS.get(bytes[1] - 1),
        bytes[2]);
  }
}
