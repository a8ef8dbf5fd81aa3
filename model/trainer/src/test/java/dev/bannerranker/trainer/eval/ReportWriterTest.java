package dev.bannerranker.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.trainer.eval.ReportWriter.Curve;
import dev.bannerranker.trainer.eval.ReportWriter.MapPoint;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  private static final String[] PNGS = {
    ReportWriter.ROC_PNG, ReportWriter.CALIBRATION_PNG, ReportWriter.LOSS_PNG, ReportWriter.BRAND_MAP_PNG
  };

  private static EvaluationReport.Baseline baseline(double auc, Double logloss, double low, String description) {
    return new EvaluationReport.Baseline(auc, logloss,
        new EvaluationReport.AucDifference(0.7345 - auc, low, 0.7345 - auc + 0.01, 1000, "user"), description);
  }

  static EvaluationReport report() {
    Map<String, EvaluationReport.Baseline> baselines = new LinkedHashMap<>();
    baselines.put("popularity", baseline(0.61, 0.2, 0.1, "banner CTR <shrunk>"));
    baselines.put("item2vec_cosine", baseline(0.58, null, 0.13, "cosine"));
    baselines.put("deep_only", baseline(0.73, 0.183, -0.002, "the deep side alone"));
    return new EvaluationReport("wide & deep <v1>", 1_000_000, 31_000, 0.7345, 0.1823, 0.004, 0.41, 0.76, 0.17, null,
        baselines, new EvaluationReport.Item2Vec(0.44, 250_000.0), null, 12.5);
  }

  @Test
  void writesAllFilesAndJsonRoundTrips(@TempDir Path dir) throws IOException {
    Random rnd = new Random(1);
    int n = 5000;
    float[] s = new float[n];
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      y[i] = rnd.nextFloat() < 0.04f;
      s[i] = (float) (1 / (1 + Math.exp(-(rnd.nextGaussian() - 3.5 + (y[i] ? 1 : 0)))));
    }
    Map<String, ClickMetrics.RocCurve> rocs = new LinkedHashMap<>();
    rocs.put("wide & deep", ClickMetrics.roc(s, y, 300));
    float[] noisy = s.clone();
    for (int i = 0; i < n; i++) noisy[i] += (float) rnd.nextGaussian() * 0.05f;
    rocs.put("popularity", ClickMetrics.roc(noisy, y, 300));
    List<Curve> loss = List.of(
        new Curve("train", new double[] {1, 2, 3, 4}, new double[] {0.30, 0.22, 0.19, 0.18}),
        new Curve("validation", new double[] {1, 2, 3, 4}, new double[] {0.31, 0.25, 0.23, 0.235}));
    List<MapPoint> points = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      // 25 groups of uneven size: the map must collapse the tail into "other".
      int g = Math.min(24, (int) Math.abs(rnd.nextGaussian() * 9));
      points.add(new MapPoint("brand-" + i, "category-" + g, rnd.nextGaussian() + g, rnd.nextGaussian(), i));
    }

    EvaluationReport report = report();
    ReportWriter.write(dir, "Banner <ranker> & \"eval\"", report, rocs,
        ClickMetrics.calibration(s, y, 10), loss, points);

    var json = new ObjectMapper().readTree(dir.resolve(ReportWriter.JSON_FILE).toFile());
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("auc", "baselines", "ece", "item2vec", "logloss", "model_version", "ndcg_at_5", "oracle_auc",
        "oracle_logloss", "seconds", "test_clicks", "test_rows"), keys, "sorted, and absent parts left out");
    assertEquals(0.7345, json.get("auc").asDouble());
    var cosine = json.get("baselines").get("item2vec_cosine");
    assertFalse(cosine.has("logloss"), "a ranking score has no logloss");
    List<String> difference = new ArrayList<>();
    cosine.get("auc_difference").fieldNames().forEachRemaining(difference::add);
    assertEquals(List.of("ci95_high", "ci95_low", "clustered_by", "estimate", "resamples"), difference);
    assertEquals(0.44, json.get("item2vec").get("category_precision_at_10").asDouble());
    assertEquals(report, new ObjectMapper().readValue(dir.resolve(ReportWriter.JSON_FILE).toFile(),
        EvaluationReport.class), "report.json reads back as the report");
    String text = Files.readString(dir.resolve(ReportWriter.JSON_FILE));
    assertTrue(text.contains("\n  "), "pretty-printed");

    for (String png : PNGS) {
      BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
      assertNotNull(img, png + " decodes");
      assertTrue(img.getWidth() > 100 && img.getHeight() > 100, png);
      assertFalse(isBlank(img), png + " has content");
    }

    String html = Files.readString(dir.resolve(ReportWriter.HTML_FILE));
    assertTrue(html.contains("<title>Banner &lt;ranker&gt; &amp; &quot;eval&quot;</title>"), html);
    assertTrue(html.contains("<h1>Banner &lt;ranker&gt; &amp; &quot;eval&quot;</h1>"));
    assertFalse(html.contains("<ranker>"));
    assertTrue(html.contains("wide &amp; deep &lt;v1&gt;"));
    assertTrue(html.contains("banner CTR &lt;shrunk&gt;"));
    // One row per scorer: the model, the oracle and each baseline, with the difference and its interval.
    for (String row : List.of("wide &amp; deep (this bundle)", "oracle (true CTR)", "popularity", "item2vec cosine",
        "deep only")) {
      assertTrue(html.contains("<td>" + row + "</td>"), row);
    }
    assertTrue(html.contains("<td class=\"v\">0.7345</td>"), "the model's AUC");
    assertTrue(html.contains("<td class=\"v\">0.6100</td>"), "the popularity AUC");
    assertTrue(html.contains("<td class=\"v\">+0.1245</td>"), "model minus popularity");
    assertTrue(html.contains("[&minus;0.0020, +0.0145]"), "the deep-only interval, across zero");
    assertFalse(html.contains("baselines.popularity"), "no flat dotted keys");
    for (String png : PNGS) assertTrue(html.contains("<img src=\"" + png + "\""), png);
    assertFalse(html.contains("not available"));
    assertFalse(html.contains("<script") || html.contains("<link") || html.contains("http"));
  }

  @Test
  void missingPlotsAreSkippedAndStaleFilesRemoved(@TempDir Path dir) throws IOException {
    for (String png : PNGS) Files.writeString(dir.resolve(png), "stale");
    EvaluationReport bare = new EvaluationReport("m", 10, 1, 0.5, 0.3, 0.1, 0.2, null, null, "no truth", Map.of(),
        null, null, 1);
    ReportWriter.write(dir, "empty", bare, Map.of(), null, List.of(), List.of());
    for (String png : PNGS) assertFalse(Files.exists(dir.resolve(png)), png);
    String html = Files.readString(dir.resolve(ReportWriter.HTML_FILE));
    assertFalse(html.contains("<img"));
    for (String h : List.of("ROC", "Calibration", "Loss", "Brand map")) {
      assertTrue(html.contains(h + " chart not available."), h);
    }
    assertEquals(bare, new ObjectMapper().readValue(dir.resolve(ReportWriter.JSON_FILE).toFile(),
        EvaluationReport.class));
  }

  @Test
  void theConversionSectionRoundTripsAndIsShown(@TempDir Path dir) throws IOException {
    EvaluationReport.AucDifference lead = new EvaluationReport.AucDifference(0.02, 0.01, 0.03, 1000, "user");
    Map<String, EvaluationReport.ConversionScores> baselines = new LinkedHashMap<>();
    baselines.put("clicked_only", new EvaluationReport.ConversionScores(0.80, 0.05, 0.004, 0.66, 0.4, 0.02, lead,
        lead, "clicked <only>"));
    EvaluationReport.Conversion c = new EvaluationReport.Conversion(17, new EvaluationReport.ConversionScores(0.82,
        0.04, 0.003, 0.70, 0.38, 0.01, null, null, null), null, baselines);
    EvaluationReport r = new EvaluationReport("m", 10, 1, 0.5, 0.3, 0.1, 0.2, null, null, null, Map.of(), null, null,
        1, c);
    ReportWriter.write(dir, "conversions", r, Map.of(), null, List.of(), List.of());
    assertEquals(r, new ObjectMapper().readValue(dir.resolve(ReportWriter.JSON_FILE).toFile(), EvaluationReport.class));
    var json = new ObjectMapper().readTree(dir.resolve(ReportWriter.JSON_FILE).toFile());
    assertEquals(0.66, json.at("/conversion/baselines/clicked_only/cvr_auc").asDouble());
    assertEquals(17, json.at("/conversion/test_conversions").asInt());
    assertTrue(json.at("/conversion/oracle").isMissingNode(), "no oracle without truth");
    String html = Files.readString(dir.resolve(ReportWriter.HTML_FILE));
    assertTrue(html.contains("<h2>Conversions</h2>"));
    assertTrue(html.contains("clicked &lt;only&gt;"));
    assertTrue(html.contains("0.6600"));
  }

  /**
   * A dense map names only some points, the most frequent first, and no two names overlap: 200 points in one blob get
   * a readable handful, not 200 labels.
   */
  @Test
  void brandMapNamesAReadableSubset() {
    Random rnd = new Random(3);
    List<MapPoint> points = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      points.add(new MapPoint("brand-" + i, "c", rnd.nextGaussian() * 0.1, rnd.nextGaussian() * 0.1, 1000 - i));
    }
    points.add(new MapPoint("far-a", "c", 5, 5, 1));
    points.add(new MapPoint("far-b", "c", -5, -5, 1));
    List<MapPoint> named = ReportWriter.labelled(points, -5, 5, -5, 5);
    assertTrue(named.size() >= 3 && named.size() <= ReportWriter.MAX_MAP_LABELS, "named " + named.size());
    assertEquals("brand-0", named.get(0).label(), "the most frequent brand is named first");
    assertTrue(named.stream().anyMatch(p -> p.label().equals("far-a")), "an isolated point has room for its name");
    assertTrue(named.size() < 40, "the blob gets a few names, not one per point: " + named.size());
    List<MapPoint> spread = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      spread.add(new MapPoint("b" + i, "c", i % 20, i / 20 * 3, i));
    }
    assertEquals(ReportWriter.MAX_MAP_LABELS, ReportWriter.labelled(spread, 0, 19, 0, 27).size());
  }

  @Test
  void escapesAllHtmlSpecials() {
    assertEquals("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
        ReportWriter.escape("<a href=\"x\" title='y'>&</a>"));
  }

  private static boolean isBlank(BufferedImage img) {
    int first = img.getRGB(0, 0);
    for (int x = 0; x < img.getWidth(); x += 3) {
      for (int yy = 0; yy < img.getHeight(); yy += 3) {
        if (img.getRGB(x, yy) != first) return false;
      }
    }
    return true;
  }
}
