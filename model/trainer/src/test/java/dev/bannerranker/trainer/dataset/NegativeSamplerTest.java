package dev.bannerranker.trainer.dataset;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {
  private static boolean[] labels(int n, double ctr, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextDouble() < ctr;
    }
    return y;
  }

  @Test
  void keepsEveryClickAndTheRateOfNonClicksInOrder() {
    int n = 100_000;
    boolean[] y = labels(n, 0.05, 3);
    int[] rows = new int[n / 2];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = 2 * i; // a subset, as the training rows are of the dataset
    }
    int[] kept = NegativeSampler.sample(rows, y, 0.2, 7);
    long clicks = Arrays.stream(rows).filter(r -> y[r]).count();
    long keptClicks = Arrays.stream(kept).filter(r -> y[r]).count();
    long nonClicks = rows.length - clicks;
    long keptNon = kept.length - keptClicks;
    assertEquals(clicks, keptClicks);
    assertEquals(0.2, (double) keptNon / nonClicks, 0.01);
    for (int i = 1; i < kept.length; i++) {
      assertTrue(kept[i] > kept[i - 1]);
      assertEquals(0, kept[i] % 2, "only rows of the given set");
    }
    assertArrayEquals(kept, NegativeSampler.sample(rows, y, 0.2, 7), "seeded");
    assertFalse(Arrays.equals(kept, NegativeSampler.sample(rows, y, 0.2, 8)));
  }

  @Test
  void rateOneKeepsEveryRow() {
    boolean[] y = labels(1000, 0.1, 1);
    int[] rows = java.util.stream.IntStream.range(0, 1000).toArray();
    assertArrayEquals(rows, NegativeSampler.sample(rows, y, 1.0, 7));
  }
}
