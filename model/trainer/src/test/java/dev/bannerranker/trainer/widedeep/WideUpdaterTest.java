package dev.bannerranker.trainer.widedeep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;

/** The wide weights' optimiser, from new settings and from manifests written before it was a setting. */
class WideUpdaterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theWideSideUsesAdaGradAtItsOwnRate() {
    WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(8), Map.of(), 64, 1, 1, 1, 0.003,
        0.05, 1e-5, 0, 7);
    AdaGrad u = assertInstanceOf(AdaGrad.class, WideDeepNetwork.wideUpdater(cfg));
    assertEquals(0.05, u.getLearningRate(), 0);
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

  /** A trainer 0.4 manifest has no wideLearningRate: its baselines are retrained the way its model was. */
  @Test
  void aManifestWithoutTheWideRateReadsAsTheOlderRule() {
    WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(8), Map.of(), 64, 1, 1, 1, 0.003,
        0.05, 1e-5, 0, 7);
    @SuppressWarnings("unchecked")
    Map<String, Object> json = JSON.convertValue(cfg, Map.class);
    assertEquals(0.05, json.remove("wideLearningRate"));
    WideDeepConfig old = JSON.convertValue(json, WideDeepConfig.class);
    assertEquals(0.0, old.wideLearningRate());
    Adam u = assertInstanceOf(Adam.class, WideDeepNetwork.wideUpdater(old));
    assertEquals(0.0003, u.getLearningRate(), 1e-12);
  }
}
