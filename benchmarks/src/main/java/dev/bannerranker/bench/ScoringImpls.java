package dev.bannerranker.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.scoring.WideDeepScorer;
import dev.bannerranker.scoring.WideDeepWeights;
import dev.bannerranker.trainer.widedeep.WideDeepNetwork;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The four ways of scoring one request (one user, {@code n} candidates) that {@link ScoringBenchmark} compares.
 * Each writes the candidates' click probabilities into {@code out}; {@link #checkAgreement} holds them equal.
 *
 * <ul>
 *   <li>{@code project}: {@link ScoringModel#predict}, the service's path: user block once per request, the
 *       precomputed first-layer banner parts, then per candidate the cross block, the wide sum and the upper layers.
 *   <li>{@code onnxruntime}: the same per-request Java work (user part, banner parts, cross encoding and taste
 *       product, wide sums), but the per-candidate matrix work (those inputs × W1, ReLU, upper layers, output,
 *       sigmoid) runs in ONNX Runtime on
 *       the graph of {@link OnnxExport}; 1 intra-op and 1 inter-op thread, all graph optimisations, input and output
 *       tensors bound once to direct buffers (no copies per call). With sequence attention the user's keys and
 *       folded values and the banners' queries come from the same Java parts as {@code project}'s, and the softmax
 *       and weighted sum run in the graph ({@link OnnxExport}).
 *   <li>{@code dl4j}: the trainer's {@link ComputationGraph} with the same weights; per request the full input rows
 *       are encoded with {@link FeatureEncoder} (user block once, banner, cross, taste-brand and wide blocks per
 *       candidate), the graph's 14 or 15 input arrays created, and {@code outputSingle} run on the whole batch.
 *   <li>{@code scalar}: a plain per-candidate loop: encode the whole row (user, banner, cross, wide) and run
 *       {@link WideDeepScorer#predictUnsplit}, the unsplit matrix-vector pass (with sequence attention, over the
 *       user's events and their mask, computed in full per candidate).
 * </ul>
 *
 * The benchmark's DL4J graph has no sequence attention, so a model with it is scored by {@link #names} without
 * {@code dl4j}.
 */
public final class ScoringImpls {
  private ScoringImpls() {}

  public static final List<String> NAMES = List.of("project", "onnxruntime", "dl4j", "scalar");

  /** The implementations that can score {@code model}: all of {@link #NAMES}, but dl4j with sequence attention. */
  public static List<String> names(ScoringModel model) {
    return model.spec().hasSequenceAttention() ? List.of("project", "onnxruntime", "scalar") : NAMES;
  }

  /** One implementation bound to one request of {@code n} candidates. */
  public interface Impl extends AutoCloseable {
    String name();

    void score(float[] out);

    @Override
    default void close() {}
  }

  /** The request every implementation scores. */
  public record Request(ScoringModel model, UserFeatures user, ScoringContext ctx, BannerFeatures[] candidates) {
    public int n() {
      return candidates.length;
    }

    public static Request of(BenchModel m, int n) {
      return new Request(m.model(), m.user(), m.context(), m.candidates(n));
    }
  }

  public static Impl create(String name, Request r, ComputationGraph dl4j) {
    switch (name) {
      case "project": return new Project(r);
      case "onnxruntime": return new OnnxRuntime(r);
      case "dl4j": return new Dl4j(r, dl4j);
      case "scalar": return new Scalar(r);
      default: throw new IllegalArgumentException("unknown impl " + name + "; one of " + NAMES);
    }
  }

  /**
   * Runs every implementation on the request and fails unless all agree with {@code project} within
   * {@code tolerance} (absolute, on probabilities). Returns the largest difference per implementation.
   */
  public static Map<String, Double> checkAgreement(Request r, ComputationGraph dl4j, double tolerance) {
    float[] ref = new float[r.n()];
    new Project(r).score(ref);
    Map<String, Double> diffs = new LinkedHashMap<>();
    List<String> bad = new ArrayList<>();
    for (String name : names(r.model())) {
      float[] out = new float[r.n()];
      try (Impl impl = create(name, r, dl4j)) {
        impl.score(out);
        impl.score(out); // twice: reused buffers must not leak state between calls
      }
      double max = 0;
      for (int i = 0; i < out.length; i++) {
        double d = Math.abs(out[i] - ref[i]);
        max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
      }
      diffs.put(name, max);
      if (!(max <= tolerance)) {
        bad.add(String.format(Locale.ROOT, "%s differs from project by %.3g", name, max));
      }
    }
    float lo = Float.MAX_VALUE;
    float hi = -Float.MAX_VALUE;
    for (float p : ref) {
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    if (r.n() > 1 && hi - lo < 1e-6f) {
      bad.add("the predictions do not vary across candidates (" + lo + "); the check would prove nothing");
    }
    if (!bad.isEmpty()) {
      throw new IllegalStateException("scoring implementations disagree (n=" + r.n() + ", tolerance " + tolerance + "): " + bad);
    }
    return diffs;
  }

  /**
   * Multiply-adds per candidate of the split path's matrix work: the per-candidate first-layer inputs (cross block and
   * taste product) × W1, every upper layer, the output.
   */
  public static long macsPerCandidate(ScoringModel model) {
    List<WideDeepWeights.DenseLayer> hidden = model.bundle().weights().hidden();
    long macs = (long) new PerCandidate(model).width() * hidden.get(0).nOut();
    for (int l = 1; l < hidden.size(); l++) {
      macs += (long) hidden.get(l).nIn() * hidden.get(l).nOut();
    }
    return macs + hidden.get(hidden.size() - 1).nOut();
  }

  /**
   * The first layer's per-candidate inputs, the last columns of its input: the cross block
   * ({@link FeatureEncoder#encodeCross}), then, with a taste tower, the user's mean taste embedding ⊙ the candidate
   * brand's taste embedding. Everything before them is the user part and the banner part.
   */
  public static final class PerCandidate {
    private final FeatureEncoder enc;
    private final int crossN;
    private final int tasteDim;
    private final float[][] tasteUser;
    private final float[][] tasteItem;
    private final int offset;

    public PerCandidate(ScoringModel model) {
      this.enc = model.encoder();
      this.crossN = enc.crossSize();
      this.tasteDim = model.spec().tasteDim();
      this.tasteUser = model.bundle().weights().tasteUser();
      this.tasteItem = model.bundle().weights().tasteItem();
      this.offset = new WideDeepScorer.Layout(model.spec()).inputWidth() - model.spec().attentionDim() - width();
    }

    public int width() {
      return crossN + tasteDim;
    }

    /** Column of the first of these inputs in the first layer's input (its row in W1). */
    public int offset() {
      return offset;
    }

    /** Once per request: the mean taste embedding of the user's ranked brands (null without a tower). */
    public float[] userTaste(UserFeatures u) {
      if (tasteDim == 0) {
        return null;
      }
      float[] t = new float[tasteDim];
      for (int b : u.tasteBrands) {
        float[] e = tasteUser[b];
        for (int j = 0; j < tasteDim; j++) {
          t[j] += e[j];
        }
      }
      for (int j = 0; j < tasteDim; j++) {
        t[j] /= u.tasteBrands.length;
      }
      return t;
    }

    public void encode(UserFeatures u, BannerFeatures b, ScoringContext ctx, float[] userTaste, float[] out, int off) {
      enc.encodeCross(u, b, ctx, out, off);
      if (tasteDim > 0) {
        float[] item = tasteItem[b.brandIdx()];
        for (int j = 0; j < tasteDim; j++) {
          out[off + crossN + j] = userTaste[j] * item[j];
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  static final class Project implements Impl {
    private final Request r;

    Project(Request r) {
      this.r = r;
    }

    @Override
    public String name() {
      return "project";
    }

    @Override
    public void score(float[] out) {
      r.model().predict(r.user(), r.ctx(), r.candidates(), r.n(), out);
    }
  }

  static final class Scalar implements Impl {
    private final Request r;
    private final FeatureEncoder enc;
    private final WideDeepScorer scorer;
    private final float[] userDense;
    private final int[] userCats;
    private final float[] bannerDense;
    private final int[] bannerCats;
    private final float[] cross;
    private final int[] wide;
    private final float[] mask;

    Scalar(Request r) {
      this.r = r;
      this.enc = r.model().encoder();
      this.scorer = r.model().scorer();
      userDense = new float[enc.userDenseSize()];
      userCats = new int[FeatureEncoder.USER_FIELDS.size()];
      bannerDense = new float[enc.bannerDenseSize()];
      bannerCats = new int[FeatureEncoder.BANNER_FIELDS.size()];
      cross = new float[enc.crossSize()];
      wide = new int[enc.wideCount()];
      mask = r.model().spec().hasSequenceAttention() ? new float[r.model().spec().sequenceAttention().length()] : null;
    }

    @Override
    public String name() {
      return "scalar";
    }

    @Override
    public void score(float[] out) {
      UserFeatures u = r.user();
      ScoringContext ctx = r.ctx();
      BannerFeatures[] c = r.candidates();
      for (int i = 0; i < c.length; i++) {
        enc.encodeUser(u, ctx, userDense, 0, userCats, 0);
        enc.encodeBanner(c[i], bannerDense, 0, bannerCats, 0);
        enc.encodeCross(u, c[i], ctx, cross, 0);
        enc.wideIndices(u, c[i], ctx, wide, 0);
        if (mask == null) {
          out[i] = scorer.predictUnsplit(userDense, userCats, bannerDense, bannerCats, cross, u.tasteBrands, wide);
        } else {
          for (int j = 0; j < mask.length; j++) {
            mask[j] = j < u.sequenceCount ? 1f : 0f;
          }
          out[i] = scorer.predictUnsplit(userDense, userCats, bannerDense, bannerCats, cross, u.tasteBrands,
              u.sequenceEvents, mask, wide);
        }
      }
    }
  }

  static final class Dl4j implements Impl {
    private final Request r;
    private final ComputationGraph net;
    private final FeatureEncoder enc;
    private final int n;
    private final int ud;
    private final int bd;
    private final int cs;
    private final int wc;
    private final float[] user1;
    private final int[] userCats1;
    private final int[] bannerCats1;
    private final int[] wide1;
    private final float[] userDense;
    private final float[][] userCats;
    private final float[] bannerDense;
    private final float[][] bannerCats;
    private final float[] cross;
    private final int[] taste;
    private final int tc;
    private final float[] wide;

    Dl4j(Request r, ComputationGraph net) {
      if (net == null) {
        throw new IllegalArgumentException("dl4j needs the graph");
      }
      if (r.model().spec().hasSequenceAttention()) {
        throw new IllegalArgumentException("dl4j: the benchmark's DL4J graph has no sequence attention; one of "
            + names(r.model()));
      }
      this.r = r;
      this.net = net;
      this.enc = r.model().encoder();
      n = r.n();
      ud = enc.userDenseSize();
      bd = enc.bannerDenseSize();
      cs = enc.crossSize();
      wc = enc.wideCount();
      user1 = new float[ud];
      userCats1 = new int[FeatureEncoder.USER_FIELDS.size()];
      bannerCats1 = new int[FeatureEncoder.BANNER_FIELDS.size()];
      wide1 = new int[wc];
      userDense = new float[n * ud];
      userCats = new float[userCats1.length][n];
      bannerDense = new float[n * bd];
      bannerCats = new float[bannerCats1.length][n];
      cross = new float[n * cs];
      tc = r.model().spec().tasteBrands();
      taste = new int[n * tc];
      wide = new float[n * wc];
    }

    @Override
    public String name() {
      return "dl4j";
    }

    @Override
    public void score(float[] out) {
      UserFeatures u = r.user();
      ScoringContext ctx = r.ctx();
      BannerFeatures[] c = r.candidates();
      enc.encodeUser(u, ctx, user1, 0, userCats1, 0);
      for (int i = 0; i < n; i++) {
        System.arraycopy(user1, 0, userDense, i * ud, ud);
        for (int f = 0; f < userCats1.length; f++) {
          userCats[f][i] = userCats1[f];
        }
        enc.encodeBanner(c[i], bannerDense, i * bd, bannerCats1, 0);
        for (int f = 0; f < bannerCats1.length; f++) {
          bannerCats[f][i] = bannerCats1[f];
        }
        enc.encodeCross(u, c[i], ctx, cross, i * cs);
        for (int t = 0; t < tc; t++) {
          taste[i * tc + t] = u.tasteBrands[t];
        }
        enc.wideIndices(u, c[i], ctx, wide1, 0);
        for (int k = 0; k < wc; k++) {
          wide[i * wc + k] = wide1[k];
        }
      }
      INDArray[] in = new INDArray[4 + userCats.length + bannerCats.length + (tc > 0 ? 1 : 0)];
      int k = 0;
      in[k++] = Nd4j.create(userDense, new long[] {n, ud}, 'c');
      for (float[] col : userCats) {
        in[k++] = Nd4j.create(col, new long[] {n, 1}, 'c');
      }
      in[k++] = Nd4j.create(bannerDense, new long[] {n, bd}, 'c');
      for (float[] col : bannerCats) {
        in[k++] = Nd4j.create(col, new long[] {n, 1}, 'c');
      }
      in[k++] = Nd4j.create(cross, new long[] {n, cs}, 'c');
      if (tc > 0) {
        in[k++] = WideDeepNetwork.tasteInput(taste, n, tc, r.model().spec(),
            WideDeepNetwork.denseTaste(r.model().spec()));
      }
      in[k] = Nd4j.create(wide, new long[] {n, wc}, 'c');
      INDArray p = net.outputSingle(false, in);
      float[] v = p.reshape(-1).toFloatVector();
      System.arraycopy(v, 0, out, 0, n);
    }
  }

  static final class OnnxRuntime implements Impl {
    private final Request r;
    private final FeatureEncoder enc;
    private final WideDeepScorer scorer;
    private final PerCandidate dynamic;
    private final float[] wideWeights;
    private final int n;
    private final int h1;
    private final int cs;
    private final float[] crossRow;
    private final int[] wideIdx;
    private final FloatBuffer userBuf;
    private final FloatBuffer bannerBuf;
    private final FloatBuffer crossBuf;
    private final FloatBuffer wideBuf;
    private final FloatBuffer outBuf;
    /** Sequence attention: its size, the event slots, and the buffers of its four inputs (null without). */
    private final int attnDim;
    private final int events;
    private final FloatBuffer queryBuf;
    private final FloatBuffer keysBuf;
    private final FloatBuffer valuesBuf;
    private final FloatBuffer maskBuf;
    private final OrtSession session;
    private final List<OnnxTensor> tensors = new ArrayList<>();
    private final Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    private final Map<String, OnnxTensor> outputs = new LinkedHashMap<>();

    OnnxRuntime(Request r) {
      this.r = r;
      ScoringModel m = r.model();
      this.enc = m.encoder();
      this.scorer = m.scorer();
      this.wideWeights = m.bundle().weights().wide();
      this.n = r.n();
      this.h1 = scorer.firstLayerWidth();
      this.dynamic = new PerCandidate(m);
      this.cs = dynamic.width();
      crossRow = new float[cs];
      wideIdx = new int[enc.wideCount()];
      userBuf = direct(h1);
      bannerBuf = direct(n * h1);
      crossBuf = direct(n * cs);
      wideBuf = direct(n);
      outBuf = direct(n);
      attnDim = m.spec().attentionDim();
      events = attnDim == 0 ? 0 : m.spec().sequenceAttention().length();
      queryBuf = attnDim == 0 ? null : direct(n * attnDim);
      keysBuf = attnDim == 0 ? null : direct(attnDim * events);
      valuesBuf = attnDim == 0 ? null : direct(events * h1);
      maskBuf = attnDim == 0 ? null : direct(events);
      try {
        OrtEnvironment env = OnnxRuntimeEnvironment.get();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
          opts.setIntraOpNumThreads(1);
          opts.setInterOpNumThreads(1);
          opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
          opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
          session = env.createSession(OnnxExport.perCandidateModel(m.spec(), m.bundle().weights()), opts);
        }
        inputs.put(OnnxExport.USER_PART, tensor(env, userBuf, 1, h1));
        inputs.put(OnnxExport.BANNER_PART, tensor(env, bannerBuf, n, h1));
        inputs.put(OnnxExport.CROSS, tensor(env, crossBuf, n, cs));
        inputs.put(OnnxExport.WIDE_SUM, tensor(env, wideBuf, n, 1));
        if (attnDim > 0) {
          inputs.put(OnnxExport.QUERY, tensor(env, queryBuf, n, attnDim));
          inputs.put(OnnxExport.KEYS_T, tensor(env, keysBuf, attnDim, events));
          inputs.put(OnnxExport.VALUES_W1, tensor(env, valuesBuf, events, h1));
          inputs.put(OnnxExport.EVENT_MASK, tensor(env, maskBuf, 1, events));
        }
        outputs.put(OnnxExport.PROB, tensor(env, outBuf, n, 1));
      } catch (OrtException e) {
        close();
        throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
      }
    }

    private static FloatBuffer direct(int floats) {
      return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private OnnxTensor tensor(OrtEnvironment env, FloatBuffer buf, long rows, long cols) throws OrtException {
      OnnxTensor t = OnnxTensor.createTensor(env, buf, new long[] {rows, cols});
      tensors.add(t);
      return t;
    }

    @Override
    public String name() {
      return "onnxruntime";
    }

    @Override
    public void score(float[] out) {
      fillInputs();
      runKernel();
      outBuf.get(0, out, 0, n);
    }

    /**
     * The per-request Java part into the bound buffers: user part, banner parts, the per-candidate first-layer inputs
     * (cross block and taste product) and the wide sums; with sequence attention the queries, keys, folded values and
     * mask, from the same user and banner parts.
     */
    void fillInputs() {
      UserFeatures u = r.user();
      ScoringContext ctx = r.ctx();
      BannerFeatures[] c = r.candidates();
      float[] userPart = scorer.userPart(u, ctx);
      userBuf.put(0, userPart, 0, h1);
      if (attnDim > 0) {
        fillAttention(userPart);
      }
      float[] userTaste = dynamic.userTaste(u);
      for (int i = 0; i < n; i++) {
        float[] bannerPart = r.model().bannerPart(c[i]);
        bannerBuf.put(i * h1, bannerPart, 0, h1);
        if (attnDim > 0) {
          queryBuf.put(i * attnDim, bannerPart, h1, attnDim);
        }
        dynamic.encode(u, c[i], ctx, userTaste, crossRow, 0);
        crossBuf.put(i * cs, crossRow);
        enc.wideIndices(u, c[i], ctx, wideIdx, 0);
        float s = 0f;
        for (int idx : wideIdx) {
          s += wideWeights[idx];
        }
        wideBuf.put(i, s);
      }
    }

    /**
     * The user part's attention block ({@link WideDeepScorer#userPart}: the event count, the keys {@code [d][count]},
     * the folded values {@code [count][h1]}) padded to the graph's fixed {@code events} slots, empty ones masked.
     */
    private void fillAttention(float[] userPart) {
      int count = (int) userPart[h1];
      int keys = h1 + 1;
      int values = keys + attnDim * count;
      for (int t = 0; t < attnDim; t++) {
        for (int j = 0; j < events; j++) {
          keysBuf.put(t * events + j, j < count ? userPart[keys + t * count + j] : 0f);
        }
      }
      for (int j = 0; j < events; j++) {
        for (int k = 0; k < h1; k++) {
          valuesBuf.put(j * h1 + k, j < count ? userPart[values + j * h1 + k] : 0f);
        }
        maskBuf.put(j, j < count ? 0f : OnnxExport.MASKED);
      }
    }

    /** The matrix work alone: one session run on the bound inputs; the output lands in the bound output buffer. */
    void runKernel() {
      try {
        // nothing to read from the result: the pinned output tensor wraps outBuf, and closing the result leaves it open
        session.run(inputs, outputs).close();
      } catch (OrtException e) {
        throw new IllegalStateException("ONNX Runtime run failed: " + e.getMessage(), e);
      }
    }

    float output(int i) {
      return outBuf.get(i);
    }

    @Override
    public void close() {
      for (OnnxTensor t : tensors) {
        t.close();
      }
      if (session != null) {
        try {
          session.close();
        } catch (OrtException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }
}
