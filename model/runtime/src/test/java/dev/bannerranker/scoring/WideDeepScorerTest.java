package dev.bannerranker.scoring;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.testing.RandomBundles;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WideDeepScorerTest {
  private final Bundle bundle = RandomBundles.create(11, 30);
  private final ScoringModel model = ScoringModel.of(bundle);

  private UserFeatures user(long seed, long now) {
    SplittableRandom r = new SplittableRandom(seed);
    UserHistory h = UserHistory.forSpec(bundle.spec());
    for (int i = 0; i < 25; i++) {
      HistoryUpdates.productEvent(h, 1 + r.nextInt(5), 1 + r.nextInt(3), EventType.values()[r.nextInt(3)],
          1 + r.nextInt(4), (float) r.nextDouble(90), now - 3600L * (25 - i));
    }
    HistoryUpdates.impression(h, 3, now - 100);
    HistoryUpdates.click(h, 2, 1, 2, now - 90);
    return model.userFeatures(new UserProfile("u", dev.bannerranker.data.Gender.F, "25-34", 2), h, now);
  }

  /** {@code b} scored by the plain forward pass over its full encoded row (the evaluator's path). */
  static float unsplit(ScoringModel model, UserFeatures u, ScoringContext ctx, BannerFeatures b) {
    FeatureEncoder enc = model.encoder();
    float[] ud = new float[enc.userDenseSize()];
    int[] uc = new int[FeatureEncoder.USER_FIELDS.size()];
    float[] bd = new float[enc.bannerDenseSize()];
    int[] bc = new int[FeatureEncoder.BANNER_FIELDS.size()];
    float[] cr = new float[enc.crossSize()];
    int[] wide = new int[enc.wideCount()];
    enc.encodeUser(u, ctx, ud, 0, uc, 0);
    enc.encodeBanner(b, bd, 0, bc, 0);
    enc.encodeCross(u, b, ctx, cr, 0);
    enc.wideIndices(u, b, ctx, wide, 0);
    float[] mask = null;
    if (model.spec().hasSequenceAttention()) {
      mask = new float[model.spec().sequenceAttention().length()];
      java.util.Arrays.fill(mask, 0, u.sequenceCount, 1f);
    }
    return model.scorer().predictUnsplit(ud, uc, bd, bc, cr, u.tasteBrands, u.sequenceEvents, mask, wide);
  }

  /** The split first layer must equal the plain forward pass over the full row. */
  @Test
  void splitPathEqualsUnsplitPass() {
    long now = RandomBundles.START + 5 * 86_400;
    for (long seed = 1; seed <= 5; seed++) {
      UserFeatures u = user(seed, now);
      ScoringContext ctx = new ScoringContext(now, Platform.IOS, 1 + (int) seed % 4);
      BannerFeatures[] cands = model.banners().values().stream()
          .sorted(java.util.Comparator.comparingInt(BannerFeatures::index)).toArray(BannerFeatures[]::new);
      float[] split = new float[cands.length];
      model.predict(u, ctx, cands, cands.length, split);
      for (int i = 0; i < cands.length; i++) {
        float plain = unsplit(model, u, ctx, cands[i]);
        assertEquals(plain, split[i], 1e-6, "candidate " + i);
        assertTrue(plain > 0 && plain < 1);
      }
    }
  }

  /**
   * With sequence attention the split path (keys and values per request, queries per banner) equals the plain pass
   * that computes the attention over the full inputs: for a user with more events than the attention's length, one
   * with a few, and one with none.
   */
  @Test
  void splitPathEqualsUnsplitPassWithSequenceAttention() {
    ScoringModel m = ScoringModel.of(RandomBundles.withSequenceAttention(bundle, 3));
    var attention = m.spec().sequenceAttention();
    long now = RandomBundles.START + 5 * 86_400;
    BannerFeatures[] cands = m.banners().values().stream()
        .sorted(java.util.Comparator.comparingInt(BannerFeatures::index)).toArray(BannerFeatures[]::new);
    for (int events : new int[] {25, 3, 0}) {
      SplittableRandom r = new SplittableRandom(events);
      UserHistory h = UserHistory.forSpec(m.spec());
      for (int i = 0; i < events; i++) {
        HistoryUpdates.productEvent(h, 1 + r.nextInt(5), 1 + r.nextInt(3), EventType.values()[r.nextInt(3)],
            1 + r.nextInt(4), (float) r.nextDouble(90), now - 3000L * (events - i));
      }
      UserFeatures u = m.userFeatures(new UserProfile("u", dev.bannerranker.data.Gender.M, "35-44", 1), h, now);
      assertEquals(Math.min(events, attention.length()), u.sequenceCount);
      ScoringContext ctx = new ScoringContext(now, Platform.WEB, 1);
      float[] split = new float[cands.length];
      m.predict(u, ctx, cands, cands.length, split);
      float min = 1f;
      float max = 0f;
      for (int i = 0; i < cands.length; i++) {
        float plain = unsplit(m, u, ctx, cands[i]);
        assertEquals(plain, split[i], 1e-6, events + " events, candidate " + i);
        min = Math.min(min, plain);
        max = Math.max(max, plain);
      }
      assertTrue(max - min > 1e-3, "scores must vary across candidates");
    }
  }

  /**
   * The attention term the scorer adds to a candidate's first layer (softmax weights times the values already
   * multiplied into W1) equals the unfolded one, (Σ_j softmax_j(q·k_j) v_j) · W1's attention rows, computed here in
   * double from the weights; over more candidates than a block, for users with a full, a short and no sequence.
   */
  @Test
  void foldedAttentionEqualsTheAttentionOutputThroughTheFirstLayer() {
    ScoringModel m = ScoringModel.of(RandomBundles.withSequenceAttention(bundle, 5));
    WideDeepScorer scorer = m.scorer();
    var attention = m.spec().sequenceAttention();
    WideDeepWeights.Attention aw = m.bundle().weights().attention();
    float[][] w1 = m.bundle().weights().hidden().get(0).w();
    int attentionOff = new WideDeepScorer.Layout(m.spec()).attentionOff;
    int h1 = scorer.firstLayerWidth();
    int dim = attention.dim();
    int width = attention.eventWidth(m.spec().itemVectorDim());
    long now = RandomBundles.START + 5 * 86_400;
    BannerFeatures[] banners = m.banners().values().stream()
        .sorted(java.util.Comparator.comparingInt(BannerFeatures::index)).toArray(BannerFeatures[]::new);
    int n = 2 * WideDeepScorer.BLOCK + 7;
    float[][] parts = new float[n][];
    for (int i = 0; i < n; i++) {
      parts[i] = m.bannerPart(banners[(i * 7) % banners.length]);
    }
    for (int events : new int[] {40, 5, 0}) {
      SplittableRandom r = new SplittableRandom(100 + events);
      UserHistory hist = UserHistory.forSpec(m.spec());
      for (int i = 0; i < events; i++) {
        HistoryUpdates.productEvent(hist, 1 + r.nextInt(5), 1 + r.nextInt(3), EventType.values()[r.nextInt(3)],
            1 + r.nextInt(4), (float) r.nextDouble(90), now - 1000L * (events - i));
      }
      UserFeatures u = m.userFeatures(new UserProfile("u", dev.bannerranker.data.Gender.F, "25-34", 1), hist, now);
      int count = u.sequenceCount;
      assertEquals(Math.min(events, attention.length()), count);
      float[] h = new float[n * h1];
      scorer.addAttention(scorer.userPart(u, new ScoringContext(now, Platform.WEB, 1)), parts, 0, n, h);
      double[][] keys = new double[count][dim];
      double[][] values = new double[count][dim];
      for (int j = 0; j < count; j++) {
        for (int c = 0; c < width; c++) {
          double e = u.sequenceEvents[j * width + c];
          for (int t = 0; t < dim; t++) {
            keys[j][t] += e * aw.key()[c][t];
            values[j][t] += e * aw.value()[c][t];
          }
        }
      }
      for (int i = 0; i < n; i++) {
        double[] score = new double[count];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < count; j++) {
          for (int t = 0; t < dim; t++) {
            score[j] += parts[i][h1 + t] * keys[j][t]; // the stored query is already scaled by 1/√dim
          }
          max = Math.max(max, score[j]);
        }
        double sum = 0;
        for (int j = 0; j < count; j++) {
          sum += Math.exp(score[j] - max);
        }
        double[] output = new double[dim];
        for (int j = 0; j < count; j++) {
          for (int t = 0; t < dim; t++) {
            output[t] += Math.exp(score[j] - max) / sum * values[j][t];
          }
        }
        for (int k = 0; k < h1; k++) {
          double want = 0;
          for (int t = 0; t < dim; t++) {
            want += output[t] * w1[attentionOff + t][k];
          }
          assertEquals(want, h[i * h1 + k], 1e-5 * (1 + Math.abs(want)), events + " events, row " + i + ", unit " + k);
        }
      }
      if (count == 0) {
        assertArrayEquals(new float[n * h1], h, "no events, no attention term");
      } else {
        float[] row0 = java.util.Arrays.copyOfRange(h, 0, h1);
        assertFalse(java.util.Arrays.equals(new float[h1], row0), "the attention term must be there");
        assertFalse(java.util.Arrays.equals(row0, java.util.Arrays.copyOfRange(h, h1, 2 * h1)),
            "the attention term must vary across candidates");
      }
    }
  }

  /**
   * The scorer reuses per-thread block buffers: scoring from several threads at once, over candidate lists longer
   * than a block and with repeats, must give exactly the single-threaded results.
   */
  @Test
  void concurrentCallsGiveTheSingleThreadedScores() throws Exception {
    long now = RandomBundles.START + 5 * 86_400;
    BannerFeatures[] all = model.banners().values().stream()
        .sorted(java.util.Comparator.comparingInt(BannerFeatures::index)).toArray(BannerFeatures[]::new);
    int requests = 40;
    UserFeatures[] users = new UserFeatures[requests];
    BannerFeatures[][] cands = new BannerFeatures[requests][];
    float[][] expected = new float[requests][];
    SplittableRandom r = new SplittableRandom(5);
    for (int q = 0; q < requests; q++) {
      users[q] = user(q % 7, now);
      cands[q] = new BannerFeatures[1 + r.nextInt(3 * WideDeepScorer.BLOCK + 5)];
      for (int i = 0; i < cands[q].length; i++) {
        cands[q][i] = all[r.nextInt(all.length)];
      }
      expected[q] = new float[cands[q].length];
      model.predict(users[q], new ScoringContext(now, Platform.WEB, 1), cands[q], cands[q].length, expected[q]);
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        results.add(pool.submit(() -> {
          for (int rep = 0; rep < 50; rep++) {
            int q = (rep * 7 + offset) % requests;
            float[] got = new float[cands[q].length];
            model.predict(users[q], new ScoringContext(now, Platform.WEB, 1), cands[q], cands[q].length, got);
            if (!java.util.Arrays.equals(expected[q], got)) {
              return "request " + q + " differs on thread " + offset;
            }
          }
          return null;
        }));
      }
      for (var f : results) {
        assertNull(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A replaced model generation must not stay reachable through the per-thread buffers of the threads it used. */
  @Test
  void aScorerThatScoredOnThisThreadCanBeCollected() throws InterruptedException {
    java.lang.ref.WeakReference<WideDeepScorer> ref = scoreOnceWithAFreshScorer();
    for (int i = 0; i < 20 && ref.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertNull(ref.get(), "the scorer is still reachable after it was dropped");
  }

  private java.lang.ref.WeakReference<WideDeepScorer> scoreOnceWithAFreshScorer() {
    long now = RandomBundles.START + 5 * 86_400;
    WideDeepScorer scorer = new WideDeepScorer(model.encoder(), bundle.weights());
    UserFeatures u = user(3, now);
    ScoringContext ctx = new ScoringContext(now, Platform.WEB, 1);
    BannerFeatures b = model.banner("bn-003");
    scorer.predict(u, ctx, scorer.userPart(u, ctx), new BannerFeatures[] {b}, new float[][] {model.bannerPart(b)}, 1,
        new float[1]);
    return new java.lang.ref.WeakReference<>(scorer);
  }

  @Test
  void tasteTowerChangesScores() {
    assertTrue(bundle.spec().hasTasteTower());
    long now = RandomBundles.START + 5 * 86_400;
    UserFeatures u = user(1, now);
    float[][] zeroUser = new float[bundle.weights().tasteUser().length][3];
    WideDeepWeights w = bundle.weights();
    WideDeepScorer noTaste = new WideDeepScorer(model.encoder(), new WideDeepWeights(w.wide(), w.embeddings(), w.hidden(),
        w.outputWeights(), w.outputBias(), zeroUser, w.tasteItem()));
    ScoringContext ctx = new ScoringContext(now, Platform.WEB, 1);
    BannerFeatures b = model.banner("bn-003");
    float[] with = new float[1];
    float[] without = new float[1];
    model.scorer().predict(u, ctx, model.scorer().userPart(u, ctx), new BannerFeatures[] {b}, new float[][] {model.bannerPart(b)}, 1, with);
    noTaste.predict(u, ctx, noTaste.userPart(u, ctx), new BannerFeatures[] {b}, new float[][] {model.bannerPart(b)}, 1, without);
    assertNotEquals(with[0], without[0]);
  }

  @Test
  void scoresDependOnTheUser() {
    long now = RandomBundles.START + 5 * 86_400;
    ScoringContext ctx = new ScoringContext(now, Platform.WEB, 1);
    BannerFeatures[] cands = model.banners().values().toArray(BannerFeatures[]::new);
    float[] a = new float[cands.length];
    float[] b = new float[cands.length];
    model.predict(user(1, now), ctx, cands, cands.length, a);
    model.predict(user(2, now), ctx, cands, cands.length, b);
    assertFalse(java.util.Arrays.equals(a, b));
  }

  @Test
  void storedBannerPartMustMatchTheWeights() {
    float[][] tampered = bundle.bannerFirstLayer().clone();
    tampered[4] = tampered[4].clone();
    tampered[4][0] += 1f;
    Bundle bad = new Bundle(bundle.manifest(), bundle.vocab(), bundle.vectors(), bundle.weights(), bundle.catalog(),
        bundle.bannerStats(), tampered);
    var e = assertThrows(dev.bannerranker.bundle.BundleException.class, () -> ScoringModel.of(bad));
    assertTrue(e.getMessage().contains("does not match the network weights"), e.getMessage());
  }

  @Test
  void wideContributionsAreSortedByMagnitude() {
    long now = RandomBundles.START + 86_400;
    var list = model.scorer().wideContributions(user(3, now), model.banner("bn-002"), new ScoringContext(now, Platform.WEB, 1));
    assertEquals(model.encoder().wideCount(), list.size());
    for (int i = 1; i < list.size(); i++) {
      assertTrue(Math.abs(list.get(i - 1).weight()) >= Math.abs(list.get(i).weight()));
    }
  }
}
