package dev.bannerranker.scoring;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.bundle.BundleManifest;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.testing.RandomBundles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NegativeSamplingTest {
  @TempDir Path dir;

  @Test
  void theFormulaMapsTheSampledRateBackToTheTrueOne() {
    // A model trained on half the non-clicks of a 10% CTR world sees 1 click per 4.5 non-clicks: p = 1/5.5.
    assertEquals(0.1, NegativeSampling.calibrate(1f / 5.5f, 0.5), 1e-6);
    assertEquals(0.5f / (0.5f + 0.5f / 0.2f), NegativeSampling.calibrate(0.5f, 0.2), 1e-7);
    for (double r : new double[] {0.1, 0.2, 0.5}) {
      for (float p = 0.01f; p < 1f; p += 0.07f) {
        float q = NegativeSampling.calibrate(p, r);
        assertTrue(q < p && q > 0, "p " + p + " r " + r);
        // The odds shrink by exactly the sampling rate.
        assertEquals(r * p / (1 - p), q / (1.0 - q), 1e-5 * p / (1 - p));
      }
    }
    assertEquals(0f, NegativeSampling.calibrate(0f, 0.3));
    assertEquals(1f, NegativeSampling.calibrate(1f, 0.3));
  }

  @Test
  void rateOneLeavesEveryPredictionBitForBit() {
    for (float p = 1e-6f; p < 1f; p = Math.nextUp(p * 1.37f)) {
      assertEquals(Float.floatToIntBits(p), Float.floatToIntBits(NegativeSampling.calibrate(p, 1.0)));
    }
  }

  @Test
  void ratesOutsideZeroToOneAreNotValid() {
    assertFalse(NegativeSampling.isValidRate(0));
    assertFalse(NegativeSampling.isValidRate(-0.1));
    assertFalse(NegativeSampling.isValidRate(1.01));
    assertFalse(NegativeSampling.isValidRate(Double.NaN));
    assertTrue(NegativeSampling.isValidRate(1));
    assertTrue(NegativeSampling.isValidRate(1e-3));
  }

  static Bundle withRate(Bundle b, double rate) {
    BundleManifest m = b.manifest();
    BundleManifest r = new BundleManifest(m.formatVersion(), m.modelVersion(), m.createdAt(), m.dataFingerprint(),
        m.provenance(), m.hyperparameters(), rate, m.featureSpec(), m.metrics(), m.training(), m.files());
    return new Bundle(r, b.vocab(), b.vectors(), b.weights(), b.catalog(), b.bannerStats(), b.bannerFirstLayer());
  }

  /**
   * A bundle written with a rate reads back with it, and both scoring paths (the service's split one and the
   * evaluator's row-by-row one) give the corrected predictions of the same network.
   */
  @Test
  void aBundleWithARateScoresCorrectedOnBothPaths() throws IOException {
    Bundle plain = RandomBundles.create(11, 30);
    BundleIO.write(withRate(plain, 0.25), dir.resolve("b"), false);
    Bundle loaded = BundleIO.load(dir.resolve("b"));
    assertEquals(0.25, loaded.manifest().negativeRate());
    ScoringModel sampled = ScoringModel.of(loaded);
    ScoringModel full = ScoringModel.of(plain);
    assertEquals(0.25, sampled.scorer().negativeRate());

    long now = RandomBundles.START + 5 * 86_400;
    UserHistory h = UserHistory.forSpec(plain.spec());
    for (int i = 0; i < 12; i++) {
      HistoryUpdates.productEvent(h, 1 + i % 5, 1 + i % 3, EventType.values()[i % 3], 1 + i % 4, 5f * i,
          now - 3600L * (12 - i));
    }
    UserFeatures u = full.userFeatures(new UserProfile("u", dev.bannerranker.data.Gender.F, "25-34", 2), h, now);
    ScoringContext ctx = new ScoringContext(now, Platform.WEB, 1);
    BannerFeatures[] cands = full.banners().values().stream().sorted(Comparator.comparingInt(BannerFeatures::index))
        .toArray(BannerFeatures[]::new);
    float[] p = new float[cands.length];
    float[] q = new float[cands.length];
    full.predict(u, ctx, cands, cands.length, p);
    sampled.predict(u, ctx, cands, cands.length, q);
    for (int i = 0; i < cands.length; i++) {
      assertEquals(NegativeSampling.calibrate(p[i], 0.25), q[i], 1e-7, "candidate " + i);
      assertTrue(q[i] < p[i]);
      assertEquals(q[i], WideDeepScorerTest.unsplit(sampled, u, ctx, cands[i]), 1e-6, "candidate " + i);
    }
  }
}
