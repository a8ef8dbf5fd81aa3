package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.trainer.widedeep.WideDeepTrainer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The pure-Java scorer reproduces DL4J's own output on the same weights and rows. */
class ScorerParityTest {

  @Test
  void pureJavaScorerMatchesDl4jWithinOneInAHundredThousand() {
    assertParity(TinyWorld.TRAINED, "bundle");
  }

  @Test
  void withoutFoldInTasteToo() {
    assertTrue(TinyWorld.TRAINED.options().foldInDim() > 0, "the default has fold-in");
    TrainingPipeline.Outcome t = TinyWorld.withoutFoldIn();
    assertEquals(0, t.options().foldInDim());
    assertParity(t, "bundle-no-fold-in");
  }

  private static void assertParity(TrainingPipeline.Outcome t, String bundle) {
    int[] rows = Arrays.copyOf(t.testRows(), Math.min(800, t.testRows().length));
    float[] dl4j = WideDeepTrainer.predict(t.net(), t.rows(), rows, t.options().wideDeep());
    ScoringModel fromDisk = ScoringModel.of(BundleIO.load(TinyWorld.ROOT.resolve(bundle)));
    assertEquals(t.options().foldInDim() > 0, fromDisk.spec().hasFoldIn());
    float[] java = QuickMetrics.predict(fromDisk, t.rows(), rows);
    double max = 0;
    for (int i = 0; i < rows.length; i++) {
      max = Math.max(max, Math.abs(dl4j[i] - java[i]));
    }
    assertTrue(max <= 1e-5, "max abs diff " + max);
    float min = Float.MAX_VALUE;
    float top = 0;
    for (float p : java) {
      min = Math.min(min, p);
      top = Math.max(top, p);
    }
    assertTrue(top - min > 1e-3, "predictions must vary across rows, got [" + min + ", " + top + "]");
  }
}
