package dev.bannerranker.data;

/** Shopper gender as written in {@code users.csv}: F, M or U (unknown / not given). */
public enum Gender {
  F, M, U;

  /** Parses the CSV code; throws {@link IllegalArgumentException} naming the allowed values. */
  public static Gender parse(String code) {
    switch (code) {
      case "F": return F;
      case "M": return M;
      case "U": return U;
      default: throw new IllegalArgumentException("gender must be F, M or U, got '" + code + "'");
    }
  }
}
