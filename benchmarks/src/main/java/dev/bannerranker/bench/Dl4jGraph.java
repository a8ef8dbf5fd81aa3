package dev.bannerranker.bench;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.scoring.WideDeepWeights;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import dev.bannerranker.trainer.widedeep.WideDeepNetwork;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The trainer's DL4J {@link ComputationGraph} with the bundle's weights: built by {@link WideDeepNetwork#build}
 * exactly as training builds it, then every parameter is overwritten with the exported tensor it came from. So
 * DL4J, ONNX Runtime and the project's scorer run the same numbers; the parity check at setup proves it.
 */
public final class Dl4jGraph {
  private Dl4jGraph() {}

  public static WideDeepConfig config(Bundle bundle) {
    return bundle.manifest().hyperparameter("wide_deep", WideDeepConfig.class);
  }

  public static ComputationGraph fromBundle(Bundle bundle) {
    WideDeepConfig cfg = config(bundle);
    ComputationGraph net = WideDeepNetwork.build(bundle.spec(), cfg);
    WideDeepWeights w = bundle.weights();
    for (String f : FeatureEncoder.USER_FIELDS) {
      set(net, "emb_" + f, "W", Nd4j.create(w.embeddings().get(f)));
    }
    for (String f : FeatureEncoder.BANNER_FIELDS) {
      set(net, "emb_" + f, "W", Nd4j.create(w.embeddings().get(f)));
    }
    List<WideDeepWeights.DenseLayer> hidden = w.hidden();
    for (int i = 0; i < hidden.size(); i++) {
      set(net, "hidden_" + i, "W", Nd4j.create(hidden.get(i).w()));
      set(net, "hidden_" + i, "b", Nd4j.create(hidden.get(i).b()));
    }
    set(net, "deep_out", "W", Nd4j.create(w.outputWeights()));
    set(net, "deep_out", "b", Nd4j.create(new float[] {w.outputBias()}));
    set(net, "wide_emb", "W", Nd4j.create(w.wide()));
    if (bundle.spec().hasTasteTower()) {
      set(net, WideDeepNetwork.tasteTableLayer(bundle.spec()), "W", Nd4j.create(w.tasteUser()));
      set(net, "taste_item", "W", Nd4j.create(w.tasteItem()));
    }
    return net;
  }

  private static void set(ComputationGraph net, String layer, String param, INDArray value) {
    INDArray p = net.getLayer(layer).getParam(param);
    if (p.length() != value.length()) {
      throw new IllegalStateException(layer + "." + param + ": graph has " + p.length() + " values, bundle " + value.length());
    }
    p.assign(value.castTo(p.dataType()).reshape(p.shape()));
  }
}
