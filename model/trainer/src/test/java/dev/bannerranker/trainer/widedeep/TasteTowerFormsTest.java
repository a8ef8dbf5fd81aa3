package dev.bannerranker.trainer.widedeep;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.features.FeatureSpec;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The taste tower's two forms, a dense layer over brand shares (small brand vocabularies) and DL4J's sequence
 * embedding layer with average pooling (large ones), are the same function of the same table.
 */
class TasteTowerFormsTest {

  @Test
  void denseSharesAndSequenceEmbeddingGiveTheSameOutput() {
    FeatureSpec spec = dev.bannerranker.trainer.pipeline.TinyWorldAccess.spec();
    assertTrue(spec.hasTasteTower());
    WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, spec.hiddenLayers(),
        spec.embeddingDims(), 256, 1, 0, 1, 1e-3, 0.05, 1e-5, 0, 3);
    ComputationGraph dense = WideDeepNetwork.build(spec, cfg, true);
    ComputationGraph sequence = WideDeepNetwork.build(spec, cfg, false);
    // Random parameters everywhere (the wide table starts at zero), then the same values in both graphs.
    Nd4j.getRandom().setSeed(11);
    for (var layer : dense.getLayers()) {
      for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
        p.getValue().assign(Nd4j.rand(p.getValue().dataType(), p.getValue().shape()).subi(0.5));
        String name = layer.conf().getLayer().getLayerName();
        String target = name.equals("taste_user_mean") ? "taste_user" : name;
        sequence.getLayer(target).getParam(p.getKey()).assign(p.getValue());
      }
    }
    var rows = dev.bannerranker.trainer.pipeline.TinyWorldAccess.rows();
    int[] idx = dev.bannerranker.trainer.pipeline.TinyWorldAccess.someRows(300);
    float[] a = dense.outputSingle(false, WideDeepNetwork.features(rows, idx, 0, idx.length, cfg.mode(), true))
        .reshape(-1).toFloatVector();
    float[] b = sequence.outputSingle(false, WideDeepNetwork.features(rows, idx, 0, idx.length, cfg.mode(), false))
        .reshape(-1).toFloatVector();
    int differ = 0;
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-5, "row " + i);
      differ += Math.abs(a[i] - a[0]) > 1e-4 ? 1 : 0;
    }
    assertTrue(differ > a.length / 2, "the rows should get different scores");
    assertEquals(List.of(spec.cardinality("brand"), spec.tasteDim()),
        List.of((int) dense.getLayer("taste_user_mean").getParam("W").size(0),
            (int) dense.getLayer("taste_user_mean").getParam("W").size(1)));
  }
}
