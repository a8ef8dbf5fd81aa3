package dev.bannerranker.bench;

import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.scoring.WideDeepScorer;
import dev.bannerranker.scoring.WideDeepWeights;
import java.util.List;
import onnx.Onnx;

/**
 * Writes the per-candidate part of the wide &amp; deep network as an ONNX model, so ONNX Runtime runs the same
 * matrix work as {@link dev.bannerranker.scoring.ScoringModel#predict} on the same weights:
 *
 * <pre>
 *   inputs   user_part [1, h1]   first layer's user block + bias, once per request
 *            banner_part [n, h1] first layer's banner block, precomputed per banner (the bundle's banner_first_layer)
 *            cross [n, c]        the per-candidate first-layer inputs: the encoded cross block (FeatureEncoder.encodeCross)
 *                                and, with a taste tower, user taste ⊙ candidate-brand taste (ScoringImpls.PerCandidate)
 *            wide_sum [n, 1]     the sum of the candidate's hashed wide weights
 *   graph    h1    = Relu(MatMul(cross, W1[those rows]) + banner_part + user_part [+ attention])
 *            h_l   = Relu(MatMul(h_{l-1}, W_l) + b_l)          for every further hidden layer
 *            deep  = MatMul(h_L, W_out) + b_out
 *            prob  = Sigmoid(deep + wide_sum)                  output [n, 1]
 * </pre>
 *
 * With sequence attention ({@code L} event slots of the spec, attention size {@code d}) the scorer's split is kept:
 * the user's keys and values come once per request, each banner's query once per banner, and the graph does the
 * per-candidate part:
 *
 * <pre>
 *   inputs   query [n, d]        the banner's query, already scaled by 1/√d (the bundle's banner part after h1)
 *            keys_t [d, L]       the user's event keys, transposed; zero columns for empty slots
 *            values_w1 [L, h1]   the events' values already multiplied into W1's attention rows; zero rows when empty
 *            event_mask [1, L]   0 for an event, -1e9 for an empty slot
 *   graph    attention = MatMul(Softmax(MatMul(query, keys_t) + event_mask, axis=-1), values_w1)
 * </pre>
 *
 * A user without events has every slot masked: equal weights over zero values, no attention term, as in the scorer.
 *
 * <p>The protobuf classes are the generated {@code onnx.Onnx} ones that nd4j-api ships (with its shaded protobuf
 * runtime), so nothing is vendored and no protoc step is needed.
 */
public final class OnnxExport {
  public static final String USER_PART = "user_part";
  public static final String BANNER_PART = "banner_part";
  public static final String CROSS = "cross";
  public static final String WIDE_SUM = "wide_sum";
  public static final String PROB = "prob";
  public static final String QUERY = "query";
  public static final String KEYS_T = "keys_t";
  public static final String VALUES_W1 = "values_w1";
  public static final String EVENT_MASK = "event_mask";
  /** {@link #EVENT_MASK}'s value for an empty slot: its softmax weight underflows to 0. */
  public static final float MASKED = -1e9f;

  private static final int FLOAT = Onnx.TensorProto.DataType.FLOAT_VALUE;
  private static final long IR_VERSION = 8;
  private static final long OPSET = 17;

  private OnnxExport() {}

  /** The serialised {@code ModelProto}. */
  public static byte[] perCandidateModel(FeatureSpec spec, WideDeepWeights w) {
    FeatureEncoder enc = new FeatureEncoder(spec);
    int nIn = new WideDeepScorer.Layout(spec).inputWidth();
    int attnDim = spec.attentionDim();
    // the cross block and the taste product are the last columns of the first layer's input but for the attention's
    int crossN = enc.crossSize() + spec.tasteDim();
    int crossOff = nIn - attnDim - crossN;
    List<WideDeepWeights.DenseLayer> hidden = w.hidden();
    float[][] w1 = hidden.get(0).w();
    int h1 = hidden.get(0).nOut();
    float[][] wCross = new float[crossN][];
    for (int c = 0; c < crossN; c++) {
      wCross[c] = w1[crossOff + c];
    }

    Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("wide_deep_per_candidate");
    g.addInput(input(USER_PART, 1, h1));
    g.addInput(input(BANNER_PART, -1, h1));
    g.addInput(input(CROSS, -1, crossN));
    g.addInput(input(WIDE_SUM, -1, 1));
    g.addInitializer(matrix("W1_cross", wCross));
    node(g, "MatMul", "cross_mm", CROSS, "W1_cross");
    node(g, "Add", "pre1_a", "cross_mm", BANNER_PART);
    if (attnDim == 0) {
      node(g, "Add", "pre1", "pre1_a", USER_PART);
    } else {
      int events = spec.sequenceAttention().length();
      g.addInput(input(QUERY, -1, attnDim));
      g.addInput(input(KEYS_T, attnDim, events));
      g.addInput(input(VALUES_W1, events, h1));
      g.addInput(input(EVENT_MASK, 1, events));
      node(g, "MatMul", "scores", QUERY, KEYS_T);
      node(g, "Add", "scores_masked", "scores", EVENT_MASK);
      g.addNode(Onnx.NodeProto.newBuilder().setOpType("Softmax").setName("attention_weights")
          .addInput("scores_masked").addOutput("attention_weights")
          .addAttribute(Onnx.AttributeProto.newBuilder().setName("axis").setType(Onnx.AttributeProto.AttributeType.INT)
              .setI(-1)));
      node(g, "MatMul", "attention", "attention_weights", VALUES_W1);
      node(g, "Add", "pre1_b", "pre1_a", USER_PART);
      node(g, "Add", "pre1", "pre1_b", "attention");
    }
    node(g, "Relu", "h0", "pre1");
    String prev = "h0";
    for (int l = 1; l < hidden.size(); l++) {
      g.addInitializer(matrix("W" + (l + 1), hidden.get(l).w()));
      g.addInitializer(vector("b" + (l + 1), hidden.get(l).b()));
      node(g, "MatMul", "mm" + l, prev, "W" + (l + 1));
      node(g, "Add", "pre" + (l + 1), "mm" + l, "b" + (l + 1));
      node(g, "Relu", "h" + l, "pre" + (l + 1));
      prev = "h" + l;
    }
    float[] wo = w.outputWeights();
    float[][] wOut = new float[wo.length][1];
    for (int i = 0; i < wo.length; i++) {
      wOut[i][0] = wo[i];
    }
    g.addInitializer(matrix("W_out", wOut));
    g.addInitializer(vector("b_out", new float[] {w.outputBias()}));
    node(g, "MatMul", "deep_mm", prev, "W_out");
    node(g, "Add", "deep", "deep_mm", "b_out");
    node(g, "Add", "logit", "deep", WIDE_SUM);
    node(g, "Sigmoid", PROB, "logit");
    g.addOutput(input(PROB, -1, 1));

    return Onnx.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setProducerName("banner-ranker-benchmarks")
        .setProducerVersion(dev.bannerranker.BuildInfo.current().version())
        .setGraph(g)
        .build()
        .toByteArray();
  }

  private static void node(Onnx.GraphProto.Builder g, String op, String out, String... in) {
    Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
    for (String i : in) {
      n.addInput(i);
    }
    g.addNode(n);
  }

  /** A float tensor input or output; a negative size is the symbolic batch dimension {@code n}. */
  private static Onnx.ValueInfoProto input(String name, long rows, long cols) {
    Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
    shape.addDim(rows < 0 ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("n")
        : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(rows));
    shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(cols));
    return Onnx.ValueInfoProto.newBuilder().setName(name)
        .setType(Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(shape)))
        .build();
  }

  private static Onnx.TensorProto matrix(String name, float[][] m) {
    Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(FLOAT)
        .addDims(m.length).addDims(m[0].length);
    for (float[] row : m) {
      for (float v : row) {
        t.addFloatData(v);
      }
    }
    return t.build();
  }

  private static Onnx.TensorProto vector(String name, float[] v) {
    Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(FLOAT).addDims(v.length);
    for (float x : v) {
      t.addFloatData(x);
    }
    return t.build();
  }
}
