package dev.bannerranker.trainer.pipeline;

/** What {@code train --objective} makes the network learn. */
public enum Objective {
  /** The click probability alone. */
  CLICK("click"),
  /**
   * The click probability and the probability that a click converts, learnt jointly over every impression in the way
   * of ESMM (pCTCVR = pCTR × pCVR); needs the impressions' {@code converted} column.
   */
  CLICK_CONVERSION("click+conversion");

  private final String code;

  Objective(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  public static Objective parse(String code) {
    for (Objective o : values()) {
      if (o.code.equals(code)) {
        return o;
      }
    }
    throw new IllegalArgumentException("--objective must be click or click+conversion, got '"
        + (code.length() > 40 ? code.substring(0, 40) + "..." : code) + "'");
  }
}
