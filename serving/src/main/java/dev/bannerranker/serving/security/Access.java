package dev.bannerranker.serving.security;

/** Which token a call needs. */
public enum Access {
  /** Rank: open unless {@code ranker.security.rank-token} is set. */
  RANK("rank"),
  /** Calls that change users' state. */
  WRITE("write"),
  /** Model, catalog and user administration. */
  ADMIN("admin");

  private final String label;

  Access(String label) {
    this.label = label;
  }

  /** The name used in configuration keys and messages. */
  public String label() {
    return label;
  }
}
