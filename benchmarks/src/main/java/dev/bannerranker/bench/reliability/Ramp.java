package dev.bannerranker.bench.reliability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The overload scenario's capacity measure: open-loop steps at rising rates on a warmed service. A step keeps up when
 * no call was shed or failed and at least {@link #KEPT_UP_SHARE} of the calls it was to offer were answered OK; the
 * sustainable rate is the offered rate of the last step that kept up before the first that did not.
 */
final class Ramp {
  /** Share of a step's offered calls that must be answered OK (the rest: the sender fell behind). */
  static final double KEPT_UP_SHARE = 0.95;
  /** Each step offers this times the previous one. */
  static final double FACTOR = 1.15;
  /** The first step offers this share of the closed loop's rate. */
  static final double START_SHARE = 0.5;
  /**
   * At most this many steps: the last offers {@code START_SHARE * FACTOR^(MAX_STEPS-1)} (12.4) times the closed loop's
   * rate, which understates the service when Rank's limit sheds most of the closed loop's callers.
   */
  static final int MAX_STEPS = 24;

  private Ramp() {}

  /** One step: the rate it offered for {@code seconds}, the calls sent, and how they ended. */
  record Step(double offeredRps, double seconds, long sent, long ok, long shed, long otherErrors) {
    double admittedRps() {
      return ok / seconds;
    }

    boolean keptUp() {
      return shed == 0 && otherErrors == 0 && ok >= KEPT_UP_SHARE * offeredRps * seconds;
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("offered_rps", Math.round(offeredRps));
      m.put("sent_rps", Math.round(sent / seconds));
      m.put("admitted_rps", Math.round(admittedRps()));
      m.put("shed", shed);
      m.put("other_errors", otherErrors);
      m.put("kept_up", keptUp());
      return m;
    }
  }

  /** The sustainable rate and where it came from. */
  record Capacity(double rps, String source) {}

  /** The rate of step {@code i} (from 0) of a ramp from a closed loop's {@code closedLoopRps}. */
  static double rate(double closedLoopRps, int i) {
    return START_SHARE * closedLoopRps * Math.pow(FACTOR, i);
  }

  /** Whether the ramp goes on after {@code steps}: until a step falls behind or the last step. */
  static boolean goesOn(List<Step> steps) {
    return steps.isEmpty() || steps.size() < MAX_STEPS && steps.get(steps.size() - 1).keptUp();
  }

  /**
   * The offered rate of the last step that kept up before the first that did not ({@code ramp}; {@code ramp_capped}
   * when every step kept up, so the service may take more); when the first step already fell behind, the highest rate
   * any step got admitted ({@code ramp_admitted}).
   */
  static Capacity sustainable(List<Step> steps) {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("no ramp steps");
    }
    double kept = Double.NaN;
    for (Step s : steps) {
      if (!s.keptUp()) {
        return Double.isNaN(kept) ? new Capacity(maxAdmitted(steps), "ramp_admitted") : new Capacity(kept, "ramp");
      }
      kept = s.offeredRps();
    }
    return new Capacity(kept, "ramp_capped");
  }

  /** The highest rate any step got admitted. */
  static double maxAdmitted(List<Step> steps) {
    return steps.stream().mapToDouble(Step::admittedRps).max().orElse(Double.NaN);
  }
}
