package dev.bannerranker.trainer.widedeep;

import dev.bannerranker.features.SequenceAttention;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sequence attention ({@link SequenceAttention}) as a SameDiff vertex of the wide &amp; deep graph. Inputs: the banner's
 * dense block (its first {@code itemDim} columns are the banner vector, the query's input), the events {@code [n][length
 * × eventWidth]} and their mask {@code [n][length]}; output {@code [n][dim]}: {@code Σ_j softmax_j(q·K_j / √dim) V_j}
 * over the events the mask keeps (zero for a row without events, whose event inputs are all zero).
 */
public final class AttentionVertex extends SameDiffVertex {
  // no underscore: DL4J finds a parameter's vertex by the gradient key's last one
  public static final String QUERY = "Wquery";
  public static final String KEY = "Wkey";
  public static final String VALUE = "Wvalue";

  // Fields (not finals) so that DL4J can copy and serialise the configuration.
  private int itemDim;
  private int length;
  private int eventWidth;
  private int dim;
  private long seed;

  public AttentionVertex() {}

  public AttentionVertex(int itemDim, SequenceAttention a, long seed) {
    this.itemDim = itemDim;
    this.length = a.length();
    this.eventWidth = a.eventWidth(itemDim);
    this.dim = a.dim();
    this.seed = seed;
  }

  @Override
  public void defineParametersAndInputs(SDVertexParams params) {
    params.defineInputs("banner", "events", "mask");
    params.addWeightParam(QUERY, itemDim, dim);
    params.addWeightParam(KEY, eventWidth, dim);
    params.addWeightParam(VALUE, eventWidth, dim);
  }

  @Override
  public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> in, Map<String, SDVariable> p,
      Map<String, SDVariable> masks) {
    SDVariable bannerVector = in.get("banner").get(SDIndex.all(), SDIndex.interval(0, itemDim));
    SDVariable q = bannerVector.mmul(p.get(QUERY)).mul(1.0 / Math.sqrt(dim)); // [n, dim]
    SDVariable events = in.get("events").reshape(-1, eventWidth); // [n·length, eventWidth]
    SDVariable keys = events.mmul(p.get(KEY)).reshape(-1, length, dim);
    SDVariable values = events.mmul(p.get(VALUE)).reshape(-1, length, dim);
    SDVariable scores = keys.mul(q.reshape(-1, 1, dim)).sum(2); // [n, length]
    // an empty slot gets -1e9: no weight beside a real event; a row without events weighs its all-zero values
    SDVariable masked = scores.add(in.get("mask").rsub(1.0).mul(-1e9));
    SDVariable weights = sd.nn().softmax(masked, 1);
    return values.mul(weights.reshape(-1, length, 1)).sum(1); // [n, dim]
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    SplittableRandom rng = new SplittableRandom(seed);
    for (String name : new String[] {QUERY, KEY, VALUE}) {
      INDArray w = params.get(name);
      long rows = w.size(0);
      long cols = w.size(1);
      double limit = Math.sqrt(6.0 / (rows + cols)); // Xavier uniform
      for (long r = 0; r < rows; r++) {
        for (long c = 0; c < cols; c++) {
          w.putScalar(r, c, (rng.nextDouble() * 2 - 1) * limit);
        }
      }
    }
  }

  @Override
  public GraphVertex clone() {
    AttentionVertex c = new AttentionVertex();
    c.itemDim = itemDim;
    c.length = length;
    c.eventWidth = eventWidth;
    c.dim = dim;
    c.seed = seed;
    return c;
  }

  public int getItemDim() {
    return itemDim;
  }

  public void setItemDim(int itemDim) {
    this.itemDim = itemDim;
  }

  public int getLength() {
    return length;
  }

  public void setLength(int length) {
    this.length = length;
  }

  public int getEventWidth() {
    return eventWidth;
  }

  public void setEventWidth(int eventWidth) {
    this.eventWidth = eventWidth;
  }

  public int getDim() {
    return dim;
  }

  public void setDim(int dim) {
    this.dim = dim;
  }

  public long getSeed() {
    return seed;
  }

  public void setSeed(long seed) {
    this.seed = seed;
  }
}
