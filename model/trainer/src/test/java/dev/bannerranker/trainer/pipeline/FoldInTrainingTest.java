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
    java.util.Map<?, ?> split = (java.util.Map<?, ?>) t.bundle().manifest().training().get("split");
    long until = java.time.Instant.parse((String) split.get("test_start")).getEpochSecond();
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
    for (float v : flat(a.factors().brandFactors())) {
      assertTrue(Float.isFinite(v));
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
