package dev.bannerranker.serving.model;

import java.util.Locale;

/** An A/B arm. Every user is in exactly one, by a stable hash of the user id. */
public enum Arm {
  CONTROL, TREATMENT;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The lower-case name used in responses, logs and metric tags. */
  public String label() {
    return label;
  }
}
