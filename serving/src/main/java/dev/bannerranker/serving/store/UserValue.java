package dev.bannerranker.serving.store;

import dev.bannerranker.data.UserProfile;
import java.util.Arrays;

/**
 * One user's whole state as one stored value, the layout both durable stores use: a flag byte ({@value #PROFILED}
 * when a profile follows, else 0), the three {@link StoredProfile} bytes, then the {@link StoredLog}. One value per
 * user, so every write refreshes the retention of all of it, and the log is the value's tail (an append extends it).
 */
public final class UserValue {
  /** The flag byte of a value that holds a profile. */
  public static final byte PROFILED = 1;

  private UserValue() {}

  /** The value of a profile and a log, either of them null when absent. */
  public static byte[] encode(UserProfile profile, byte[] log) {
    byte[] p = profile == null ? new byte[0] : StoredProfile.encode(profile);
    byte[] l = log == null ? new byte[0] : log;
    byte[] v = new byte[1 + p.length + l.length];
    v[0] = profile == null ? 0 : PROFILED;
    System.arraycopy(p, 0, v, 1, p.length);
    System.arraycopy(l, 0, v, 1 + p.length, l.length);
    return v;
  }

  /** The user's state held in {@code v}; null for a null value. */
  public static StoredUser decode(String userId, byte[] v) {
    if (v == null) {
      return null;
    }
    if (v.length == 0 || v[0] != PROFILED && v[0] != 0 || v[0] == PROFILED && v.length < 4) {
      throw new IllegalStateException("the stored state of a user is corrupt");
    }
    int logFrom = v[0] == PROFILED ? 4 : 1;
    UserProfile p = v[0] == PROFILED ? StoredProfile.decode(userId, Arrays.copyOfRange(v, 1, 4)) : null;
    byte[] log = v.length > logFrom ? Arrays.copyOfRange(v, logFrom, v.length) : null;
    return new StoredUser(userId, p, log);
  }
}
