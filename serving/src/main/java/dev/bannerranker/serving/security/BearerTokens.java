package dev.bannerranker.serving.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.Map;

/**
 * The configured token of each {@link Access}, kept as a SHA-256 digest: a presented token is hashed and the two
 * digests compared with {@link MessageDigest#isEqual}, so neither the time taken nor the length reveals the token.
 */
public final class BearerTokens {
  private final Map<Access, byte[]> digests = new EnumMap<>(Access.class);

  /** @throws IllegalArgumentException when a token is given twice, or its file is unreadable or empty */
  public BearerTokens(SecuritySettings s) {
    put(Access.WRITE, s.writeToken(), s.writeTokenFile());
    put(Access.ADMIN, s.adminToken(), s.adminTokenFile());
    put(Access.RANK, s.rankToken(), s.rankTokenFile());
  }

  private void put(Access access, String inline, String file) {
    String key = "ranker.security." + access.label() + "-token";
    if (!inline.isEmpty() && !file.isEmpty()) {
      throw new IllegalArgumentException(key + " and " + key + "-file are both set; give one");
    }
    String token = inline;
    if (!file.isEmpty()) {
      try {
        token = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(key + "-file " + file + " cannot be read: " + e.getMessage(), e);
      }
      if (token.isEmpty()) {
        throw new IllegalArgumentException(key + "-file " + file + " is empty");
      }
    }
    if (!token.isEmpty()) {
      digests.put(access, sha256(token));
    }
  }

  /** Whether calls of {@code access} need a token. */
  public boolean required(Access access) {
    return digests.containsKey(access);
  }

  /** Whether {@code presented} is the token of {@code access}; false when none is configured. */
  public boolean matches(Access access, String presented) {
    byte[] expected = digests.get(access);
    return expected != null && MessageDigest.isEqual(expected, sha256(presented));
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
