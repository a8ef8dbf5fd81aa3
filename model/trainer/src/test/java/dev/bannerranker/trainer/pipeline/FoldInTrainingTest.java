package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.trainer.foldin.FoldInTrainer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fold-in factors: learned deterministically, lowering the choice loss, and stored in the bundle exactly. */
class FoldInTrainingTest {

  @Test
  void factorsAreReproducibleFiniteAndLowerTheChoiceLoss() throws java.io.IOException {
    TrainingPipeline.Outcome t = TinyWorld.TRAINED;
    EventLog log = TrainingPipeline.readLog(DataFormat.OWN, TinyWorld.DATA, 0.01, TinyWorld.ROOT.resolve("problems.csv"),
        TinyWorld.quiet());
    long until = t.bundle().manifest().training().split().testStartSecond();
    FoldInTrainer.Result a = FoldInTrainer.train(log, t.bundle().vocab(), until, 4, 4, 7);
    FoldInTrainer.Result b = FoldInTrainer.train(log, t.bundle().vocab(), until, 4, 4, 7);
    List<Double> loss = a.lossPerRound();
    assertEquals(4, loss.size());
    assertTrue(loss.get(loss.size() - 1) < loss.get(0), "the choice loss must fall over the rounds: " + loss);
    assertArrayEquals(flat(a.factors().brandFactors()), flat(b.factors().brandFactors()), "same seed, same factors");
    // the users are processed in parallel: one thread must give the very same factors
    FoldInTrainer.Result single;
    java.util.concurrent.ForkJoinPool one = new java.util.concurrent.ForkJoinPool(1);
    try {
      single = one.submit(() -> FoldInTrainer.train(log, t.bundle().vocab(), until, 4, 4, 7)).get();
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e);
    } finally {
      one.shutdown();
    }
    assertArrayEquals(flat(a.factors().brandFactors()), flat(single.factors().brandFactors()), "one thread");
    assertArrayEquals(flat(a.factors().categoryBias()), flat(single.factors().categoryBias()), "one thread");
    assertEquals(a.lossPerRound(), single.lossPerRound());
    // rounds kept to the calling thread while other training runs beside them (here the first two of four)
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    FoldInTrainer.Result beside = FoldInTrainer.train(log, t.bundle().vocab(), until, 4, 4, 7,
        () -> asked.getAndIncrement() < 2);
    assertEquals(4, asked.get(), "asked once per round");
    assertArrayEquals(flat(a.factors().brandFactors()), flat(beside.factors().brandFactors()), "beside item2vec");
    assertArrayEquals(flat(a.factors().categoryBias()), flat(beside.factors().categoryBias()), "beside item2vec");
    assertEquals(a.lossPerRound(), beside.lossPerRound());
    for (float v : flat(a.factors().brandFactors())) {
      assertTrue(Float.isFinite(v));
    }
  }

  /**
   * The two price-tier dimensions after the learned ones stay the brand's tier, encoded: the catalog's tier of its
   * banners (the generator's brand tier, which 80 % of its products carry) gives the expected values independently
   * of the events the trainer counts. Categories hold 0 there.
   */
  @Test
  void priceTierDimensionsStayTheBrandsTier() {
    TrainingPipeline.Outcome t = TinyWorld.TRAINED;
    FoldInFactors f = t.bundle().vectors().foldIn();
    int learned = t.options().foldInDim();
    assertEquals(learned + 2, f.dim());
    assertEquals(f.dim(), t.bundle().spec().foldInDim());
    java.util.Map<String, Integer> catalogTier = new java.util.HashMap<>();
    for (dev.bannerranker.data.Banner b : t.bundle().catalog()) {
      catalogTier.put(b.brand(), b.priceTier());
    }
    int checked = 0;
    java.util.Set<Integer> tiersSeen = new java.util.HashSet<>();
    for (java.util.Map.Entry<String, Integer> e : catalogTier.entrySet()) {
      int b = t.bundle().vocab().brands().indexOf(e.getKey());
      if (b <= 0) {
        continue;
      }
      double x = (e.getValue() - 2.5) / 1.5;
      assertEquals(x, f.brandFactors()[b][learned], 1e-6, e.getKey() + " tier " + e.getValue());
      assertEquals(x * x - 0.5, f.brandFactors()[b][learned + 1], 1e-6, e.getKey());
      tiersSeen.add(e.getValue());
      checked++;
    }
    assertTrue(checked >= 20 && tiersSeen.size() == 4, checked + " brands, tiers " + tiersSeen);
    for (float[] c : f.categoryFactors()) {
      assertEquals(0f, c[learned]);
      assertEquals(0f, c[learned + 1]);
    }
  }

  @Test
  void theBundleHoldsTheTrainedFactorsExactly() {
    TrainingPipeline.Outcome t = TinyWorld.TRAINED;
    FoldInFactors trained = t.bundle().vectors().foldIn();
    Bundle loaded = BundleIO.load(TinyWorld.ROOT.resolve("bundle"));
    FoldInFactors read = loaded.vectors().foldIn();
    assertNotNull(read, "a bundle trained with fold-in must load its factors");
    assertEquals(trained.dim(), read.dim());
    assertArrayEquals(flat(trained.brandFactors()), flat(read.brandFactors()));
    assertArrayEquals(trained.brandBias(), read.brandBias());
    assertArrayEquals(flat(trained.categoryFactors()), flat(read.categoryFactors()));
    assertArrayEquals(flat(trained.categoryBias()), flat(read.categoryBias()));
    assertArrayEquals(flat(trained.membership()), flat(read.membership()));
    TinyWorld.withoutFoldIn(); // trains it if no earlier test has: the test must not depend on the run order
    assertNull(BundleIO.load(TinyWorld.ROOT.resolve("bundle-no-fold-in")).vectors().foldIn(),
        "a bundle trained with --fold-in-dim 0 has none");
  }

  private static float[] flat(float[][] m) {
    int n = 0;
    for (float[] r : m) {
      n += r.length;
    }
    float[] out = new float[n];
    int o = 0;
    for (float[] r : m) {
      System.arraycopy(r, 0, out, o, r.length);
      o += r.length;
    }
    return out;
  }
}
