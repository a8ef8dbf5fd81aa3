package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.trainer.widedeep.WideDeepNetwork;
import dev.bannerranker.trainer.widedeep.WideDeepTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The click-and-conversion model: trained in DL4J, written to the bundle, served by the pure-Java scorer. */
class ConversionModelTest {

  @Test
  void pureJavaScorerMatchesDl4jOnBothTowersWithinOneInAHundredThousand() {
    TrainingPipeline.Outcome t = TinyWorld.withConversion();
    assertTrue(WideDeepNetwork.hasConversion(t.net()));
    int[] rows = Arrays.copyOf(t.testRows(), Math.min(800, t.testRows().length));
    float[][] dl4j = WideDeepTrainer.predictBoth(t.net(), t.rows(), rows, t.options().wideDeep());
    ScoringModel fromDisk = ScoringModel.of(BundleIO.load(TinyWorld.ROOT.resolve("bundle-conversion")));
    assertTrue(fromDisk.hasConversion());
    float[] ctr = QuickMetrics.predict(fromDisk, t.rows(), rows);
    float[] cvr = QuickMetrics.predictConversion(fromDisk, t.rows(), rows);
    double maxCtr = 0;
    double maxCvr = 0;
    float lo = Float.MAX_VALUE;
    float hi = 0;
    for (int i = 0; i < rows.length; i++) {
      maxCtr = Math.max(maxCtr, Math.abs(dl4j[0][i] - ctr[i]));
      maxCvr = Math.max(maxCvr, Math.abs(dl4j[1][i] - cvr[i]));
      lo = Math.min(lo, cvr[i]);
      hi = Math.max(hi, cvr[i]);
    }
    assertTrue(maxCtr <= 1e-5, "pCTR max abs diff " + maxCtr);
    assertTrue(maxCvr <= 1e-5, "pCVR max abs diff " + maxCvr);
    assertTrue(hi - lo > 1e-3, "pCVR must vary across rows, got [" + lo + ", " + hi + "]");
  }

  @Test
  void theClickModelHasOneOutputAndNoConversionTower() {
    assertFalse(WideDeepNetwork.hasConversion(TinyWorld.TRAINED.net()));
    assertEquals(List.of(WideDeepNetwork.CLICK_OUTPUT), TinyWorld.TRAINED.net().getConfiguration().getNetworkOutputs());
    assertNull(TinyWorld.TRAINED.bundle().weights().conversion());
    assertFalse(ScoringModel.of(TinyWorld.TRAINED.bundle()).hasConversion());
    assertFalse(TinyWorld.TRAINED.bundle().manifest().hyperparameters().containsKey("objective"));
  }

  @Test
  void theConversionObjectiveNeedsTheConvertedColumn(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    for (Path f : Files.list(TinyWorld.DATA).toList()) {
      Files.copy(f, data.resolve(f.getFileName()));
    }
    // the impressions without their last column, converted
    Path imps = data.resolve(dev.bannerranker.data.CsvSchemas.IMPRESSIONS_FILE);
    Files.write(imps, Files.readAllLines(imps).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList());
    BadInputException e = assertThrows(BadInputException.class, () -> TrainingPipeline.run(
        TinyWorld.options(data, tmp.resolve("bundle"), 1, 0).withObjective(Objective.CLICK_CONVERSION),
        TinyWorld.quiet(), TinyWorld.quiet()));
    assertTrue(e.getMessage().contains("converted"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("bundle")));
  }
}
