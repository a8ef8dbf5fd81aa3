package dev.bannerranker.scoring;

import dev.bannerranker.bundle.BundleException;
import dev.bannerranker.bundle.TensorFile.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trained parameters of the wide &amp; deep network, in plain arrays. Hidden layers use ReLU; the
 * output is {@code sigmoid(deep + wide)} where {@code wide} is the sum of the hashed wide weights.
 *
 * @param wide one weight per hashed wide bucket
 * @param embeddings learned embedding table per categorical field, {@code [cardinality][dim]}
 * @param hidden the deep side's hidden layers, first layer first
 * @param outputWeights the deep output layer's weights, one per unit of the last hidden layer
 * @param outputBias the deep output layer's bias
 * @param tasteUser taste-tower embedding of the user's brands, {@code [brands][tasteDim]}, or null without a tower
 * @param tasteItem taste-tower embedding of the candidate's brand, {@code [brands][tasteDim]}, or null
 */
public record WideDeepWeights(
    float[] wide, Map<String, float[][]> embeddings, List<DenseLayer> hidden, float[] outputWeights, float outputBias,
    float[][] tasteUser, float[][] tasteItem) {

  /** One dense layer: {@code out = relu(in · w + b)}, {@code w} is {@code [nIn][nOut]}. */
  public record DenseLayer(float[][] w, float[] b) {
    public int nIn() {
      return w.length;
    }

    public int nOut() {
      return b.length;
    }
  }

  /** Tensor names in {@code network.bin}. */
  public Map<String, Tensor> toTensors() {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("wide", Tensor.vector(wide));
    embeddings.forEach((field, table) -> t.put("embedding." + field, Tensor.matrix(table)));
    for (int i = 0; i < hidden.size(); i++) {
      t.put("hidden." + i + ".W", Tensor.matrix(hidden.get(i).w()));
      t.put("hidden." + i + ".b", Tensor.vector(hidden.get(i).b()));
    }
    t.put("output.W", Tensor.vector(outputWeights));
    t.put("output.b", Tensor.vector(new float[] {outputBias}));
    if (tasteUser != null) {
      t.put("taste.user", Tensor.matrix(tasteUser));
      t.put("taste.item", Tensor.matrix(tasteItem));
    }
    return t;
  }

  public static WideDeepWeights fromTensors(Map<String, Tensor> t, List<String> fields, int hiddenCount, String file) {
    Map<String, float[][]> emb = new LinkedHashMap<>();
    for (String f : fields) {
      emb.put(f, require(t, "embedding." + f, file).asMatrix());
    }
    List<DenseLayer> layers = new ArrayList<>();
    for (int i = 0; i < hiddenCount; i++) {
      layers.add(new DenseLayer(require(t, "hidden." + i + ".W", file).asMatrix(), require(t, "hidden." + i + ".b", file).values()));
    }
    boolean taste = t.containsKey("taste.user");
    return new WideDeepWeights(require(t, "wide", file).values(), emb, layers,
        require(t, "output.W", file).values(), require(t, "output.b", file).values()[0],
        taste ? t.get("taste.user").asMatrix() : null, taste ? require(t, "taste.item", file).asMatrix() : null);
  }

  private static Tensor require(Map<String, Tensor> t, String name, String file) {
    Tensor x = t.get(name);
    if (x == null) {
      throw new BundleException(file + ": missing tensor '" + name + "'");
    }
    return x;
  }
}
