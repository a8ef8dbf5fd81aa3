package dev.bannerranker.trainer.widedeep;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.trainer.pipeline.TinyWorldAccess;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link WideDeepNetwork#features} encodes each batch into arrays the thread reuses: the input arrays of one batch
 * must stay as they were while later batches are built (the prefetching thread keeps three ahead), and a reused
 * array must start from zero (the taste shares add up).
 */
class FeatureBuffersTest {

  @Test
  void aBatchKeepsItsValuesWhileTheNextAreBuiltOnTheSameThread() {
    RowEncoder rows = TinyWorldAccess.rows();
    int[] idx = TinyWorldAccess.someRows(300);
    WideDeepConfig.Mode mode = WideDeepConfig.Mode.WIDE_AND_DEEP;
    INDArray[] first = WideDeepNetwork.features(rows, idx, 0, 150, mode, true);
    float[][] before = values(first);

    INDArray[] second = WideDeepNetwork.features(rows, idx, 150, 300, mode, true);
    INDArray[] again = WideDeepNetwork.features(rows, idx, 0, 150, mode, true);

    assertArrayEquals(before, values(first), "the first batch changed while the next were built");
    assertArrayEquals(before, values(again), "the same rows encoded into reused arrays differ");
    float[][] other = values(second);
    int differ = 0;
    for (int b = 0; b < before.length; b++) {
      differ += java.util.Arrays.equals(before[b], other[b]) ? 0 : 1;
    }
    assertTrue(differ > before.length / 2, "other rows should give other inputs, " + differ + " of " + before.length
        + " blocks differ");
  }

  private static float[][] values(INDArray[] blocks) {
    float[][] out = new float[blocks.length][];
    for (int b = 0; b < blocks.length; b++) {
      out[b] = blocks[b].dup().reshape(-1).toFloatVector();
    }
    return out;
  }
}
