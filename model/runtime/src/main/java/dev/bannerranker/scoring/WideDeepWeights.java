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
 * @param conversion the conversion tower of a click-and-conversion model, or null for a click model
 * @param attention the sequence attention's projections, or null without sequence attention
 */
public record WideDeepWeights(
    float[] wide, Map<String, float[][]> embeddings, List<DenseLayer> hidden, float[] outputWeights, float outputBias,
    float[][] tasteUser, float[][] tasteItem, Tower conversion, Attention attention) {

  /** Without sequence attention. */
  public WideDeepWeights(float[] wide, Map<String, float[][]> embeddings, List<DenseLayer> hidden,
      float[] outputWeights, float outputBias, float[][] tasteUser, float[][] tasteItem, Tower conversion) {
    this(wide, embeddings, hidden, outputWeights, outputBias, tasteUser, tasteItem, conversion, null);
  }

  /**
   * The sequence attention's learned projections ({@link dev.bannerranker.features.SequenceAttention}): {@code query}
   * {@code [itemVectorDim][dim]} from the banner vector, {@code key} and {@code value} {@code [eventWidth][dim]} from
   * each event's input.
   */
  public record Attention(float[][] query, float[][] key, float[][] value) {}

  /** A click model. */
  public WideDeepWeights(float[] wide, Map<String, float[][]> embeddings, List<DenseLayer> hidden,
      float[] outputWeights, float outputBias, float[][] tasteUser, float[][] tasteItem) {
    this(wide, embeddings, hidden, outputWeights, outputBias, tasteUser, tasteItem, null, null);
  }

  /**
   * The conversion tower: {@code pCVR = sigmoid(deep + wide)} of its own wide weights, hidden layers and output unit,
   * over the same input as the click tower (the embedding and taste tables are shared), the same hidden sizes.
   */
  public record Tower(float[] wide, List<DenseLayer> hidden, float[] outputWeights, float outputBias) {}

  /** The conversion tower as a network of its own over the shared tables, for a scorer; null without one. */
  public WideDeepWeights conversionNetwork() {
    return conversion == null ? null : new WideDeepWeights(conversion.wide(), embeddings, conversion.hidden(),
        conversion.outputWeights(), conversion.outputBias(), tasteUser, tasteItem, null, attention);
  }

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
    if (attention != null) {
      t.put("attention.query", Tensor.matrix(attention.query()));
      t.put("attention.key", Tensor.matrix(attention.key()));
      t.put("attention.value", Tensor.matrix(attention.value()));
    }
    if (conversion != null) {
      t.put(CONVERSION + "wide", Tensor.vector(conversion.wide()));
      for (int i = 0; i < conversion.hidden().size(); i++) {
        t.put(CONVERSION + "hidden." + i + ".W", Tensor.matrix(conversion.hidden().get(i).w()));
        t.put(CONVERSION + "hidden." + i + ".b", Tensor.vector(conversion.hidden().get(i).b()));
      }
      t.put(CONVERSION + "output.W", Tensor.vector(conversion.outputWeights()));
      t.put(CONVERSION + "output.b", Tensor.vector(new float[] {conversion.outputBias()}));
    }
    return t;
  }

  /** Prefix of the conversion tower's tensors; a bundle without them is a click model. */
  public static final String CONVERSION = "conversion.";

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
    Tower conversion = null;
    if (t.containsKey(CONVERSION + "wide")) {
      List<DenseLayer> towerLayers = new ArrayList<>();
      for (int i = 0; i < hiddenCount; i++) {
        towerLayers.add(new DenseLayer(require(t, CONVERSION + "hidden." + i + ".W", file).asMatrix(),
            require(t, CONVERSION + "hidden." + i + ".b", file).values()));
      }
      conversion = new Tower(t.get(CONVERSION + "wide").values(), towerLayers,
          require(t, CONVERSION + "output.W", file).values(), require(t, CONVERSION + "output.b", file).values()[0]);
    }
    return new WideDeepWeights(require(t, "wide", file).values(), emb, layers,
        require(t, "output.W", file).values(), require(t, "output.b", file).values()[0],
        taste ? t.get("taste.user").asMatrix() : null, taste ? require(t, "taste.item", file).asMatrix() : null,
        conversion, t.containsKey("attention.query") ? new Attention(t.get("attention.query").asMatrix(),
            require(t, "attention.key", file).asMatrix(), require(t, "attention.value", file).asMatrix()) : null);
  }

  private static Tensor require(Map<String, Tensor> t, String name, String file) {
    Tensor x = t.get(name);
    if (x == null) {
      throw new BundleException(file + ": missing tensor '" + name + "'");
    }
    return x;
  }
}
