package dev.bannerranker.trainer.widedeep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.trainer.pipeline.TinyWorldAccess;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

/** The conversion tower's wide weights have an L2 penalty of their own, from new settings and older manifests. */
class ConversionWidePenaltyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static WideDeepConfig settings(double l2Wide, double l2WideConversion) {
    var spec = TinyWorldAccess.spec();
    return new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, spec.hiddenLayers(), spec.embeddingDims(), 64, 1, 1,
        1, 0.003, 0.05, l2Wide, l2WideConversion, 0, 7);
  }

  @Test
  void eachTowersWideTableHasItsOwnPenalty() {
    var net = WideDeepNetwork.buildConversion(TinyWorldAccess.spec(), settings(1e-4, 5e-6));
    assertEquals(1e-4, l2(net, "wide_emb"), 0);
    assertEquals(5e-6, l2(net, WideDeepNetwork.CONVERSION_PREFIX + "wide_emb"), 0);
  }

  @Test
  void settingsWithoutAConversionPenaltyGiveTheTowerTheClickOne() {
    var spec = TinyWorldAccess.spec();
    WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, spec.hiddenLayers(),
        spec.embeddingDims(), 64, 1, 1, 1, 0.003, 0.05, 2e-4, 0, 7);
    assertEquals(2e-4, cfg.l2WideConversion(), 0);
    assertEquals(2e-4, l2(WideDeepNetwork.buildConversion(spec, cfg), WideDeepNetwork.CONVERSION_PREFIX + "wide_emb"), 0);
  }

  @Test
  void aNegativePenaltyIsRefusedNamingIt() {
    var e = assertThrows(WideDeepConfig.InvalidSetting.class, () -> settings(1e-4, -1e-6));
    assertEquals("l2WideConversion", e.field());
  }

  /** A manifest written before the setting existed reads with the click penalty, what its conversion tower had. */
  @Test
  void aManifestWithoutTheConversionPenaltyReadsAsTheClickOne() throws java.io.IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> json = JSON.convertValue(settings(3e-4, 5e-6), Map.class);
    assertEquals(5e-6, json.remove("l2WideConversion"));
    for (int version : List.of(3, 5)) {
      WideDeepConfig old = OlderManifests.readBack(json, version);
      assertEquals(3e-4, old.l2WideConversion(), 0, "format " + version);
      assertEquals(3e-4, old.l2Wide(), 0, "format " + version);
    }
    json.put("l2WideConversion", 5e-6);
    assertEquals(5e-6, OlderManifests.readBack(json, 5).l2WideConversion(), 0);
  }

  private static double l2(org.deeplearning4j.nn.graph.ComputationGraph net, String layer) {
    List<Regularization> rs = ((BaseLayer) net.getLayer(layer).conf().getLayer()).getRegularization();
    double sum = 0;
    for (Regularization r : rs) {
      if (r instanceof L2Regularization l2) {
        sum += l2.getL2().valueAt(0, 0);
      }
    }
    return sum;
  }
}
