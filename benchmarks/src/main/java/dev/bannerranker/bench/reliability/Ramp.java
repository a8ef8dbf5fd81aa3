package dev.bannerranker.bench.reliability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The overload scenario's capacity measure: open-loop steps at rising rates on a warmed service. A step keeps up when
 * no call was shed or failed and at least {@link #KEPT_UP_SHARE} of the calls it was to offer were answered OK; a
 * step that does not is tried once more at the same rate, since a stall of the service (its JIT compiler taking the
 * core for a few hundred milliseconds, now and then in its first minutes) can shed a step's calls at a rate it keeps
 * up with. The sustainable rate is the offered rate of the last step that kept up before the first rate that did not,
 * twice.
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

  /** Whether the ramp goes on after {@code steps}: until a rate falls behind twice in a row, or the last step. */
  static boolean goesOn(List<Step> steps) {
    if (steps.isEmpty()) {
      return true;
    }
    Step last = steps.get(steps.size() - 1);
    return steps.size() < MAX_STEPS && (last.keptUp() || !isRetry(steps, steps.size() - 1));
  }

  /** The next step's rate: the last one's again after it fell behind for the first time, else one step up. */
  static double nextRate(double closedLoopRps, List<Step> steps) {
    if (steps.isEmpty()) {
      return rate(closedLoopRps, 0);
    }
    Step last = steps.get(steps.size() - 1);
    return last.keptUp() ? last.offeredRps() * FACTOR : last.offeredRps();
  }

  /** Whether step {@code i} repeated the rate of the step before it, which fell behind. */
  private static boolean isRetry(List<Step> steps, int i) {
    return i > 0 && !steps.get(i - 1).keptUp() && steps.get(i - 1).offeredRps() == steps.get(i).offeredRps();
  }

  /**
   * The offered rate of the last step that kept up before the first that did not and was not tried again, or was
   * tried again and fell behind again ({@code ramp}; {@code ramp_capped} when every rate kept up, so the service may
   * take more); when the first rate already fell behind, the highest rate any step got admitted ({@code
   * ramp_admitted}).
   */
  static Capacity sustainable(List<Step> steps) {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("no ramp steps");
    }
    double kept = Double.NaN;
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      if (s.keptUp()) {
        kept = s.offeredRps();
        continue;
      }
      boolean triedAgain = i + 1 < steps.size() && isRetry(steps, i + 1);
      if (!triedAgain) {
        return Double.isNaN(kept) ? new Capacity(maxAdmitted(steps), "ramp_admitted") : new Capacity(kept, "ramp");
      }
    }
    return new Capacity(kept, "ramp_capped");
  }

  /** The highest rate any step got admitted. */
  static double maxAdmitted(List<Step> steps) {
    return steps.stream().mapToDouble(Step::admittedRps).max().orElse(Double.NaN);
  }
}
