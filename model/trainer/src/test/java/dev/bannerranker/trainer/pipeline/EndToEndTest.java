package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.bundle.TrainingRecord;
import dev.bannerranker.trainer.eval.EvaluationReport;
import dev.bannerranker.trainer.eval.GoalCheck;
import dev.bannerranker.trainer.eval.ReportWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** generate → train → bundle → load → score, and evaluate's report. */
class EndToEndTest {

  @Test
  void trainedBundleLoadsAndScores() {
    Path dir = TinyWorld.ROOT.resolve("bundle");
    var bundle = BundleIO.load(dir);
    assertEquals(TinyWorld.TRAINED.bundle().modelVersion(), bundle.modelVersion());
    assertTrue(bundle.manifest().modelVersion().startsWith("wd-"));
    assertEquals(64, bundle.manifest().dataFingerprint().length());
    ScoringModel model = ScoringModel.of(bundle);
    long now = Long.parseLong("1773100000");
    var u = model.userFeatures(UserProfile.unknown("new-user"), UserHistory.forSpec(model.spec()), now);
    BannerFeatures[] all = model.banners().values().toArray(BannerFeatures[]::new);
    float[] p = new float[all.length];
    model.predict(u, new ScoringContext(now, Platform.WEB, model.spec().neutralSlot()), all, all.length, p);
    for (float x : p) {
      assertTrue(x > 0 && x < 1 && Float.isFinite(x));
    }
    var test = bundle.manifest().metrics().test();
    assertTrue(test.auc() > 0.55, "tiny-world test AUC " + test.auc());
    var provenance = bundle.manifest().provenance();
    assertEquals("banner-ranker-model-trainer " + dev.bannerranker.BuildInfo.current().version(), provenance.trainer());
    assertEquals(dev.bannerranker.BuildInfo.current().commit(), provenance.gitCommit());
    assertEquals(dev.bannerranker.BuildInfo.current().dl4jVersion(), provenance.deeplearning4j());
    assertEquals(System.getProperty("os.arch"), provenance.osArch());
  }

  /** The manifest records the test rows' calibration error, as {@code evaluate} computes it, through the JSON. */
  @Test
  void manifestRecordsTheTestCalibrationError() {
    var outcome = TinyWorld.TRAINED;
    var recorded = BundleIO.load(TinyWorld.ROOT.resolve("bundle")).manifest().metrics().test();
    float[] p = QuickMetrics.predict(ScoringModel.of(outcome.bundle()), outcome.rows(), outcome.testRows());
    boolean[] y = QuickMetrics.labels(outcome.dataset(), outcome.testRows());
    double ece = dev.bannerranker.trainer.eval.ClickMetrics.expectedCalibrationError(p, y, EvaluationPipeline.ECE_BINS);
    assertNotNull(recorded.ece(), "the manifest's test metrics have an ECE");
    assertEquals(ece, recorded.ece(), 1e-12);
    assertTrue(ece > 0 && ece < 0.2, "tiny-world test ECE " + ece);
  }

  /**
   * The loss curve's training values are the data's logloss: below that of always predicting the training CTR once
   * trained, and in the validation loss's range (DL4J's own score adds the L2 penalty and sat far above both).
   */
  @Test
  void trainingLossCurveIsTheLogloss() {
    var training = TinyWorld.TRAINED.bundle().manifest().training();
    java.util.List<Double> train = training.trainLoss();
    java.util.List<Double> valid = training.validLoss();
    double ctr = TinyWorld.TRAINED.bundle().spec().globalCtr();
    double constant = -(ctr * Math.log(ctr) + (1 - ctr) * Math.log(1 - ctr));
    double last = train.get(train.size() - 1);
    double lastValid = valid.get(valid.size() - 1);
    assertTrue(last > 0 && last < constant, "last training loss " + last + ", constant-CTR logloss " + constant);
    assertTrue(last < 1.5 * lastValid && lastValid < 1.5 * last, "training " + last + " vs validation " + lastValid);
  }

  /**
   * The manifest's training record is consistent with itself: one value of each curve per validation, the kept
   * validation is the lowest validation loss, the best epoch is that validation over the validations per epoch, and
   * there is a fitting time per epoch trained.
   */
  @Test
  void manifestRecordsTheValidationSchedule() {
    var training = TinyWorld.TRAINED.bundle().manifest().training();
    java.util.List<Double> valid = training.validLoss();
    int n = valid.size();
    assertTrue(n >= 2, "validations " + n);
    assertEquals(n, training.trainLoss().size());
    assertEquals(n, training.validLossTrainingWeights().size(), "TinyWorld trains with an average");
    assertEquals(n, training.validationLossSeconds().size());
    int perEpoch = training.validationsPerEpoch();
    assertEquals(2, perEpoch, "TinyWorld validates twice per epoch");
    int best = training.bestValidation();
    assertTrue(best >= 1 && best <= n, "best validation " + best + " of " + n);
    assertEquals(java.util.Collections.min(valid), valid.get(best - 1), "the kept validation is the lowest");
    assertEquals((double) best / perEpoch, training.bestEpoch(), 1e-12);
    assertEquals((n + perEpoch - 1) / perEpoch, training.epochFitSeconds().size());
    assertTrue(training.epochFitSeconds().stream().allMatch(s -> s > 0));
  }

  private static TrainingRecord curves(Integer perEpoch, java.util.List<Double> train, java.util.List<Double> valid,
      java.util.List<Double> validTrainingWeights) {
    return new TrainingRecord(train, valid, validTrainingWeights, perEpoch, null, null, null, null, null, null, null,
        null, TrainingRecord.Split.of(0, 86_400));
  }

  /**
   * The report's loss curves are placed at epochs trained: quarter epochs at four validations per epoch, whole epochs
   * for older manifests (whose missing schedule the migration at load fills in as one per epoch).
   */
  @Test
  void lossCurvesAreAgainstEpochs() {
    var now = curves(4, java.util.List.of(0.3, 0.2, 0.1), java.util.List.of(0.31, 0.21, 0.11),
        java.util.List.of(0.32, 0.22, 0.12));
    var curves = EvaluationPipeline.lossCurves(now);
    assertEquals(java.util.List.of("training", "validation", "validation, training weights (not averaged)"),
        curves.stream().map(ReportWriter.Curve::name).toList());
    for (var c : curves) {
      assertArrayEquals(new double[] {0.25, 0.5, 0.75}, c.x(), 0, c.name());
    }
    assertArrayEquals(new double[] {0.31, 0.21, 0.11}, curves.get(1).y(), 0);
    // One validation per epoch and no training-weights curve.
    var old = EvaluationPipeline.lossCurves(curves(1, java.util.List.of(0.3, 0.2), java.util.List.of(0.31, 0.21), null));
    assertEquals(java.util.List.of("training", "validation"), old.stream().map(ReportWriter.Curve::name).toList());
    assertArrayEquals(new double[] {1, 2}, old.get(1).x(), 0);
    assertTrue(EvaluationPipeline.lossCurves(null).isEmpty(), "a manifest without a training record");
    assertTrue(EvaluationPipeline.lossCurves(curves(null, null, null, null)).isEmpty(), "a record without curves");
    // Curves without a schedule cannot be placed: a bundle error rather than a guess.
    assertThrows(dev.bannerranker.bundle.BundleException.class,
        () -> EvaluationPipeline.lossCurves(curves(null, java.util.List.of(0.3), java.util.List.of(0.31), null)));
  }

  /** A test row without a true probability leaves the oracle out, with the reason, rather than failing or guessing. */
  @Test
  void oracleNeedsATrueProbabilityForEveryTestRow() {
    boolean[] y = {true, false, false, true};
    var rocs = new java.util.LinkedHashMap<String, dev.bannerranker.trainer.eval.ClickMetrics.RocCurve>();
    var full = EvaluationPipeline.oracle(new float[] {0.9f, 0.1f, 0.2f, 0.8f}, y, rocs, () -> "unused");
    assertNull(full.unavailable());
    assertEquals(1.0, full.auc(), 1e-12);
    assertTrue(rocs.containsKey("oracle (true CTR)"));
    rocs.clear();
    var part = EvaluationPipeline.oracle(new float[] {0.9f, Float.NaN, 0.2f, Float.NaN}, y, rocs, () -> "im-7");
    assertEquals("impressions_truth.csv has no true_ctr for 2 of 4 test impressions (first: 'im-7'); no oracle figures",
        part.unavailable());
    assertNull(part.auc());
    assertNull(part.logloss());
    assertTrue(rocs.isEmpty());
  }

  @Test
  void trainingIsReproducibleWithTheSameSeed() throws IOException {
    var again = TrainingPipeline.run(TinyWorld.options(TinyWorld.ROOT.resolve("bundle-again"), 3), TinyWorld.quiet(),
        TinyWorld.quiet());
    var first = TinyWorld.TRAINED.bundle();
    // The model version holds the creation time, so it differs; everything learnt must not.
    assertEquals(first.manifest().metrics().test(), again.bundle().manifest().metrics().test());
    assertEquals(first.manifest().metrics(), again.bundle().manifest().metrics());
    var a = first.weights();
    var b = again.bundle().weights();
    assertArrayEquals(a.wide(), b.wide());
    assertEquals(a.hidden().size(), b.hidden().size());
    for (int i = 0; i < a.hidden().size(); i++) {
      assertArrayEquals(a.hidden().get(i).w(), b.hidden().get(i).w(), "hidden " + i + " w");
      assertArrayEquals(a.hidden().get(i).b(), b.hidden().get(i).b(), "hidden " + i + " b");
    }
    assertArrayEquals(a.outputWeights(), b.outputWeights());
    assertEquals(a.outputBias(), b.outputBias());
    assertEquals(a.embeddings().keySet(), b.embeddings().keySet());
    a.embeddings().forEach((field, table) -> assertArrayEquals(table, b.embeddings().get(field), field));
    assertArrayEquals(a.tasteUser(), b.tasteUser());
    assertArrayEquals(a.tasteItem(), b.tasteItem());
    assertEquals(first.vectors().brandCount(), again.bundle().vectors().brandCount());
    for (int i = 0; i < first.vectors().brandCount(); i++) {
      assertArrayEquals(first.vectors().brand(i), again.bundle().vectors().brand(i), "brand " + i);
    }
  }

  @Test
  void evaluateRefusesABundleThatScoresNaNAsABundleProblem() throws IOException {
    var b = TinyWorld.TRAINED.bundle();
    var w = b.weights();
    Path nan = TinyWorld.ROOT.resolve("bundle-nan");
    BundleIO.write(new dev.bannerranker.bundle.Bundle(b.manifest(), b.vocab(), b.vectors(),
        new dev.bannerranker.scoring.WideDeepWeights(w.wide(), w.embeddings(), w.hidden(), w.outputWeights(), Float.NaN,
            w.tasteUser(), w.tasteItem()), b.catalog(), b.bannerStats(), b.bannerFirstLayer()), nan, true);
    var e = assertThrows(dev.bannerranker.bundle.BundleException.class, () -> EvaluationPipeline.run(TinyWorld.DATA,
        DataFormat.OWN, nan, TinyWorld.ROOT.resolve("report-nan"), 0.01, false, TinyWorld.quiet(), TinyWorld.quiet()));
    assertTrue(e.getMessage().startsWith(nan + ": the model scores NaN for test row 1 of "), e.getMessage());
    assertFalse(Files.exists(TinyWorld.ROOT.resolve("report-nan").resolve(ReportWriter.JSON_FILE)));
  }

  @Test
  void evaluateWritesTheReport() throws IOException {
    Path report = TinyWorld.ROOT.resolve("report");
    EvaluationReport r = EvaluationPipeline.run(TinyWorld.DATA, DataFormat.OWN, TinyWorld.ROOT.resolve("bundle"), report,
        0.01, false, TinyWorld.quiet(), TinyWorld.quiet());
    for (String f : new String[] {ReportWriter.JSON_FILE, ReportWriter.HTML_FILE}) {
      assertTrue(Files.size(report.resolve(f)) > 0, f);
    }
    String html = Files.readString(report.resolve(ReportWriter.HTML_FILE));
    for (String png : new String[] {ReportWriter.ROC_PNG, ReportWriter.CALIBRATION_PNG, ReportWriter.LOSS_PNG,
        ReportWriter.BRAND_MAP_PNG}) {
      BufferedImage img = ImageIO.read(report.resolve(png).toFile());
      assertNotNull(img, png + " decodes");
      assertTrue(img.getWidth() >= 400 && img.getWidth() <= 4000 && img.getHeight() >= 300 && img.getHeight() <= 4000,
          png + " is " + img.getWidth() + "x" + img.getHeight());
      assertTrue(html.contains("src=\"" + png + "\""), "report.html shows " + png);
    }
    var json = BundleIO.json().readTree(report.resolve(ReportWriter.JSON_FILE).toFile());
    for (String key : new String[] {"auc", "logloss", "ece", "ndcg_at_5", "oracle_auc", "oracle_logloss"}) {
      assertTrue(json.get(key).isNumber(), key);
    }
    for (String b : new String[] {"popularity", "wide_only", "deep_only", "item2vec_cosine"}) {
      double auc = json.get("baselines").get(b).get("auc").asDouble();
      assertTrue(auc > 0.3 && auc < 1, b + " auc " + auc);
      var d = json.get("baselines").get(b).get("auc_difference");
      double estimate = d.get("estimate").asDouble();
      assertTrue(d.get("ci95_low").asDouble() <= estimate && estimate <= d.get("ci95_high").asDouble(), b + " " + d);
      assertTrue(d.get("ci95_high").asDouble() > d.get("ci95_low").asDouble(), b + " " + d);
    }
    assertFalse(json.has("goals"), "acceptance thresholds are a check, not part of the user's report");
    var goals = GoalCheck.of(r);
    assertTrue(!goals.get(GoalCheck.SIGNIFICANTLY_AHEAD) || goals.get(GoalCheck.AHEAD),
        "significantly ahead implies ahead");
    assertEquals(r.baselines().keySet(), java.util.Set.copyOf(java.util.List.of("popularity", "item2vec_cosine",
        "wide_only", "deep_only")));
    String table = html.substring(html.indexOf("Model and baselines"), html.indexOf("Calibration and ranking"));
    for (String b : new String[] {"popularity", "item2vec cosine", "wide only", "deep only", "oracle (true CTR)"}) {
      assertTrue(table.contains("<td>" + b + "</td>"), b + " has a row in the comparison table");
    }
    double p10 = json.get("item2vec").get("category_precision_at_10").asDouble();
    assertTrue(p10 >= 0 && p10 <= 1);
    assertTrue(json.get("item2vec").get("tokens_per_second").asDouble() > 0, json.get("item2vec").toString());
    assertEquals(r.auc(), json.get("auc").asDouble());
    assertTrue(json.get("oracle_auc").asDouble() > json.get("auc").asDouble() - 0.2);
  }
}
