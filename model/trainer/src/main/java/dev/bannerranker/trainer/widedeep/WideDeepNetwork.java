package dev.bannerranker.trainer.widedeep;

import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.scoring.WideDeepWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The wide &amp; deep {@link ComputationGraph}:
 *
 * <pre>
 *   user_dense, emb(user fields), banner_dense, emb(banner fields), cross[, taste][, attention] ─merge─ hidden_0 … ─ deep_out ┐
 *   wide indices ─ wide_emb (one weight per hashed bucket) ─ sum ─────────────────────────────────────────────── add ─ sigmoid
 * </pre>
 *
 * The merge order is {@link FeatureEncoder}'s layout, which the pure-Java scorer relies on.
 */
public final class WideDeepNetwork {

  /**
   * Frees the off-heap memory of arrays that nothing reads any more (a fitted minibatch, an output copied out) now,
   * not when the garbage collector finds their Java objects: a minibatch that lived through a young collection is
   * found only at the next mixed one, and the off-heap memory of thousands of such batches made the process's
   * resident memory several times the heap.
   */
  static void release(INDArray... arrays) {
    if (arrays == null) {
      return;
    }
    for (INDArray a : arrays) {
      if (a != null && !a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
  }
  /** Format 1-2 bundles without a wide learning rate: the wide weights' Adam rate as a share of the deep side's. */
  static final double LEGACY_WIDE_LEARNING_RATE_FACTOR = 0.1;

  private WideDeepNetwork() {}

  /**
   * The wide weights' optimiser. AdaGrad gives each hashed weight its own rate, decaying with its own gradients, as the
   * per-coordinate optimisers of the wide & deep paper do: a rare cross keeps learning while a frequent one settles.
   * Adam's normalised steps shrink with a weight's signal-to-noise ratio, which is low for a cross seen a few times per
   * minibatch, so Adam at a tenth of the deep rate (the rule of bundles that record no wide learning rate) left a campaign's audience appeal
   * nearly unlearnt.
   */
  static IUpdater wideUpdater(WideDeepConfig cfg) {
    return cfg.wideLearningRate() > 0 ? new AdaGrad(cfg.wideLearningRate())
        : new Adam(cfg.learningRate() * LEGACY_WIDE_LEARNING_RATE_FACTOR);
  }

  /** Graph input names in order, for the given mode. */
  public static List<String> inputs(FeatureSpec spec, WideDeepConfig.Mode mode) {
    List<String> in = new ArrayList<>();
    if (mode != WideDeepConfig.Mode.WIDE_ONLY) {
      in.add("user_dense");
      FeatureEncoder.USER_FIELDS.forEach(f -> in.add("in_" + f));
      in.add("banner_dense");
      FeatureEncoder.BANNER_FIELDS.forEach(f -> in.add("in_" + f));
      in.add("cross");
      if (spec.hasTasteTower()) {
        in.add("taste_brands");
      }
      if (spec.hasSequenceAttention()) {
        in.add("seq_events");
        in.add("seq_mask");
      }
    }
    if (mode != WideDeepConfig.Mode.DEEP_ONLY) {
      in.add("wide");
    }
    return in;
  }

  /**
   * Largest brand vocabulary whose taste input is a dense share matrix ({@code [rows][brands]}); above it the input
   * stays the brand indices of a sequence embedding layer, whose cost does not grow with the vocabulary.
   */
  public static final int DENSE_TASTE_MAX_BRANDS = 2048;

  /** Whether the taste tower's user side is a dense layer over brand shares (else a sequence embedding layer). */
  public static boolean denseTaste(FeatureSpec spec) {
    return spec.cardinality("brand") <= DENSE_TASTE_MAX_BRANDS;
  }

  /** The layer holding the taste tower's user-side table {@code [brands][tasteDim]}. */
  public static String tasteTableLayer(FeatureSpec spec) {
    return denseTaste(spec) ? "taste_user_mean" : "taste_user";
  }

  public static ComputationGraph build(FeatureSpec spec, WideDeepConfig cfg) {
    return build(spec, cfg, denseTaste(spec), false);
  }

  /**
   * The click-and-conversion graph, in the way of ESMM: beside the click tower, a conversion tower of the same shape
   * (its own hidden layers and wide weights) over the same merged input, so both share the embedding and taste
   * tables. Its two outputs are {@value #CLICK_OUTPUT}, the click probability, and {@value #CTCVR_OUTPUT}, the
   * product of the click and conversion probabilities; both are trained with cross-entropy on every impression
   * (clicked, and clicked and converted), so the conversion tower learns from the whole impression space and never
   * from clicked rows alone.
   */
  public static ComputationGraph buildConversion(FeatureSpec spec, WideDeepConfig cfg) {
    if (cfg.mode() != WideDeepConfig.Mode.WIDE_AND_DEEP) {
      throw new IllegalArgumentException("the click-and-conversion network is wide & deep only, not " + cfg.mode());
    }
    return build(spec, cfg, denseTaste(spec), true);
  }

  /** The click probability's output. */
  public static final String CLICK_OUTPUT = "out";
  /** The click-and-conversion graph's second output, pCTR × pCVR. */
  public static final String CTCVR_OUTPUT = "ctcvr";
  /** The conversion probability's vertex (not an output: read from the activations). */
  public static final String CVR_VERTEX = "p_cvr";

  /** Whether the graph is a click-and-conversion one. */
  public static boolean hasConversion(ComputationGraph net) {
    return net.getConfiguration().getNetworkOutputs().contains(CTCVR_OUTPUT);
  }

  /** As above, with the taste tower's form chosen by the caller (tests hold the two forms equal). */
  static ComputationGraph build(FeatureSpec spec, WideDeepConfig cfg, boolean denseTaste) {
    return build(spec, cfg, denseTaste, false);
  }

  private static ComputationGraph build(FeatureSpec spec, WideDeepConfig cfg, boolean denseTaste, boolean conversion) {
    FeatureEncoder enc = new FeatureEncoder(spec);
    var b = new NeuralNetConfiguration.Builder();
    if (spec.hasSequenceAttention()) {
      // DL4J's SameDiff vertex reads its inputs again in the backward pass, after the workspaces that held them are
      // reused (a native crash); without workspaces every array lives until it is collected.
      b.trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE);
    }
    var g = b
        .seed(cfg.seed())
        .dataType(DataType.FLOAT)
        .updater(new Adam(cfg.learningRate()))
        .weightInit(WeightInit.XAVIER)
        .graphBuilder();
    List<String> in = inputs(spec, cfg.mode());
    g.addInputs(in.toArray(String[]::new));
    String logit;
    if (cfg.mode() != WideDeepConfig.Mode.WIDE_ONLY) {
      List<String> merged = new ArrayList<>();
      merged.add("user_dense");
      for (String f : FeatureEncoder.USER_FIELDS) {
        addEmbedding(g, spec, f);
        merged.add("emb_" + f);
      }
      merged.add("banner_dense");
      for (String f : FeatureEncoder.BANNER_FIELDS) {
        addEmbedding(g, spec, f);
        merged.add("emb_" + f);
      }
      merged.add("cross");
      if (spec.hasTasteTower()) {
        // Taste tower: mean embedding of the user's ranked brands ⊙ the candidate brand's embedding, the
        // shape of a factorisation machine's user-brand term. For up to DENSE_TASTE_MAX_BRANDS brands the mean
        // embedding is the brands' shares (each brand's count / tasteBrands) times the table, a dense layer: DL4J's
        // sequence embedding layer scatters its gradient at about 0.6 µs per index, 12-15 ms of each 2,048-row step.
        if (denseTaste) {
          g.addLayer("taste_user_mean", new DenseLayer.Builder().nIn(spec.cardinality("brand")).nOut(spec.tasteDim())
              .hasBias(false).activation(Activation.IDENTITY).build(), "taste_brands");
        } else {
          g.addLayer("taste_user", new EmbeddingSequenceLayer.Builder().nIn(spec.cardinality("brand"))
              .nOut(spec.tasteDim()).inputLength(spec.tasteBrands()).hasBias(false).build(), "taste_brands");
          g.addLayer("taste_user_mean", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "taste_user");
        }
        g.addLayer("taste_item", new EmbeddingLayer.Builder().nIn(spec.cardinality("brand")).nOut(spec.tasteDim())
            .hasBias(false).activation(Activation.IDENTITY).build(), "in_brand");
        g.addVertex("taste", new ElementWiseVertex(ElementWiseVertex.Op.Product), "taste_user_mean", "taste_item");
        merged.add("taste");
      }
      if (spec.hasSequenceAttention()) {
        g.addVertex(ATTENTION_VERTEX, new AttentionVertex(spec.itemVectorDim(), spec.sequenceAttention(), cfg.seed()),
            "banner_dense", "seq_events", "seq_mask");
        merged.add(ATTENTION_VERTEX);
      }
      g.addVertex("deep_in", new MergeVertex(), merged.toArray(String[]::new));
      logit = addDeepTower(g, spec, "");
    } else {
      logit = null;
    }
    if (cfg.mode() != WideDeepConfig.Mode.DEEP_ONLY) {
      addWideSum(g, spec, enc, "", cfg.l2Wide(), cfg);
      if (logit == null) {
        // Wide-only logistic regression still needs an intercept.
        g.addLayer("wide_bias", new DenseLayer.Builder().nIn(1).nOut(1).activation(Activation.IDENTITY).build(), "wide_sum");
        logit = "wide_bias";
      } else {
        g.addVertex("logit", new ElementWiseVertex(ElementWiseVertex.Op.Add), "deep_out", "wide_sum");
        logit = "logit";
      }
    }
    if (conversion) {
      // probabilities first, so that their product is pCTCVR; the loss layers then take probabilities as they are
      g.addLayer("p_click", new ActivationLayer.Builder().activation(Activation.SIGMOID).build(), logit);
      g.addLayer(CLICK_OUTPUT, new LossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY)
          .build(), "p_click");
      String cvrDeep = addDeepTower(g, spec, CONVERSION_PREFIX);
      addWideSum(g, spec, enc, CONVERSION_PREFIX, cfg.l2WideConversion(), cfg);
      g.addVertex(CONVERSION_PREFIX + "logit", new ElementWiseVertex(ElementWiseVertex.Op.Add), cvrDeep,
          CONVERSION_PREFIX + "wide_sum");
      g.addLayer(CVR_VERTEX, new ActivationLayer.Builder().activation(Activation.SIGMOID).build(),
          CONVERSION_PREFIX + "logit");
      g.addVertex("p_ctcvr", new ElementWiseVertex(ElementWiseVertex.Op.Product), "p_click", CVR_VERTEX);
      g.addLayer(CTCVR_OUTPUT, new LossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.IDENTITY)
          .build(), "p_ctcvr");
      g.setOutputs(CLICK_OUTPUT, CTCVR_OUTPUT);
    } else {
      g.addLayer(CLICK_OUTPUT, new LossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.SIGMOID)
          .build(), logit);
      g.setOutputs(CLICK_OUTPUT);
    }
    // No setInputTypes: DL4J M2.1 infers a recurrent type after global pooling and then rejects the add
    // vertex, so every layer's nIn is set by hand and no preprocessors are needed.
    ComputationGraphConfiguration conf = g.build();
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    return net;
  }

  /** The sequence attention's vertex ({@link AttentionVertex}). */
  public static final String ATTENTION_VERTEX = "attention";

  /** Name prefix of the conversion tower's layers. */
  static final String CONVERSION_PREFIX = "cvr_";

  /** The hidden layers and output unit over {@code deep_in}, names prefixed; returns the output unit's name. */
  private static String addDeepTower(ComputationGraphConfiguration.GraphBuilder g, FeatureSpec spec, String prefix) {
    String prev = "deep_in";
    int width = new dev.bannerranker.scoring.WideDeepScorer.Layout(spec).inputWidth();
    for (int i = 0; i < spec.hiddenLayers().size(); i++) {
      g.addLayer(prefix + "hidden_" + i, new DenseLayer.Builder().nIn(width).nOut(spec.hiddenLayers().get(i))
          .activation(Activation.RELU).weightInit(WeightInit.RELU).build(), prev);
      prev = prefix + "hidden_" + i;
      width = spec.hiddenLayers().get(i);
    }
    g.addLayer(prefix + "deep_out", new DenseLayer.Builder().nIn(width).nOut(1).activation(Activation.IDENTITY).build(),
        prev);
    return prefix + "deep_out";
  }

  /** The hashed wide weights over the {@code wide} input, with L2 penalty {@code l2}, and their sum, names prefixed. */
  private static void addWideSum(ComputationGraphConfiguration.GraphBuilder g, FeatureSpec spec, FeatureEncoder enc,
      String prefix, double l2, WideDeepConfig cfg) {
    g.addLayer(prefix + "wide_emb", new EmbeddingSequenceLayer.Builder().nIn(spec.wideBuckets()).nOut(1)
        .inputLength(enc.wideCount()).hasBias(false).weightInit(WeightInit.ZERO).l2(l2)
        .updater(wideUpdater(cfg)).build(), "wide");
    g.addLayer(prefix + "wide_sum", new GlobalPoolingLayer.Builder(PoolingType.SUM).build(), prefix + "wide_emb");
  }

  private static void addEmbedding(ComputationGraphConfiguration.GraphBuilder g, FeatureSpec spec, String field) {
    g.addLayer("emb_" + field, new EmbeddingLayer.Builder().nIn(spec.cardinality(field)).nOut(spec.embeddingDim(field))
        .hasBias(false).activation(Activation.IDENTITY).build(), "in_" + field);
  }

  /** Copies a trained wide &amp; deep graph's parameters into plain arrays for the bundle. */
  public static WideDeepWeights export(ComputationGraph net, FeatureSpec spec) {
    Map<String, float[][]> emb = new LinkedHashMap<>();
    for (String f : FeatureEncoder.USER_FIELDS) {
      emb.put(f, net.getLayer("emb_" + f).getParam("W").toFloatMatrix());
    }
    for (String f : FeatureEncoder.BANNER_FIELDS) {
      emb.put(f, net.getLayer("emb_" + f).getParam("W").toFloatMatrix());
    }
    List<WideDeepWeights.DenseLayer> hidden = new ArrayList<>();
    for (int i = 0; i < spec.hiddenLayers().size(); i++) {
      var layer = net.getLayer("hidden_" + i);
      hidden.add(new WideDeepWeights.DenseLayer(layer.getParam("W").toFloatMatrix(), layer.getParam("b").toFloatVector()));
    }
    var out = net.getLayer("deep_out");
    float[] wide = net.getLayer("wide_emb").getParam("W").reshape(-1).toFloatVector();
    boolean taste = spec.hasTasteTower();
    return new WideDeepWeights(wide, emb, hidden, out.getParam("W").reshape(-1).toFloatVector(),
        out.getParam("b").getFloat(0), taste ? net.getLayer(tasteTableLayer(spec)).getParam("W").toFloatMatrix() : null,
        taste ? net.getLayer("taste_item").getParam("W").toFloatMatrix() : null,
        hasConversion(net) ? exportTower(net, spec, CONVERSION_PREFIX) : null, exportAttention(net, spec));
  }

  private static WideDeepWeights.Attention exportAttention(ComputationGraph net, FeatureSpec spec) {
    if (!spec.hasSequenceAttention()) {
      return null;
    }
    Map<String, INDArray> p = net.getVertex(ATTENTION_VERTEX).paramTable(false);
    return new WideDeepWeights.Attention(p.get(AttentionVertex.QUERY).toFloatMatrix(),
        p.get(AttentionVertex.KEY).toFloatMatrix(), p.get(AttentionVertex.VALUE).toFloatMatrix());
  }

  private static WideDeepWeights.Tower exportTower(ComputationGraph net, FeatureSpec spec, String prefix) {
    List<WideDeepWeights.DenseLayer> hidden = new ArrayList<>();
    for (int i = 0; i < spec.hiddenLayers().size(); i++) {
      var layer = net.getLayer(prefix + "hidden_" + i);
      hidden.add(new WideDeepWeights.DenseLayer(layer.getParam("W").toFloatMatrix(), layer.getParam("b").toFloatVector()));
    }
    var out = net.getLayer(prefix + "deep_out");
    return new WideDeepWeights.Tower(net.getLayer(prefix + "wide_emb").getParam("W").reshape(-1).toFloatVector(),
        hidden, out.getParam("W").reshape(-1).toFloatVector(), out.getParam("b").getFloat(0));
  }

  /** Builds the graph's input arrays for a set of rows. */
  public static INDArray[] features(RowEncoder rows, int[] idx, int from, int to, WideDeepConfig.Mode mode) {
    return features(rows, idx, from, to, mode, denseTaste(rows.encoder().spec()));
  }

  /** As above, for a graph built with the given taste-tower form. */
  static INDArray[] features(RowEncoder rows, int[] idx, int from, int to, WideDeepConfig.Mode mode,
      boolean denseTaste) {
    FeatureEncoder enc = rows.encoder();
    int n = to - from;
    int ud = enc.userDenseSize();
    int bd = enc.bannerDenseSize();
    int uf = FeatureEncoder.USER_FIELDS.size();
    int bf = FeatureEncoder.BANNER_FIELDS.size();
    int cs = enc.crossSize();
    int tc = enc.spec().tasteBrands();
    int wc = enc.wideCount();
    Buffers buf = BUFFERS.get();
    float[] userDense = buf.floats(Buffers.USER_DENSE, n * ud);
    int[] userCats = buf.ints(Buffers.USER_CATS, n * uf);
    float[] bannerDense = buf.floats(Buffers.BANNER_DENSE, n * bd);
    int[] bannerCats = buf.ints(Buffers.BANNER_CATS, n * bf);
    float[] cross = buf.floats(Buffers.CROSS, n * cs);
    int[] taste = buf.ints(Buffers.TASTE, n * tc);
    int[] wide = buf.ints(Buffers.WIDE, n * wc);
    for (int r = 0; r < n; r++) {
      rows.encodeInto(idx[from + r], userDense, r * ud, userCats, r * uf, bannerDense, r * bd, bannerCats, r * bf,
          cross, r * cs, taste, r * tc, wide, r * wc);
    }
    int ew = rows.eventsWidth();
    int sl = enc.spec().hasSequenceAttention() ? enc.spec().sequenceAttention().length() : 0;
    float[] events = buf.floats(Buffers.EVENTS, mode == WideDeepConfig.Mode.WIDE_ONLY ? 0 : n * ew);
    float[] mask = buf.floats(Buffers.MASK, mode == WideDeepConfig.Mode.WIDE_ONLY ? 0 : n * sl);
    for (int r = 0; ew > 0 && mode != WideDeepConfig.Mode.WIDE_ONLY && r < n; r++) {
      rows.encodeSequence(idx[from + r], events, r * ew, mask, r * sl);
    }
    List<INDArray> out = new ArrayList<>();
    if (mode != WideDeepConfig.Mode.WIDE_ONLY) {
      out.add(Nd4j.create(userDense, new long[] {n, ud}, 'c'));
      for (int f = 0; f < uf; f++) {
        out.add(column(userCats, n, uf, f));
      }
      out.add(Nd4j.create(bannerDense, new long[] {n, bd}, 'c'));
      for (int f = 0; f < bf; f++) {
        out.add(column(bannerCats, n, bf, f));
      }
      out.add(Nd4j.create(cross, new long[] {n, cs}, 'c'));
      if (tc > 0) {
        out.add(tasteInput(taste, n, tc, enc.spec(), denseTaste));
      }
      if (ew > 0) {
        out.add(Nd4j.create(events, new long[] {n, ew}, 'c'));
        out.add(Nd4j.create(mask, new long[] {n, sl}, 'c'));
      }
    }
    if (mode != WideDeepConfig.Mode.DEEP_ONLY) {
      out.add(indices(wide, n, wc, Buffers.INDICES));
    }
    return out.toArray(INDArray[]::new);
  }

  /**
   * The taste tower's input for rows with {@code width} ranked brands each in {@code idx}: with {@code dense}, the
   * shares {@code [n][brands]} (entry b = times b is among the row's brands / width), else the indices {@code
   * [n][width]}.
   */
  public static INDArray tasteInput(int[] idx, int n, int width, FeatureSpec spec, boolean dense) {
    return dense ? tasteShares(idx, n, width, spec.cardinality("brand")) : indices(idx, n, width, Buffers.TASTE_INDICES);
  }

  private static INDArray tasteShares(int[] idx, int n, int width, int brands) {
    float[] f = BUFFERS.get().floats(Buffers.TASTE_SHARES, n * brands);
    float share = 1f / width;
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < width; k++) {
        f[r * brands + idx[r * width + k]] += share;
      }
    }
    return Nd4j.create(f, new long[] {n, brands}, 'c');
  }

  /** Integer indices as the float matrix DL4J's embedding layers take (exact below 2^24). */
  private static INDArray indices(int[] idx, int n, int width, int slot) {
    float[] f = BUFFERS.get().floats(slot, idx.length);
    for (int i = 0; i < f.length; i++) {
      f[i] = idx[i];
    }
    return Nd4j.create(f, new long[] {n, width}, 'c');
  }

  private static INDArray column(int[] cats, int n, int width, int f) {
    float[] c = BUFFERS.get().floats(Buffers.COLUMN, n);
    for (int r = 0; r < n; r++) {
      c[r] = cats[r * width + f];
    }
    return Nd4j.create(c, new long[] {n, 1}, 'c');
  }

  /**
   * The calling thread's encoding arrays, reused batch after batch: ND4J copies each block off the heap when it makes
   * the array, so the next batch may overwrite them. New arrays per batch would be garbage at once, and the larger
   * ones (the taste shares of 2048 rows over 201 brands are 1.6 MB; at 8192 rows the dense blocks too) are humongous
   * to G1 at -Xmx2g, allocated straight into the old generation, where each may start a concurrent marking cycle:
   * after the streamed sweep, whose allocation had driven G1's adaptive threshold to zero, nearly every batch did.
   */
  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    static final int USER_DENSE = 0;
    static final int BANNER_DENSE = 1;
    static final int CROSS = 2;
    static final int EVENTS = 3;
    static final int MASK = 4;
    static final int TASTE_SHARES = 5;
    static final int INDICES = 6;
    static final int COLUMN = 7;
    static final int TASTE_INDICES = 8;
    static final int USER_CATS = 0;
    static final int BANNER_CATS = 1;
    static final int TASTE = 2;
    static final int WIDE = 3;

    private final float[][] floats = new float[9][];
    private final int[][] ints = new int[4][];

    /** A zeroed array of exactly {@code length} (ND4J takes the whole array); kept for the next call. */
    float[] floats(int slot, int length) {
      float[] a = floats[slot];
      if (a == null || a.length != length) {
        return floats[slot] = new float[length];
      }
      java.util.Arrays.fill(a, 0f);
      return a;
    }

    int[] ints(int slot, int length) {
      int[] a = ints[slot];
      if (a == null || a.length != length) {
        return ints[slot] = new int[length];
      }
      java.util.Arrays.fill(a, 0);
      return a;
    }
  }
}
