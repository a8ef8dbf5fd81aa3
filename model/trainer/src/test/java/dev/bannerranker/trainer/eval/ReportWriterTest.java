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

  private static Map<String, Object> metrics() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("auc", 0.7345);
    m.put("logloss", 0.1823);
    m.put("rows", 1_000_000);
    m.put("model", "wide & deep <v1>");
    Map<String, Object> pop = new LinkedHashMap<>();
    pop.put("auc", 0.61);
    pop.put("ndcg@5", 0.42);
    m.put("baselines", Map.of("popularity", pop, "random", Map.of("auc", 0.5)));
    m.put("epochs", List.of(1, 2, 3));
    return m;
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
      // 20 groups of uneven size: the map must collapse the tail into "other".
      int g = Math.min(19, (int) Math.abs(rnd.nextGaussian() * 7));
      points.add(new MapPoint("brand-" + i, "category-" + g, rnd.nextGaussian() + g, rnd.nextGaussian()));
    }

    Map<String, Object> metrics = metrics();
    ReportWriter.write(dir, "Banner <ranker> & \"eval\"", metrics, rocs,
        ClickMetrics.calibration(s, y, 10), loss, points);

    Map<?, ?> back = new ObjectMapper().readValue(dir.resolve(ReportWriter.JSON_FILE).toFile(), Map.class);
    assertEquals(metrics, back);
    String json = Files.readString(dir.resolve(ReportWriter.JSON_FILE));
    assertTrue(json.indexOf("\"auc\"") < json.indexOf("\"baselines\""), "keys are sorted");
    assertTrue(json.contains("\n  "), "pretty-printed");

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
    for (String key : List.of("auc", "logloss", "rows", "model", "epochs",
        "baselines.popularity.auc", "baselines.popularity.ndcg@5", "baselines.random.auc")) {
      assertTrue(html.contains("<td>" + key + "</td>"), key);
    }
    assertTrue(html.contains("<td class=\"v\">0.7345</td>"));
    for (String png : PNGS) assertTrue(html.contains("<img src=\"" + png + "\""), png);
    assertFalse(html.contains("not available"));
    assertFalse(html.contains("<script") || html.contains("<link") || html.contains("http"));
  }

  @Test
  void missingPlotsAreSkippedAndStaleFilesRemoved(@TempDir Path dir) throws IOException {
    for (String png : PNGS) Files.writeString(dir.resolve(png), "stale");
    ReportWriter.write(dir, "empty", Map.of("auc", 0.5), Map.of(), null, List.of(), List.of());
    for (String png : PNGS) assertFalse(Files.exists(dir.resolve(png)), png);
    String html = Files.readString(dir.resolve(ReportWriter.HTML_FILE));
    assertFalse(html.contains("<img"));
    for (String h : List.of("ROC", "Calibration", "Loss", "Brand map")) {
      assertTrue(html.contains(h + " chart not available."), h);
    }
    assertEquals(Map.of("auc", 0.5),
        new ObjectMapper().readValue(dir.resolve(ReportWriter.JSON_FILE).toFile(), Map.class));
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
