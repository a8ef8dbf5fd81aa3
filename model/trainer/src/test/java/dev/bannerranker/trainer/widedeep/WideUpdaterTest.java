package dev.bannerranker.trainer.widedeep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.trainer.pipeline.TinyWorldAccess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;

/** The wide weights' optimiser, from new settings and from manifests written before it was a setting. */
class WideUpdaterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One step on a fresh network moves each wide weight the batch touches by AdaGrad's first step at the wide rate,
   * lr·g/(√(ε+g²)+ε) with g the batch-mean gradient (DL4J starts AdaGrad's sum of squares at ε = 1e-6): about lr
   * whatever the size of a large gradient, less for a small one. Weights the batch does not touch stay at zero; the
   * L2 term is nothing on zero weights.
   */
  @Test
  void theWideSideUsesAdaGradAtItsOwnRate() {
    double lr = 0.07;
    Step s = firstStep(lr);
    int large = 0;
    for (int i = 0; i < s.before().length; i++) {
      assertEquals(0f, s.before()[i], "the wide table starts at zero");
      if (!s.touched()[i]) {
        assertEquals(0f, s.after()[i], "untouched bucket " + i);
        continue;
      }
      double g = s.gradient()[i];
      double expected = -lr * g / (Math.sqrt(1e-6 + g * g) + 1e-6);
      assertEquals(expected, s.after()[i], 1e-7, "bucket " + i + ", gradient " + g);
      if (Math.abs(g) >= 0.01) {
        assertEquals(lr, Math.abs(s.after()[i]), 0.01 * lr, "bucket " + i + ", gradient " + g);
        large++;
      }
    }
    assertTrue(large >= 10, "buckets with a large gradient: " + large);
  }

  /**
   * The wide rule of format 1-2 bundles without a wide learning rate, Adam at a tenth of the deep rate: its first step is that rate for every touched bucket with
   * a gradient well above Adam's ε. DL4J adds ε (1e-8) to the uncorrected √v = √(1 − β2)·|g|, so the first step is
   * {@code rate · g / (|g| + ε / √(1 − β2))}: a little short of the rate for a gradient near 3e-7.
   */
  @Test
  void theLegacyWideSideTakesAdamStepsAtATenthOfTheDeepRate() {
    Step s = firstStep(0);
    double rate = 0.0003;
    int large = 0;
    for (int i = 0; i < s.before().length; i++) {
      if (!s.touched()[i]) {
        assertEquals(0f, s.after()[i], "untouched bucket " + i);
      } else {
        double g = s.gradient()[i];
        double expected = -rate * g / (Math.abs(g) + 1e-8 / Math.sqrt(1 - 0.999));
        assertEquals(expected, s.after()[i], 1e-3 * rate, "bucket " + i + ", gradient " + g);
        if (Math.abs(g) >= 1e-4) {
          assertEquals(rate, Math.abs(s.after()[i]), 0.01 * rate, "bucket " + i + ", gradient " + g);
          large++;
        }
      }
    }
    assertTrue(large >= 10, "buckets with a large gradient: " + large);
  }

  /** The wide table before and after one fit step on 256 rows, their batch-mean gradient and which buckets they use. */
  private record Step(float[] before, float[] after, double[] gradient, boolean[] touched) {}

  private static Step firstStep(double wideLearningRate) {
    var spec = TinyWorldAccess.spec();
    WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, spec.hiddenLayers(),
        spec.embeddingDims(), 256, 1, 1, 1, 0.003, wideLearningRate, 1e-5, 0, 7);
    var net = WideDeepNetwork.build(spec, cfg);
    int[] rows = TinyWorldAccess.someRows(256);
    boolean[] clicked = TinyWorldAccess.clicked(rows);
    float[] y = new float[rows.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = clicked[i] ? 1f : 0f;
    }
    INDArray[] in = WideDeepNetwork.features(TinyWorldAccess.rows(), rows, 0, rows.length, cfg.mode());
    INDArray labels = Nd4j.create(y, new long[] {y.length, 1}, 'c');
    boolean[] touched = new boolean[spec.wideBuckets()];
    for (float bucket : in[in.length - 1].reshape(-1).toFloatVector()) {
      touched[(int) bucket] = true;
    }
    net.setInputs(in);
    net.setLabels(labels);
    net.computeGradientAndScore();
    // The graph's gradient is the batch sum; the updater divides it by the batch size first.
    float[] sum = net.gradient().getGradientFor("wide_emb_W").dup().reshape(-1).toFloatVector();
    double[] mean = new double[sum.length];
    for (int i = 0; i < sum.length; i++) {
      mean[i] = sum[i] / (double) rows.length;
    }
    float[] before = wide(net);
    net.fit(new MultiDataSet(in, new INDArray[] {labels}));
    return new Step(before, wide(net), mean, touched);
  }

  private static float[] wide(org.deeplearning4j.nn.graph.ComputationGraph net) {
    return net.getLayer("wide_emb").getParam("W").reshape(-1).toFloatVector();
  }

  /** The graph's wide table, and only it, learns with the wide updater; the deep side keeps Adam. */
  @Test
  void theNetworkTrainsTheWideTableWithIt() {
    var spec = dev.bannerranker.trainer.pipeline.TinyWorldAccess.spec();
    WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, spec.hiddenLayers(),
        spec.embeddingDims(), 64, 1, 1, 1, 0.003, 0.07, 1e-5, 0, 7);
    var net = WideDeepNetwork.build(spec, cfg);
    AdaGrad wide = assertInstanceOf(AdaGrad.class, updater(net, "wide_emb"));
    assertEquals(0.07, wide.getLearningRate(), 0);
    Adam deep = assertInstanceOf(Adam.class, updater(net, "deep_out"));
    assertEquals(0.003, deep.getLearningRate(), 0);
  }

  private static org.nd4j.linalg.learning.config.IUpdater updater(
      org.deeplearning4j.nn.graph.ComputationGraph net, String layer) {
    return ((org.deeplearning4j.nn.conf.layers.BaseLayer) net.getLayer(layer).conf().getLayer()).getIUpdater();
  }

  /** A format 1-2 manifest may have no wideLearningRate: its baselines are retrained the way its model was. */
  @Test
  void aManifestWithoutTheWideRateReadsAsTheOlderRule() throws java.io.IOException {
    WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(8), Map.of(), 64, 1, 1, 1, 0.003,
        0.05, 1e-5, 0, 7);
    @SuppressWarnings("unchecked")
    Map<String, Object> json = JSON.convertValue(cfg, Map.class);
    assertEquals(0.05, json.remove("wideLearningRate"));
    WideDeepConfig old = OlderManifests.readBack(json, 2);
    assertEquals(0.0, old.wideLearningRate());
    Adam u = assertInstanceOf(Adam.class, WideDeepNetwork.wideUpdater(old));
    assertEquals(0.0003, u.getLearningRate(), 1e-12);
  }
}
