package dev.bannerranker.scoring;

import static org.junit.jupiter.api.Assertions.*;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * The Vector API exponential of the attention's softmax: the scalar one's values exactly, lane by lane, and so
 * Math.exp's to float precision over the softmax's inputs (after the max is subtracted, x ≤ 0).
 */
class PanamaExpTest {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private static float[] vectorExp(float[] x) {
    int l = S.length();
    float[] padded = java.util.Arrays.copyOf(x, (x.length + l - 1) / l * l);
    float[] out = new float[padded.length];
    for (int i = 0; i < padded.length; i += l) {
      PanamaKernels.exp(FloatVector.fromArray(S, padded, i)).intoArray(out, i);
    }
    return java.util.Arrays.copyOf(out, x.length);
  }

  /** Every 1/4096 from 0 down to -100: past the clamp at -87, where e^x leaves float's normal range. */
  @Test
  void equalsTheScalarExpAndMathExpOnADenseGrid() {
    int points = 100 * 4096 + 1;
    float[] x = new float[points];
    for (int i = 0; i < points; i++) {
      x[i] = -i / 4096f;
    }
    float[] got = vectorExp(x);
    double maxRelative = 0;
    for (int i = 0; i < points; i++) {
      assertEquals(Float.floatToRawIntBits(DenseKernels.expNonPositive(x[i])), Float.floatToRawIntBits(got[i]),
          "x = " + x[i]);
      if (x[i] >= DenseKernels.EXP_MIN) {
        double want = Math.exp(x[i]);
        maxRelative = Math.max(maxRelative, Math.abs(got[i] - want) / want);
      } else {
        assertEquals(0f, got[i], "x = " + x[i]);
      }
    }
    // float's own rounding is 6e-8 relative; the softmax's parity budget (1e-5) is far above
    assertTrue(maxRelative < 2e-7, "max relative error " + maxRelative);
  }

  /** Zero of either sign, the clamp's edges, very negative and infinite inputs (masked lanes of a softmax row). */
  @Test
  void edgeCases() {
    float min = DenseKernels.EXP_MIN;
    float[] x = {0f, -0f, -Float.MIN_VALUE, -1e-30f, min, Math.nextUp(min), Math.nextDown(min), -87.5f, -88.7f,
        -103.9f, -1e4f, -1e9f, -Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
    float[] got = vectorExp(x);
    assertEquals(1f, got[0]);
    assertEquals(1f, got[1]);
    assertEquals(1f, got[2]);
    assertEquals(1f, got[3]);
    for (int i = 4; i <= 5; i++) {
      double want = Math.exp(x[i]);
      assertEquals(want, got[i], want * 2e-7, "x = " + x[i]);
      assertTrue(got[i] >= Float.MIN_NORMAL, "e^" + x[i] + " is a normal float");
    }
    for (int i = 6; i < x.length; i++) {
      assertEquals(0f, got[i], "x = " + x[i]);
      assertEquals(0f, DenseKernels.expNonPositive(x[i]), "scalar, x = " + x[i]);
    }
  }
}
