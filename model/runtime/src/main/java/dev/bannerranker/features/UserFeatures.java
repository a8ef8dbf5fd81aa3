package dev.bannerranker.features;

import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.UserProfile;
import java.util.Arrays;

/**
 * What a user looks like to the model at one moment: the user vector and the taste summaries the cross
 * features need. This is the single definition of the user vector, used by training, evaluation and the
 * service:
 *
 * <pre>
 *   w_i = 2^(-age_i / halfLife) * typeWeight(type_i) * (1 + min(dwell_i, dwellCap) / dwellCap)
 *   u   = sum_i w_i * item(brand_i, category_i) / sum_i w_i
 * </pre>
 *
 * over the latest {@code maxRecentEvents} events before {@code now}, where {@code item} is the mean of the
 * brand and category item2vec vectors. Brand and category shares use the same weights.
 */
public final class UserFeatures {
  public final UserProfile profile;
  public final float[] vector;
  /** {@code vector · vector}, for the cosine features. */
  public final float vectorNormSq;
  /** Index of the profile's age band in {@code CsvSchemas.AGE_BANDS}, −1 when unknown. */
  public final int ageBandIndex;
  /** The user's brands by descending weight, at most {@code topBrands}; padded with UNKNOWN. */
  public final int[] topBrands;
  /** The same ranking, {@code tasteBrands} long, for the taste tower; padded with UNKNOWN. */
  public final int[] tasteBrands;
  final int[] brandIds;
  final float[] brandShare;
  final int[] categoryIds;
  final float[] categoryShare;
  /** Weighted mean price tier of events with a known tier; 0 when none. */
  public final float meanPriceTier;
  public final long totalEvents;
  public final long now;
  /** Shares by brand and category index, for constant-time lookups per candidate (0 past the end). */
  private final ShareLookup brandShareByIndex;
  private final ShareLookup categoryShareByIndex;
  /** The banners of the impressions inside the fatigue window, and a 64-bit filter of them (bit = banner mod 64). */
  private final int[] windowImpressions;
  private final long windowFilter;
  /** The fold-in taste ({@link FoldInFactors}); null without factors or browsing history. */
  public final float[] foldIn;
  private final FoldInFactors factors;
  /**
   * The latest events for sequence attention, newest first ({@link SequenceAttention#capture}): brand, category and
   * packed type and buckets per event; null without sequence attention.
   */
  public final int[] sequenceBrands;
  public final int[] sequenceCategories;
  public final int[] sequenceCodes;
  /** How many of the sequence slots hold an event. */
  public final int sequenceCount;
  /** The same events as the attention's inputs, {@code [length][eventWidth]} ({@link SequenceAttention#encodeEvent}). */
  public final float[] sequenceEvents;

  private UserFeatures(UserProfile profile, float[] vector, int[] topBrands, int[] tasteBrands, int[] brandIds, float[] brandShare,
      int[] categoryIds, float[] categoryShare, float meanPriceTier, long totalEvents, long now,
      UserHistory history, double fatigueWindowSeconds, FoldInFactors factors, SequenceAttention sequence,
      ItemVectors vectors) {
    this.profile = profile;
    this.vector = vector;
    this.vectorNormSq = ItemVectors.dot(vector, vector);
    this.ageBandIndex = CsvSchemas.AGE_BANDS.indexOf(profile.ageBand());
    this.topBrands = topBrands;
    this.tasteBrands = tasteBrands;
    this.brandIds = brandIds;
    this.brandShare = brandShare;
    this.categoryIds = categoryIds;
    this.categoryShare = categoryShare;
    this.meanPriceTier = meanPriceTier;
    this.totalEvents = totalEvents;
    this.now = now;
    this.brandShareByIndex = new ShareLookup(brandIds, brandShare);
    this.categoryShareByIndex = new ShareLookup(categoryIds, categoryShare);
    this.windowImpressions = history.impressionsBetween(now - (long) fatigueWindowSeconds, now);
    long filter = 0;
    for (int b : windowImpressions) {
      filter |= 1L << b; // the shift takes b mod 64
    }
    this.windowFilter = filter;
    this.factors = factors;
    this.foldIn = factors == null ? null : history.foldIn(factors, profile);
    SequenceAttention attention = sequence;
    if (attention == null) {
      sequenceBrands = null;
      sequenceCategories = null;
      sequenceCodes = null;
      sequenceCount = 0;
      sequenceEvents = null;
    } else {
      sequenceBrands = new int[attention.length()];
      sequenceCategories = new int[attention.length()];
      sequenceCodes = new int[attention.length()];
      sequenceCount = attention.capture(history, now, sequenceBrands, sequenceCategories, sequenceCodes, 0);
      sequenceEvents = new float[attention.length() * attention.eventWidth(vectors.dim())];
      attention.encodeRows(vectors, sequenceBrands, sequenceCategories, sequenceCodes, 1, sequenceEvents,
          new float[attention.length()]);
    }
  }

  /**
   * Computes the features from a history. Events later than {@code now} (clock skew) count as age 0.
   * Nothing refers to the history afterwards: the impressions inside the fatigue window are copied out.
   */
  public static UserFeatures compute(UserProfile profile, UserHistory history, long now, ItemVectors vectors,
      FeatureSpec spec) {
    int n = history.eventCount();
    int dim = vectors.dim();
    float[] acc = new float[dim];
    double halfLifeSeconds = spec.halfLifeHours() * 3600.0;
    double cap = spec.dwellCapSeconds();
    int[] brandIds = new int[n];
    float[] brandW = new float[n];
    int nb = 0;
    int[] catIds = new int[n];
    float[] catW = new float[n];
    int nc = 0;
    double total = 0;
    double priceSum = 0;
    double priceW = 0;
    for (int k = 0; k < n; k++) {
      long age = Math.max(0, now - history.eventTime(k));
      double w = Math.pow(2.0, -age / halfLifeSeconds)
          * spec.typeWeights().get(history.eventType(k).ordinal())
          * (1.0 + Math.min(history.eventDwell(k), cap) / cap);
      float wf = (float) w;
      int brand = history.eventBrand(k);
      int cat = history.eventCategory(k);
      vectors.addItemVector(brand, cat, wf, acc);
      total += w;
      nb = accumulate(brandIds, brandW, nb, brand, wf);
      nc = accumulate(catIds, catW, nc, cat, wf);
      int tier = history.eventPriceTier(k);
      if (tier > 0) {
        priceSum += w * tier;
        priceW += w;
      }
    }
    if (total > 0) {
      float inv = (float) (1.0 / total);
      for (int i = 0; i < dim; i++) {
        acc[i] *= inv;
      }
      for (int i = 0; i < nb; i++) {
        brandW[i] *= inv;
      }
      for (int i = 0; i < nc; i++) {
        catW[i] *= inv;
      }
    }
    int[] ranked = topByWeight(brandIds, brandW, nb, Math.max(spec.topBrands(), spec.tasteBrands()));
    return new UserFeatures(profile, acc, Arrays.copyOf(ranked, spec.topBrands()),
        Arrays.copyOf(ranked, spec.tasteBrands()), Arrays.copyOf(brandIds, nb), Arrays.copyOf(brandW, nb),
        Arrays.copyOf(catIds, nc), Arrays.copyOf(catW, nc), priceW > 0 ? (float) (priceSum / priceW) : 0f,
        history.totalEvents(), now, history, spec.fatigueWindowHours() * 3600.0,
        spec.hasFoldIn() ? foldInFactors(vectors, spec) : null, spec.sequenceAttention(), vectors);
  }

  private static FoldInFactors foldInFactors(ItemVectors vectors, FeatureSpec spec) {
    FoldInFactors f = vectors.foldIn();
    if (f == null || f.dim() != spec.foldInDim()) {
      throw new IllegalStateException("the feature spec asks for fold-in factors of size " + spec.foldInDim()
          + " but the item vectors have " + (f == null ? "none" : "size " + f.dim()));
    }
    return f;
  }

  private static int accumulate(int[] ids, float[] w, int n, int id, float weight) {
    if (id == Vocabulary.UNKNOWN) {
      return n;
    }
    for (int i = 0; i < n; i++) {
      if (ids[i] == id) {
        w[i] += weight;
        return n;
      }
    }
    ids[n] = id;
    w[n] = weight;
    return n + 1;
  }

  /** Highest weight first; ties go to the smaller index so the order never depends on event order. */
  private static int[] topByWeight(int[] ids, float[] w, int n, int k) {
    int[] top = new int[k];
    boolean[] used = new boolean[n];
    for (int t = 0; t < k; t++) {
      int best = -1;
      for (int i = 0; i < n; i++) {
        if (!used[i] && (best < 0 || w[i] > w[best] || (w[i] == w[best] && ids[i] < ids[best]))) {
          best = i;
        }
      }
      if (best < 0) {
        top[t] = Vocabulary.UNKNOWN;
      } else {
        used[best] = true;
        top[t] = ids[best];
      }
    }
    return top;
  }

  /** Fold-in taste score of the brand (0 without fold-in or history). */
  public float foldInBrand(int brandIdx) {
    return factors == null ? 0f : factors.brandScore(foldIn, brandIdx);
  }

  public float foldInCategory(int categoryIdx) {
    return factors == null ? 0f : factors.categoryScore(foldIn, categoryIdx);
  }

  /**
   * Share by index in constant time: a dense array when the largest index is small (the common catalog of a few
   * hundred brands), else the sorted ids with binary search, so a huge vocabulary never costs a huge array per
   * request.
   */
  static final class ShareLookup {
    static final int DENSE_LIMIT = 4096;
    private final float[] dense;
    private final int[] sortedIds;
    private final float[] sortedShares;

    ShareLookup(int[] ids, float[] shares) {
      int max = -1;
      for (int id : ids) {
        max = Math.max(max, id);
      }
      if (max < DENSE_LIMIT) {
        dense = new float[max + 1];
        for (int i = 0; i < ids.length; i++) {
          dense[ids[i]] = shares[i];
        }
        sortedIds = null;
        sortedShares = null;
      } else {
        dense = null;
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
          order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(ids[a], ids[b]));
        sortedIds = new int[ids.length];
        sortedShares = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
          sortedIds[i] = ids[order[i]];
          sortedShares[i] = shares[order[i]];
        }
      }
    }

    float get(int idx) {
      if (dense != null) {
        return idx >= 0 && idx < dense.length ? dense[idx] : 0f;
      }
      int k = Arrays.binarySearch(sortedIds, idx);
      return k >= 0 ? sortedShares[k] : 0f;
    }
  }

  /** Share of the user's weight on this brand, in [0, 1]. */
  public float brandShare(int brandIdx) {
    return brandShareByIndex.get(brandIdx);
  }

  public float categoryShare(int categoryIdx) {
    return categoryShareByIndex.get(categoryIdx);
  }

  /** Impressions of the banner to this user inside the fatigue window before {@code now}. */
  public int recentImpressions(int bannerIdx) {
    if ((windowFilter & (1L << bannerIdx)) == 0) {
      return 0; // the common case: not shown lately
    }
    int n = 0;
    for (int b : windowImpressions) {
      if (b == bannerIdx) {
        n++;
      }
    }
    return n;
  }

  public boolean hasHistory() {
    return brandIds.length > 0 || categoryIds.length > 0;
  }

  /** Brands the user interacted with, by index, and their weight shares (parallel arrays). */
  public int[] brandIds() {
    return brandIds.clone();
  }

  public float[] brandShares() {
    return brandShare.clone();
  }
}
