package dev.bannerranker.features;

import dev.bannerranker.data.EventType;
import java.util.Arrays;
import java.util.List;

/**
 * Target attention over the user's latest events, in the spirit of DIN (Zhou et al., "Deep Interest Network for
 * Click-Through Rate Prediction", KDD 2018), and the one definition of how an event enters it, used by training,
 * evaluation and serving.
 *
 * <p>Event j of the latest {@link #length} (newest first) is the vector {@code e_j = [item | type | age | dwell]}: the
 * item vector of its brand and category (as in the user vector), and one-hot its type, its age bucket (by {@link
 * #ageBucketHours}) and its dwell bucket (by {@link #dwellBucketSeconds}). The network learns {@code K = e W_k},
 * {@code V = e W_v} and the candidate's query {@code q = banner vector · W_q}; the attention output is {@code Σ_j
 * softmax_j(q·K_j / √dim) V_j} over the events present, zero without events, and enters the first hidden layer.
 *
 * @param length how many of the latest events are attended over
 * @param dim size of the query, keys and values
 * @param ageBucketHours upper bounds of the age buckets (ascending); an older event falls in the last bucket
 * @param dwellBucketSeconds upper bounds of the dwell buckets (ascending); a longer dwell falls in the last bucket
 */
public record SequenceAttention(int length, int dim, List<Double> ageBucketHours, List<Double> dwellBucketSeconds) {
  /** The defaults of {@code train --sequence-attention on}. */
  public static final int DEFAULT_LENGTH = 16;
  public static final int DEFAULT_DIM = 16;
  public static final List<Double> DEFAULT_AGE_BUCKET_HOURS = List.of(1.0, 6.0, 24.0, 72.0, 168.0, 720.0);
  public static final List<Double> DEFAULT_DWELL_BUCKET_SECONDS = List.of(1.0, 5.0, 15.0, 30.0, 60.0);
  /** A missing event's code: masked out. */
  public static final int NO_EVENT = -1;

  private static final int TYPES = EventType.values().length;

  public SequenceAttention {
    if (length <= 0 || dim <= 0) {
      throw new IllegalArgumentException("feature spec: sequenceAttention length and dim must be positive");
    }
    ageBucketHours = List.copyOf(ageBucketHours);
    dwellBucketSeconds = List.copyOf(dwellBucketSeconds);
    if (!ascending(ageBucketHours) || !ascending(dwellBucketSeconds)) {
      throw new IllegalArgumentException("feature spec: sequenceAttention bucket bounds must be ascending");
    }
  }

  public static SequenceAttention defaults() {
    return new SequenceAttention(DEFAULT_LENGTH, DEFAULT_DIM, DEFAULT_AGE_BUCKET_HOURS, DEFAULT_DWELL_BUCKET_SECONDS);
  }

  private static boolean ascending(List<Double> bounds) {
    for (int i = 1; i < bounds.size(); i++) {
      if (!(bounds.get(i) > bounds.get(i - 1))) {
        return false;
      }
    }
    return true;
  }

  /** Width of one event's input vector {@code e_j}. */
  public int eventWidth(int itemDim) {
    return itemDim + TYPES + ageBuckets() + dwellBuckets();
  }

  int ageBuckets() {
    return ageBucketHours.size() + 1;
  }

  int dwellBuckets() {
    return dwellBucketSeconds.size() + 1;
  }

  /** The age bucket of an event {@code ageSeconds} old (negative ages, clock skew, count as 0). */
  public int ageBucket(long ageSeconds) {
    double hours = Math.max(0, ageSeconds) / 3600.0;
    int k = 0;
    while (k < ageBucketHours.size() && hours >= ageBucketHours.get(k)) {
      k++;
    }
    return k;
  }

  public int dwellBucket(float dwellSeconds) {
    int k = 0;
    while (k < dwellBucketSeconds.size() && dwellSeconds >= dwellBucketSeconds.get(k)) {
      k++;
    }
    return k;
  }

  /** An event's type and buckets packed into one int: what the row shards and the scorer keep per event. */
  public int code(EventType type, long ageSeconds, float dwellSeconds) {
    return type.ordinal() + TYPES * (ageBucket(ageSeconds) + ageBuckets() * dwellBucket(dwellSeconds));
  }

  /**
   * The latest {@link #length} events before {@code now} of {@code h}, newest first, into {@code brands}, {@code
   * categories} and {@code codes} at {@code off}; the slots past the events held get {@link #NO_EVENT}. Returns the
   * number of events written.
   */
  public int capture(UserHistory h, long now, int[] brands, int[] categories, int[] codes, int off) {
    int n = Math.min(length, h.eventCount());
    int newest = h.eventCount() - 1;
    for (int j = 0; j < n; j++) {
      int k = newest - j;
      brands[off + j] = h.eventBrand(k);
      categories[off + j] = h.eventCategory(k);
      codes[off + j] = code(h.eventType(k), now - h.eventTime(k), h.eventDwell(k));
    }
    Arrays.fill(brands, off + n, off + length, Vocabulary.UNKNOWN);
    Arrays.fill(categories, off + n, off + length, Vocabulary.UNKNOWN);
    Arrays.fill(codes, off + n, off + length, NO_EVENT);
    return n;
  }

  /**
   * Writes event {@code e_j} of (brand, category, code) into {@code out[off .. off + eventWidth)}; all zeros for
   * {@link #NO_EVENT}.
   */
  public void encodeEvent(ItemVectors vectors, int brand, int category, int code, float[] out, int off) {
    int d = vectors.dim();
    Arrays.fill(out, off, off + eventWidth(d), 0f);
    if (code == NO_EVENT) {
      return;
    }
    vectors.addItemVector(brand, category, 1f, out, off);
    int type = code % TYPES;
    int rest = code / TYPES;
    int age = rest % ageBuckets();
    int dwell = rest / ageBuckets();
    out[off + d + type] = 1f;
    out[off + d + TYPES + age] = 1f;
    out[off + d + TYPES + ageBuckets() + dwell] = 1f;
  }

  /**
   * The events of {@code count} rows as the network's inputs: {@code events} {@code [rows][length × eventWidth]} and
   * {@code mask} {@code [rows][length]} (1 for an event, 0 for an empty slot).
   */
  public void encodeRows(ItemVectors vectors, int[] brands, int[] categories, int[] codes, int rows, float[] events,
      float[] mask) {
    int w = eventWidth(vectors.dim());
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < length; j++) {
        int i = r * length + j;
        encodeEvent(vectors, brands[i], categories[i], codes[i], events, i * w);
        mask[i] = codes[i] == NO_EVENT ? 0f : 1f;
      }
    }
  }
}
