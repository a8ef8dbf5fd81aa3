package dev.bannerranker.scoring;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleException;
import dev.bannerranker.data.Banner;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.data.UserProfile;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * A bundle made ready to score: banners resolved to features, first-layer banner parts in place. One
 * instance is one immutable model generation; the offline evaluator and the service both score through
 * it.
 */
public final class ScoringModel {
  private final Bundle bundle;
  private final FeatureEncoder encoder;
  private final WideDeepScorer scorer;
  private final BannerFeatures[] byIndex;
  private final Map<String, BannerFeatures> byId;
  /** The conversion tower's scorer (its output is not corrected: a click's conversion is not sampled); or null. */
  private final WideDeepScorer conversionScorer;
  /** The conversion tower's first-layer banner parts by banner index, computed at load; null without the tower. */
  private final float[][] conversionParts;

  private ScoringModel(Bundle bundle) {
    this.bundle = bundle;
    this.encoder = bundle.encoder();
    this.scorer = new WideDeepScorer(encoder, bundle.weights(), bundle.manifest().negativeRate());
    WideDeepWeights conversion = bundle.weights().conversionNetwork();
    this.conversionScorer = conversion == null ? null : new WideDeepScorer(encoder, conversion);
    this.byIndex = new BannerFeatures[bundle.vocab().banners().cardinality()];
    Map<String, BannerFeatures> ids = new HashMap<>();
    for (Banner b : bundle.catalog()) {
      long[] s = bundle.bannerStats().getOrDefault(b.id(), new long[2]);
      BannerFeatures f = BannerFeatures.resolve(b, bundle.vocab(), bundle.vectors(), s[0], s[1]);
      byIndex[f.index()] = f;
      ids.put(b.id(), f);
    }
    this.byId = Collections.unmodifiableMap(ids);
    this.conversionParts = conversionScorer == null ? null : new float[byIndex.length][];
    if (conversionParts != null) {
      for (BannerFeatures b : byId.values()) {
        conversionParts[b.index()] = conversionScorer.bannerFirstLayer(b);
      }
    }
  }

  /**
   * Builds the model and checks that the stored first-layer banner parts match the weights: a cheap
   * guard against a bundle whose files disagree.
   */
  public static ScoringModel of(Bundle bundle) {
    ScoringModel m = new ScoringModel(bundle);
    for (BannerFeatures b : m.byId.values()) {
      float[] expected = m.scorer.bannerFirstLayer(b);
      float[] stored = bundle.bannerFirstLayer()[b.index()];
      for (int j = 0; j < expected.length; j++) {
        if (Math.abs(expected[j] - stored[j]) > 1e-3f * (1 + Math.abs(expected[j]))) {
          throw new BundleException(Bundle.BANNER_FIRST_LAYER + ": banner " + b.banner().id()
              + " does not match the network weights (unit " + j + ": stored " + stored[j] + ", computed " + expected[j] + ")");
        }
      }
    }
    return m;
  }

  /** Computes every banner's first-layer part; the trainer stores this in the bundle. */
  public static float[][] computeBannerFirstLayer(Bundle partial) {
    ScoringModel m = new ScoringModel(partial);
    float[][] out = new float[m.byIndex.length][m.scorer.bannerPartWidth()];
    for (BannerFeatures b : m.byId.values()) {
      out[b.index()] = m.scorer.bannerFirstLayer(b);
    }
    return out;
  }

  public Bundle bundle() {
    return bundle;
  }

  public FeatureSpec spec() {
    return encoder.spec();
  }

  public FeatureEncoder encoder() {
    return encoder;
  }

  public WideDeepScorer scorer() {
    return scorer;
  }

  public ItemVectors vectors() {
    return bundle.vectors();
  }

  public BannerFeatures banner(String id) {
    return byId.get(id);
  }

  public Map<String, BannerFeatures> banners() {
    return byId;
  }

  public float[] bannerPart(BannerFeatures b) {
    return bundle.bannerFirstLayer()[b.index()];
  }

  public UserFeatures userFeatures(UserProfile profile, UserHistory history, long now) {
    return UserFeatures.compute(profile, history, now, bundle.vectors(), encoder.spec());
  }

  /** Whether the bundle predicts conversions too (a click-and-conversion model). */
  public boolean hasConversion() {
    return conversionScorer != null;
  }

  /** The conversion tower's scorer, or null for a click model. */
  public WideDeepScorer conversionScorer() {
    return conversionScorer;
  }

  /** The conversion tower's first-layer part of a banner of the bundle; needs {@link #hasConversion()}. */
  public float[] conversionPart(BannerFeatures b) {
    return conversionParts[b.index()];
  }

  /**
   * The probability that a click on each of {@code n} candidates of the bundle's catalog converts (pCVR), in order;
   * the conversion probability of an impression is this times the click probability. Needs {@link #hasConversion()}.
   */
  public void predictConversion(UserFeatures u, ScoringContext ctx, BannerFeatures[] candidates, int n, float[] out) {
    float[][] parts = new float[n][];
    for (int i = 0; i < n; i++) {
      parts[i] = conversionPart(candidates[i]);
    }
    predictConversion(u, ctx, candidates, parts, n, out);
  }

  /** As above, with each candidate's conversion-tower banner part given (a catalog that changed since the bundle). */
  public void predictConversion(UserFeatures u, ScoringContext ctx, BannerFeatures[] candidates, float[][] parts,
      int n, float[] out) {
    if (conversionScorer == null) {
      throw new IllegalStateException("model " + bundle.modelVersion() + " predicts clicks only");
    }
    conversionScorer.predict(u, ctx, conversionScorer.userPart(u, ctx), candidates, parts, n, out);
  }

  /** Click probabilities of {@code n} candidates, in order. */
  public void predict(UserFeatures u, ScoringContext ctx, BannerFeatures[] candidates, int n, float[] out) {
    float[][] parts = new float[n][];
    for (int i = 0; i < n; i++) {
      parts[i] = bannerPart(candidates[i]);
    }
    predict(u, ctx, candidates, parts, n, out);
  }

  /** As above, with each candidate's first-layer banner part given (a catalog that changed since the bundle). */
  public void predict(UserFeatures u, ScoringContext ctx, BannerFeatures[] candidates, float[][] parts, int n,
      float[] out) {
    scorer.predict(u, ctx, scorer.userPart(u, ctx), candidates, parts, n, out);
  }
}
