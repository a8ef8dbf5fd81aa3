package dev.bannerranker.serving.model;

import java.nio.charset.StandardCharsets;

/**
 * The models serving right now: the control arm, the optional treatment arm and the split. One immutable
 * value behind one reference; a request reads it once.
 *
 * @param control the control arm's model, or null
 * @param treatment the treatment arm's model, or null
 * @param treatmentPercent share of users, 0 to 100, that the treatment arm serves while it has a model
 * @param salt salt of the user hash
 */
public record ServingModels(ModelGeneration control, ModelGeneration treatment, int treatmentPercent, String salt) {

  /** The arm that serves this user: stable for a given id, salt and share. */
  public Arm armFor(String userId) {
    return treatment != null && bucket(salt, userId) < treatmentPercent ? Arm.TREATMENT : Arm.CONTROL;
  }

  /** The arm's model, or null when it has none. */
  public ModelGeneration generation(Arm arm) {
    return arm == Arm.CONTROL ? control : treatment;
  }

  ServingModels with(Arm arm, ModelGeneration g) {
    return arm == Arm.CONTROL ? new ServingModels(g, treatment, treatmentPercent, salt)
        : new ServingModels(control, g, treatmentPercent, salt);
  }

  /** The user's bucket in [0, 100): FNV-1a over salt, a NUL and id, then the first round of MurmurHash3's fmix64. */
  static int bucket(String salt, String userId) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (salt + '\u0000' + userId).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (int) Math.floorMod(h, 100L);
  }
}
