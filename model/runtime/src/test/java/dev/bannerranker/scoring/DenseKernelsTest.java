package dev.bannerranker.scoring;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class DenseKernelsTest {
  /** The softmax's exponential agrees with Math.exp to float precision; below e^-87 (under float's normal range) it is 0. */
  @Test
  void expNonPositiveMatchesMathExp() {
    for (float x = 0f; x > -100f; x -= 0.0137f) {
      double want = Math.exp(x);
      float got = DenseKernels.expNonPositive(x);
      assertEquals(want, got, Math.max(want * 5e-7, 1e-37), "x = " + x);
    }
    assertEquals(1f, DenseKernels.expNonPositive(0f));
    assertEquals(0f, DenseKernels.expNonPositive(-1e9f));
  }
}
