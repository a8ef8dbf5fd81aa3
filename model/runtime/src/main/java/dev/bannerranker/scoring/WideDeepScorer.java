package dev.bannerranker.scoring;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import java.util.ArrayList;
import java.util.List;

/**
 * The wide &amp; deep forward pass in plain Java, with the first layer split by who owns each input:
 *
 * <ul>
 *   <li>banner block, and sequence attention's query: precomputed per banner ({@link #bannerFirstLayer}), stored in
 *       the bundle;
 *   <li>user block and bias, and sequence attention's keys and values (the values multiplied into the first layer):
 *       once per request ({@link #userPart});
 *   <li>cross scalars, taste product, the attention's softmax and weighted sum, the upper layers and the wide sum:
 *       per candidate.
 * </ul>
 *
 * {@link #predictUnsplit} is the plain, unsplit pass over a full feature row; tests hold the two equal,
 * and equal to DL4J's own output on the same weights.
 */
public final class WideDeepScorer {
  private final FeatureEncoder encoder;
  private final WideDeepWeights weights;
  private final int h1;
  private final float[] w1; // row-major [nIn][h1]
  private final float[] b1;
  private final int userDenseOff;
  private final int[] userEmbOff;
  private final int bannerDenseOff;
  private final int[] bannerEmbOff;
  private final int crossOff;
  private final int tasteOff;
  private final int tasteDim;
  /** Sequence attention: output size, events attended over, width of an event's input (all 0 without). */
  private final int attnDim;
  private final int attnLength;
  private final int eventWidth;
  private final float attnScale;
  private final int nIn;
  /** Offset in {@link #w1} of the attention output's rows, {@code [dim][h1]}. */
  private final int attnRowsOff;
  /** The attention's key and value weights, row-major {@code [eventWidth][dim]}; null without. */
  private final float[] keyWeights;
  private final float[] valueWeights;
  /** Per user-side field: embedding table already multiplied into the first layer, {@code [card][h1]}. */
  private final float[][][] userFieldProjection;
  private final float[][] upperW; // layers 2..L, row-major
  private final float[][] upperB;
  private final int[] widths;

  private final MatrixKernels kernels;
  private final ThreadLocal<Scratch> scratch;
  /** The share of non-clicks the network was trained on; its outputs are corrected by {@link NegativeSampling}. */
  private final double negativeRate;

  /** A network trained on every row. */
  public WideDeepScorer(FeatureEncoder encoder, WideDeepWeights weights) {
    this(encoder, weights, MatrixKernels.get(), 1.0);
  }

  /** A network trained on a share {@code negativeRate} of the non-clicks (the bundle's manifest records it). */
  public WideDeepScorer(FeatureEncoder encoder, WideDeepWeights weights, double negativeRate) {
    this(encoder, weights, MatrixKernels.get(), negativeRate);
  }

  /** With explicit kernels, so tests can hold the Panama and scalar kernels equal. */
  public WideDeepScorer(FeatureEncoder encoder, WideDeepWeights weights, MatrixKernels kernels) {
    this(encoder, weights, kernels, 1.0);
  }

  public WideDeepScorer(FeatureEncoder encoder, WideDeepWeights weights, MatrixKernels kernels, double negativeRate) {
    if (!NegativeSampling.isValidRate(negativeRate)) {
      throw new IllegalArgumentException("negative rate " + negativeRate + " is not in (0, 1]");
    }
    this.negativeRate = negativeRate;
    this.kernels = kernels;
    this.encoder = encoder;
    this.weights = weights;
    var spec = encoder.spec();
    WideDeepWeights.DenseLayer first = weights.hidden().get(0);
    this.h1 = first.nOut();
    Layout layout = new Layout(spec);
    userDenseOff = layout.userDenseOff;
    userEmbOff = layout.userEmbOff;
    bannerDenseOff = layout.bannerDenseOff;
    bannerEmbOff = layout.bannerEmbOff;
    crossOff = layout.crossOff;
    tasteOff = layout.tasteOff;
    tasteDim = spec.tasteDim();
    attnDim = spec.attentionDim();
    attnLength = spec.hasSequenceAttention() ? spec.sequenceAttention().length() : 0;
    eventWidth = spec.hasSequenceAttention() ? spec.sequenceAttention().eventWidth(spec.itemVectorDim()) : 0;
    attnScale = attnDim == 0 ? 0f : (float) (1.0 / Math.sqrt(attnDim));
    if (spec.hasSequenceAttention() != (weights.attention() != null)) {
      throw new IllegalArgumentException("the feature spec " + (spec.hasSequenceAttention() ? "has" : "has no")
          + " sequence attention but the network " + (weights.attention() != null ? "has" : "has no") + " attention weights");
    }
    nIn = layout.inputWidth();
    if (spec.hasTasteTower() && (weights.tasteUser() == null || weights.tasteItem() == null)) {
      throw new IllegalArgumentException("the feature spec has a taste tower but the network has no taste weights");
    }
    if (first.nIn() != nIn) {
      throw new IllegalArgumentException("first layer has " + first.nIn() + " inputs, the feature spec defines " + nIn);
    }
    w1 = flatten(first.w());
    b1 = first.b();
    attnRowsOff = layout.attentionOff * h1;
    keyWeights = attnDim == 0 ? null : flatten(weights.attention().key());
    valueWeights = attnDim == 0 ? null : flatten(weights.attention().value());
    userFieldProjection = new float[userEmbOff.length][][];
    for (int f = 0; f < userEmbOff.length; f++) {
      userFieldProjection[f] = project(weights.embeddings().get(FeatureEncoder.USER_FIELDS.get(f)), userEmbOff[f]);
    }
    int layers = weights.hidden().size();
    upperW = new float[layers - 1][];
    upperB = new float[layers - 1][];
    widths = new int[layers];
    widths[0] = h1;
    for (int l = 1; l < layers; l++) {
      upperW[l - 1] = flatten(weights.hidden().get(l).w());
      upperB[l - 1] = weights.hidden().get(l).b();
      widths[l] = weights.hidden().get(l).nOut();
    }
    int perCandidate = perCandidateWidth();
    int wideCount = encoder.wideCount();
    int[] sizes = widths.clone();
    int events = attnLength;
    int dim = attnDim;
    scratch = ThreadLocal.withInitial(() -> new Scratch(perCandidate, wideCount, sizes, events, dim));
  }

  public FeatureEncoder encoder() {
    return encoder;
  }

  /** Column offsets of each block in the first layer's input, in {@link FeatureEncoder}'s order. */
  public static final class Layout {
    final int userDenseOff;
    final int[] userEmbOff;
    final int bannerDenseOff;
    final int[] bannerEmbOff;
    final int crossOff;
    final int tasteOff;
    final int attentionOff;
    private final int width;

    public Layout(dev.bannerranker.features.FeatureSpec spec) {
      FeatureEncoder enc = new FeatureEncoder(spec);
      int off = 0;
      userDenseOff = off;
      off += enc.userDenseSize();
      userEmbOff = new int[FeatureEncoder.USER_FIELDS.size()];
      for (int f = 0; f < userEmbOff.length; f++) {
        userEmbOff[f] = off;
        off += spec.embeddingDim(FeatureEncoder.USER_FIELDS.get(f));
      }
      bannerDenseOff = off;
      off += enc.bannerDenseSize();
      bannerEmbOff = new int[FeatureEncoder.BANNER_FIELDS.size()];
      for (int f = 0; f < bannerEmbOff.length; f++) {
        bannerEmbOff[f] = off;
        off += spec.embeddingDim(FeatureEncoder.BANNER_FIELDS.get(f));
      }
      crossOff = off;
      tasteOff = off + enc.crossSize();
      attentionOff = tasteOff + spec.tasteDim();
      width = attentionOff + spec.attentionDim();
    }

    /** Width of the merged input of the first hidden layer. */
    public int inputWidth() {
      return width;
    }
  }

  public int firstLayerWidth() {
    return h1;
  }

  public int inputWidth() {
    return nIn;
  }

  private static float[] flatten(float[][] m) {
    int cols = m.length == 0 ? 0 : m[0].length;
    float[] flat = new float[m.length * cols];
    for (int r = 0; r < m.length; r++) {
      System.arraycopy(m[r], 0, flat, r * cols, cols);
    }
    return flat;
  }

  /** {@code table[idx] · W1[off .. off+dim]} for every index. */
  private float[][] project(float[][] table, int off) {
    float[][] out = new float[table.length][h1];
    for (int idx = 0; idx < table.length; idx++) {
      for (int j = 0; j < table[idx].length; j++) {
        DenseKernels.axpy(table[idx][j], w1, (off + j) * h1, out[idx], 0, h1);
      }
    }
    return out;
  }

  /**
   * What a banner's part holds: its first-layer contribution, then with sequence attention its query (scaled by
   * 1/√dim).
   */
  public int bannerPartWidth() {
    return h1 + attnDim;
  }

  /**
   * The banner block's first-layer contribution (no bias), then with sequence attention the banner's query, computed
   * once per banner.
   */
  public float[] bannerFirstLayer(BannerFeatures b) {
    float[] dense = new float[encoder.bannerDenseSize()];
    int[] cats = new int[FeatureEncoder.BANNER_FIELDS.size()];
    encoder.encodeBanner(b, dense, 0, cats, 0);
    float[] out = new float[bannerPartWidth()];
    for (int c = 0; c < dense.length; c++) {
      DenseKernels.axpy(dense[c], w1, (bannerDenseOff + c) * h1, out, 0, h1);
    }
    if (attnDim > 0) {
      float[] q = query(b.vector());
      System.arraycopy(q, 0, out, h1, attnDim);
    }
    for (int f = 0; f < cats.length; f++) {
      float[] e = weights.embeddings().get(FeatureEncoder.BANNER_FIELDS.get(f))[cats[f]];
      for (int j = 0; j < e.length; j++) {
        DenseKernels.axpy(e[j], w1, (bannerEmbOff[f] + j) * h1, out, 0, h1);
      }
    }
    return out;
  }

  /** The banner's attention query from its vector, scaled by 1/√dim. */
  private float[] query(float[] bannerVector) {
    float[] q = new float[attnDim];
    float[][] wq = weights.attention().query();
    for (int c = 0; c < bannerVector.length; c++) {
      DenseKernels.axpy(bannerVector[c], wq[c], 0, q, 0, attnDim);
    }
    for (int j = 0; j < attnDim; j++) {
      q[j] *= attnScale;
    }
    return q;
  }

  /**
   * The user block's first-layer contribution plus the bias, computed once per request; with sequence attention it is
   * followed by the number of events n, then the events' keys, transposed ({@code [dim][n]}), and their values already
   * multiplied into the first layer ({@code [n][h1]}, see {@link #addAttention}).
   */
  public float[] userPart(UserFeatures u, ScoringContext ctx) {
    float[] dense = new float[encoder.userDenseSize()];
    int[] cats = new int[FeatureEncoder.USER_FIELDS.size()];
    encoder.encodeUser(u, ctx, dense, 0, cats, 0);
    int count = attnDim == 0 ? 0 : u.sequenceCount;
    float[] out = java.util.Arrays.copyOf(b1, attnDim == 0 ? h1 : h1 + 1 + count * (attnDim + h1));
    if (attnDim > 0) {
      keysAndValues(u.sequenceEvents, count, out, h1);
    }
    for (int c = 0; c < dense.length; c++) {
      DenseKernels.axpy(dense[c], w1, (userDenseOff + c) * h1, out, 0, h1);
    }
    for (int f = 0; f < cats.length; f++) {
      float[] p = userFieldProjection[f][cats[f]];
      for (int j = 0; j < h1; j++) {
        out[j] += p[j];
      }
    }
    return out;
  }

  /**
   * Writes n, the keys (transposed, {@code [dim][n]}: the right operand of a block's query · key product) and the
   * values times the first layer's attention rows ({@code [n][h1]}) of the first {@code count} events of
   * {@code events} at {@code out[off]}, which holds zeros there.
   */
  private void keysAndValues(float[] events, int count, float[] out, int off) {
    out[off] = count;
    if (count == 0) {
      return;
    }
    Scratch s = scratch.get();
    kernels.gemm(events, 0, count, eventWidth, keyWeights, 0, attnDim, s.zeros, 0, 0, s.eventKeys, 0, false);
    kernels.gemm(events, 0, count, eventWidth, valueWeights, 0, attnDim, s.zeros, 0, 0, s.eventValues, 0, false);
    int keys = off + 1;
    for (int j = 0; j < count; j++) {
      for (int t = 0; t < attnDim; t++) {
        out[keys + t * count + j] = s.eventKeys[j * attnDim + t];
      }
    }
    // Σ_j a_j (v_j · W1) = (Σ_j a_j v_j) · W1: the values enter the first layer here, once per request, and a
    // candidate's attention output never passes through W1
    kernels.gemmAccumulate(s.eventValues, 0, count, attnDim, w1, attnRowsOff, h1, out, keys + attnDim * count);
  }

  /**
   * Adds the attention term of rows {@code [first, first + rows)}, at most a {@link #BLOCK}, to their first-layer
   * pre-activations in {@code h} ({@code rows × h1} from {@code hOff}), then applies the ReLU when {@code relu}: per row, the softmax over the user's events of query
   * · key, then the weighted sum of the values, already multiplied into the first layer by {@link #userPart}. The
   * query · key scores of the whole block are one product, as is the weighted sum. Nothing without events.
   */
  private void addAttention(float[] userPart, float[][] bannerParts, int first, int rows, Scratch s, float[] h,
      int hOff, boolean relu) {
    int count = (int) userPart[h1];
    if (count > 0) {
      float[] q = s.queries;
      for (int i = 0; i < rows; i++) {
        System.arraycopy(bannerParts[first + i], h1, q, i * attnDim, attnDim);
      }
      int keys = h1 + 1;
      kernels.gemm(q, 0, rows, attnDim, userPart, keys, count, s.zeros, 0, 0, s.attention, 0, false);
      kernels.softmaxRows(s.attention, 0, rows, count);
      kernels.gemm(s.attention, 0, rows, count, userPart, keys + attnDim * count, h1, h, hOff, h1, h, hOff, relu);
    } else if (relu) {
      kernels.relu(h, hOff, rows * h1);
    }
  }

  /** {@link #addAttention} without the ReLU, for tests: the attention term of each row added to {@code h}. */
  void addAttention(float[] userPart, float[][] bannerParts, int first, int rows, float[] h) {
    for (int done = 0; done < rows; done += BLOCK) {
      addAttention(userPart, bannerParts, first + done, Math.min(BLOCK, rows - done), scratch.get(), h, done * h1,
          false);
    }
  }

  /**
   * Click probabilities of {@code n} candidates for one user. {@code bannerParts[i]} is candidate i's
   * {@link #bannerFirstLayer}. Candidates are encoded and scored a block at a time, so a block's inputs and
   * activations stay in the L1 cache between the encoder and the kernels.
   */
  public void predict(UserFeatures u, ScoringContext ctx, float[] userPart, BannerFeatures[] candidates,
      float[][] bannerParts, int n, float[] out) {
    int crossN = encoder.crossSize();
    // The cross and taste blocks are adjacent rows of W1, so a block's per-candidate inputs form one rows × c
    // matrix and the first layer's remaining work is a batched GEMM; the attention is added by addAttention.
    int c = crossN + tasteDim;
    Scratch scratch = this.scratch.get();
    float[] x = scratch.x;
    int[] wide = scratch.wide;
    double[] raw = scratch.raw;
    float[] taste = tasteDim == 0 ? null : tasteOfUser(u.tasteBrands);
    float[] wideW = weights.wide();
    for (int start = 0; start < n; start += BLOCK) {
      int rows = Math.min(BLOCK, n - start);
      for (int i = 0; i < rows; i++) {
        BannerFeatures b = candidates[start + i];
        encoder.rawCrossScalars(u, b, ctx, raw);
        encoder.encodeCross(raw, u.vector, b, x, i * c);
        if (taste != null) {
          float[] item = weights.tasteItem()[b.brandIdx()];
          for (int j = 0; j < tasteDim; j++) {
            x[i * c + crossN + j] = taste[j] * item[j];
          }
        }
        encoder.wideIndices(u, b, ctx, wide, 0);
        float sum = 0f;
        for (int idx : wide) {
          sum += wideW[idx];
        }
        out[start + i] = sum;
      }
      forwardBlock(userPart, bannerParts, start, x, 0, c, attnDim > 0, rows, scratch, scratch.logits, 0);
      for (int i = 0; i < rows; i++) {
        out[start + i] = NegativeSampling.calibrate(DenseKernels.sigmoid(scratch.logits[i] + out[start + i]), negativeRate);
      }
    }
  }

  /** Width of the first layer's per-candidate inputs: the cross block, the taste product, the attention output. */
  public int perCandidateWidth() {
    return encoder.crossSize() + tasteDim + attnDim;
  }

  /** Candidates per block: small enough that a block's inputs and activations stay in the L1 cache. */
  static final int BLOCK = 32;

  /**
   * The deep side's logits: all of the scorer's matrix work. Row i's first-layer pre-activation is {@code userPart +
   * bannerParts[i] + x[i, :] · W1[per-candidate rows]}, where {@code x} holds {@link #perCandidateWidth()} inputs per
   * row; then ReLU, the upper layers and the output unit, a block of {@link #BLOCK} rows at a time.
   */
  public void deepLogits(float[] userPart, float[][] bannerParts, float[] x, int n, float[] logits) {
    int c = perCandidateWidth();
    Scratch scratch = this.scratch.get();
    for (int start = 0; start < n; start += BLOCK) {
      forwardBlock(userPart, bannerParts, start, x, start * c, c, false, Math.min(BLOCK, n - start), scratch, logits,
          start);
    }
  }

  /**
   * One block of rows through the network, from the first layer's sum to the output unit's logit. {@code x} holds
   * {@code k} per-candidate inputs per row, the first k of {@link #perCandidateWidth()}; with {@code attention} the
   * attention term is added by {@link #addAttention} instead of from inputs in {@code x}.
   */
  private void forwardBlock(float[] userPart, float[][] bannerParts, int first, float[] x, int xOff, int k,
      boolean attention, int rows, Scratch s, float[] logits, int logitsOff) {
    kernels.addRows(userPart, bannerParts, first, rows, h1, s.h);
    kernels.gemm(x, xOff, rows, k, w1, crossOff * h1, h1, s.h, 0, h1, s.h, 0, !attention);
    if (attention) {
      addAttention(userPart, bannerParts, first, rows, s, s.h, 0, true);
    }
    float[] cur = s.h;
    for (int l = 0; l < upperW.length; l++) {
      kernels.denseRelu(cur, 0, rows, widths[l], upperW[l], upperB[l], widths[l + 1], s.act[l]);
      cur = s.act[l];
    }
    kernels.gemv(cur, 0, rows, widths[widths.length - 1], weights.outputWeights(), weights.outputBias(), logits,
        logitsOff);
  }

  /**
   * A block's inputs and activations. One per thread and scorer, reused by every call, so scoring allocates next to
   * nothing per request (less garbage, fewer GC pauses in the service's tail latency) and stays thread-safe. Static
   * and built from sizes only: a thread's value must not refer back to the scorer, or the thread-local entry would
   * keep every replaced model generation alive.
   */
  private static final class Scratch {
    final float[] x;
    final int[] wide;
    final double[] raw = new double[FeatureEncoder.CROSS_SCALARS.size()];
    final float[] h;
    final float[][] act;
    final float[] logits = new float[BLOCK];
    /** Sequence attention: a block's queries, its scores then softmax weights, one request's keys and values. */
    final float[] queries;
    final float[] attention;
    final float[] eventKeys;
    final float[] eventValues;
    /** A zero row, the init of products that start from nothing. */
    final float[] zeros;

    Scratch(int perCandidate, int wideCount, int[] widths, int events, int dim) {
      queries = new float[BLOCK * dim];
      attention = new float[BLOCK * events];
      eventKeys = new float[events * dim];
      eventValues = new float[events * dim];
      zeros = new float[Math.max(events, dim)];
      x = new float[BLOCK * perCandidate];
      wide = new int[wideCount];
      h = new float[BLOCK * widths[0]];
      act = new float[widths.length - 1][];
      for (int l = 1; l < widths.length; l++) {
        act[l - 1] = new float[BLOCK * widths[l]];
      }
    }
  }

  /** Name of the matrix kernels in use. */
  public String kernelName() {
    return kernels.name();
  }

  /** The taste tower's user side: the mean taste embedding of the user's ranked brands. */
  private float[] tasteOfUser(int[] brands) {
    float[] t = new float[tasteDim];
    for (int b : brands) {
      float[] e = weights.tasteUser()[b];
      for (int j = 0; j < tasteDim; j++) {
        t[j] += e[j];
      }
    }
    for (int j = 0; j < tasteDim; j++) {
      t[j] /= brands.length;
    }
    return t;
  }

  /**
   * The plain forward pass over one full encoded row, in the layout of {@link FeatureEncoder}: the
   * reference the split path and DL4J are compared against.
   */
  public float predictUnsplit(float[] userDense, int[] userCats, float[] bannerDense, int[] bannerCats,
      float[] cross, int[] tasteBrands, int[] wideIdx) {
    return predictUnsplit(userDense, userCats, bannerDense, bannerCats, cross, tasteBrands, null, null, wideIdx);
  }

  /**
   * As above, with sequence attention's inputs: {@code events} {@code [length][eventWidth]} and {@code mask} {@code
   * [length]} (1 for an event), as the network takes them; both null without sequence attention. The attention is
   * computed here in full, over every slot the mask keeps.
   */
  public float predictUnsplit(float[] userDense, int[] userCats, float[] bannerDense, int[] bannerCats,
      float[] cross, int[] tasteBrands, float[] events, float[] mask, int[] wideIdx) {
    if ((attnDim > 0) != (events != null)) {
      throw new IllegalArgumentException("sequence attention's events must be given exactly when the spec has it");
    }
    float[] x = new float[nIn];
    System.arraycopy(userDense, 0, x, userDenseOff, userDense.length);
    for (int f = 0; f < userCats.length; f++) {
      float[] e = weights.embeddings().get(FeatureEncoder.USER_FIELDS.get(f))[userCats[f]];
      System.arraycopy(e, 0, x, userEmbOff[f], e.length);
    }
    System.arraycopy(bannerDense, 0, x, bannerDenseOff, bannerDense.length);
    for (int f = 0; f < bannerCats.length; f++) {
      float[] e = weights.embeddings().get(FeatureEncoder.BANNER_FIELDS.get(f))[bannerCats[f]];
      System.arraycopy(e, 0, x, bannerEmbOff[f], e.length);
    }
    System.arraycopy(cross, 0, x, crossOff, cross.length);
    if (tasteDim > 0) {
      float[] t = tasteOfUser(tasteBrands);
      float[] item = weights.tasteItem()[bannerCats[0]]; // the brand is the first banner field
      for (int j = 0; j < tasteDim; j++) {
        x[tasteOff + j] = t[j] * item[j];
      }
    }
    if (attnDim > 0) {
      attendUnsplit(java.util.Arrays.copyOf(bannerDense, encoder.spec().itemVectorDim()), events, mask, x,
          tasteOff + tasteDim);
    }
    MatrixKernels scalar = MatrixKernels.scalar();
    float[] cur = new float[h1];
    scalar.denseRelu(x, 0, 1, nIn, w1, b1, h1, cur);
    for (int l = 0; l < upperW.length; l++) {
      float[] next = new float[widths[l + 1]];
      scalar.denseRelu(cur, 0, 1, widths[l], upperW[l], upperB[l], widths[l + 1], next);
      cur = next;
    }
    float[] deep = new float[1];
    scalar.gemv(cur, 0, 1, widths[widths.length - 1], weights.outputWeights(), weights.outputBias(), deep, 0);
    float wide = 0f;
    for (int idx : wideIdx) {
      wide += weights.wide()[idx];
    }
    return NegativeSampling.calibrate(DenseKernels.sigmoid(deep[0] + wide), negativeRate);
  }

  /** The attention output from the full inputs: the reference {@link #attend} is held equal to. */
  private void attendUnsplit(float[] bannerVector, float[] events, float[] mask, float[] out, int off) {
    float[] q = query(bannerVector);
    float[][] wk = weights.attention().key();
    float[][] wv = weights.attention().value();
    double[] score = new double[attnLength];
    float[][] v = new float[attnLength][attnDim];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < attnLength; j++) {
      if (mask[j] == 0f) {
        continue;
      }
      float[] k = new float[attnDim];
      for (int c = 0; c < eventWidth; c++) {
        DenseKernels.axpy(events[j * eventWidth + c], wk[c], 0, k, 0, attnDim);
        DenseKernels.axpy(events[j * eventWidth + c], wv[c], 0, v[j], 0, attnDim);
      }
      score[j] = ItemVectors.dot(q, k);
      max = Math.max(max, score[j]);
    }
    double sum = 0;
    for (int j = 0; j < attnLength; j++) {
      sum += mask[j] == 0f ? 0 : Math.exp(score[j] - max);
    }
    for (int j = 0; j < attnLength; j++) {
      if (mask[j] != 0f) {
        float p = (float) (Math.exp(score[j] - max) / sum);
        DenseKernels.axpy(p, v[j], 0, out, off, attnDim);
      }
    }
  }

  /** The share of non-clicks the network was trained on (1: all of them). */
  public double negativeRate() {
    return negativeRate;
  }

  /** One wide feature's weight for a candidate, for explanations. */
  public record WideContribution(String feature, float weight) {}

  /** The candidate's wide weights, largest magnitude first. */
  public List<WideContribution> wideContributions(UserFeatures u, BannerFeatures b, ScoringContext ctx) {
    int[] wide = new int[encoder.wideCount()];
    encoder.wideIndices(u, b, ctx, wide, 0);
    List<String> names = encoder.wideFieldNames();
    List<WideContribution> out = new ArrayList<>();
    for (int i = 0; i < wide.length; i++) {
      out.add(new WideContribution(names.get(i), weights.wide()[wide[i]]));
    }
    out.sort((a, c) -> Float.compare(Math.abs(c.weight()), Math.abs(a.weight())));
    return out;
  }
}
