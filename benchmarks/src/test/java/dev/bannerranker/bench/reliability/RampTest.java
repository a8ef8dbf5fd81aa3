package dev.bannerranker.bench.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The overload scenario's capacity rule over step results. */
class RampTest {
  /** A 2-second step at {@code rate} with every call sent, {@code ok} of them answered and {@code shed} shed. */
  private static Ramp.Step step(double rate, long ok, long shed) {
    return new Ramp.Step(rate, 2, (long) (2 * rate), ok, shed, 0);
  }

  private static Ramp.Step clean(double rate) {
    return step(rate, (long) (2 * rate), 0);
  }

  @Test
  void aStepKeepsUpOnlyWithNothingShedNothingFailedAndNearlyAllItsCallsAnswered() {
    assertTrue(clean(100).keptUp());
    assertTrue(step(100, 190, 0).keptUp(), "95 % answered: the sender fell a little behind");
    assertFalse(step(100, 189, 0).keptUp(), "under 95 % answered");
    assertFalse(step(100, 199, 1).keptUp(), "one call shed");
    assertFalse(new Ramp.Step(100, 2, 200, 199, 0, 1).keptUp(), "one call failed otherwise");
    assertEquals(95.0, step(100, 190, 0).admittedRps(), 1e-9);
  }

  @Test
  void theSustainableRateIsTheLastStepThatKeptUpBeforeTheFirstThatDidNot() {
    Ramp.Capacity c = Ramp.sustainable(List.of(clean(100), clean(115), step(132, 200, 64), clean(152)));
    assertEquals(115, c.rps(), 1e-9);
    assertEquals("ramp", c.source());
  }

  @Test
  void aRampThatNeverFellBehindIsCappedAndOneThatFellBehindAtOnceTakesTheAdmittedRate() {
    Ramp.Capacity capped = Ramp.sustainable(List.of(clean(100), clean(115)));
    assertEquals(115, capped.rps(), 1e-9);
    assertEquals("ramp_capped", capped.source());

    Ramp.Capacity admitted = Ramp.sustainable(List.of(step(100, 150, 50)));
    assertEquals(75, admitted.rps(), 1e-9);
    assertEquals("ramp_admitted", admitted.source());
    assertThrows(IllegalArgumentException.class, () -> Ramp.sustainable(List.of()));
  }

  @Test
  void theRampRisesByItsFactorFromHalfTheClosedLoopAndStopsAtTheFirstStepBehindOrTheLastStep() {
    assertEquals(500, Ramp.rate(1000, 0), 1e-9);
    assertEquals(500 * Ramp.FACTOR * Ramp.FACTOR, Ramp.rate(1000, 2), 1e-6);

    List<Ramp.Step> steps = new ArrayList<>();
    assertTrue(Ramp.goesOn(steps));
    steps.add(clean(100));
    assertTrue(Ramp.goesOn(steps));
    assertEquals(115, Ramp.nextRate(200, steps), 1e-9);
    steps.add(step(115, 200, 30));
    assertTrue(Ramp.goesOn(steps), "a rate that fell behind once is tried again");
    assertEquals(115, Ramp.nextRate(200, steps), 1e-9);
    steps.add(step(115, 210, 10));
    assertFalse(Ramp.goesOn(steps), "a rate fell behind twice");

    List<Ramp.Step> all = new ArrayList<>();
    for (int i = 0; i < Ramp.MAX_STEPS; i++) {
      assertTrue(Ramp.goesOn(all));
      all.add(clean(Ramp.rate(100, i)));
    }
    assertFalse(Ramp.goesOn(all), "the last step");
  }

  @Test
  void aRateThatFellBehindOnceAndKeptUpWhenTriedAgainDoesNotEndTheRamp() {
    List<Ramp.Step> steps = new ArrayList<>(List.of(clean(100), step(115, 200, 30), clean(115)));
    assertTrue(Ramp.goesOn(steps));
    assertEquals(115 * Ramp.FACTOR, Ramp.nextRate(200, steps), 1e-9);
    steps.add(step(132, 200, 64));
    steps.add(step(132, 210, 54));
    Ramp.Capacity c = Ramp.sustainable(steps);
    assertEquals(115, c.rps(), 1e-9, "a stall's step does not count; a rate behind twice ends the ramp");
    assertEquals("ramp", c.source());

    Ramp.Capacity first = Ramp.sustainable(List.of(step(100, 150, 50), clean(100), clean(115)));
    assertEquals(115, first.rps(), 1e-9, "the first rate kept up when tried again");
    assertEquals("ramp_capped", first.source());
  }
}
