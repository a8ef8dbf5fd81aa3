package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.scoring.WideDeepScorer;
import dev.bannerranker.trainer.widedeep.RowEncoder;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import dev.bannerranker.trainer.widedeep.WideDeepNetwork;
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

  @Test
  void withSequenceAttentionToo() {
    TrainingPipeline.Outcome t = TinyWorld.withSequenceAttention();
    assertTrue(t.bundle().spec().hasSequenceAttention());
    assertParity(t, "bundle-attention");
  }

  /** Untrained, seeded random weights: the attention's projections far from anything training settles on. */
  @Test
  void sequenceAttentionWithRandomWeights() {
    TrainingPipeline.Outcome t = TinyWorld.withSequenceAttention();
    var spec = t.bundle().spec();
    for (long seed : new long[] {3, 11}) {
      var cfg = new dev.bannerranker.trainer.widedeep.WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP,
          spec.hiddenLayers(), t.options().wideDeep().embeddingDims(), 512, 1, 1, 1, 1e-3, 0.05, 1e-5, 0, seed);
      var net = WideDeepNetwork.build(spec, cfg);
      // spread the wide weights too, which start at zero
      var wide = net.getLayer("wide_emb").getParam("W");
      wide.assign(org.nd4j.linalg.factory.Nd4j.rand(wide.dataType(), wide.shape()).subi(0.5));
      WideDeepScorer scorer = new WideDeepScorer(new FeatureEncoder(spec), WideDeepNetwork.export(net, spec));
      int[] rows = Arrays.copyOf(t.testRows(), Math.min(500, t.testRows().length));
      float[] dl4j = WideDeepTrainer.predict(net, t.rows(), rows, cfg);
      double max = 0;
      float min = Float.MAX_VALUE;
      float top = 0;
      for (int i = 0; i < rows.length; i++) {
        RowEncoder.Row r = t.rows().row(rows[i]);
        float java = scorer.predictUnsplit(r.userDense(), r.userCats(), r.bannerDense(), r.bannerCats(), r.cross(),
            r.tasteBrands(), r.events(), r.eventMask(), r.wide());
        max = Math.max(max, Math.abs(dl4j[i] - java));
        min = Math.min(min, java);
        top = Math.max(top, java);
      }
      assertTrue(max <= 1e-5, "seed " + seed + ": max abs diff " + max);
      assertTrue(top - min > 1e-3, "predictions must vary across rows, got [" + min + ", " + top + "]");
    }
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
