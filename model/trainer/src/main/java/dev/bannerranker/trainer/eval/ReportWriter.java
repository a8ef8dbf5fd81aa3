package dev.bannerranker.trainer.eval;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes an offline evaluation report directory: {@value #JSON_FILE}, up to four PNG charts and a
 * self-contained {@value #HTML_FILE} that shows the model against each baseline and embeds the
 * charts by relative path, so the directory can be zipped, attached to a CI run or opened from disk.
 */
public final class ReportWriter {
  static {
    // Must run before any AWT class initialises; CLI runs on servers and CI have no display.
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
  }

  public static final String JSON_FILE = "report.json";
  public static final String HTML_FILE = "report.html";
  public static final String ROC_PNG = "roc.png";
  public static final String CALIBRATION_PNG = "calibration.png";
  public static final String LOSS_PNG = "loss.png";
  public static final String BRAND_MAP_PNG = "brand_map.png";
  /** The brand map colours at most this many groups; smaller groups are merged into "other". */
  public static final int MAX_MAP_GROUPS = 20;
  /** The brand map names at most this many points, the most frequent first, skipping any that would overlap. */
  public static final int MAX_MAP_LABELS = 40;
  public static final String OTHER_GROUP = "other";

  private static final int WIDTH = 800;
  private static final int HEIGHT = 600;
  // Tableau 20 without its greys, plus a navy and a dark green: 19 groups and a grey "other".
  private static final int[] PALETTE = {
    0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F, 0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F,
    0xA0CBE8, 0xFFBE7D, 0xFF9D9A, 0x86BCB6, 0x8CD17D, 0xF1CE63, 0xD4A6C8, 0xD7B5A6, 0x000080,
    0x1B5E20
  };
  private static final int OTHER_COLOR = 0xBAB0AC;

  private static final ObjectWriter JSON =
      new ObjectMapper()
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS) // maps nested inside caller POJOs
          .writer(new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")));

  private ReportWriter() {}

  /** A named series, e.g. training loss (x = epoch, y = loss). */
  public record Curve(String name, double[] x, double[] y) {
    public Curve {
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            "curve " + name + ": x has " + x.length + " points but y " + y.length);
      }
    }
  }

  /**
   * One point of a 2-D embedding map, coloured by {@code group} (e.g. the category); the points of largest
   * {@code weight} (e.g. events) are the ones labelled.
   */
  public record MapPoint(String label, String group, double x, double y, long weight) {}

  /**
   * Writes the report into {@code dir} (created if missing). Any of {@code rocs}, {@code
   * calibration}, {@code lossCurves}, {@code brandMap} may be null or empty: that chart is skipped
   * (a stale PNG from an earlier run is deleted) and the HTML says "not available".
   *
   * @param title page title, HTML-escaped
   * @param report written to {@value #JSON_FILE} with keys sorted at every level (NaN and infinite
   *     doubles become the JSON strings "NaN"/"Infinity"), and shown as tables in the HTML
   * @param rocs ROC curves by legend name, drawn in map iteration order
   * @param lossCurves loss against epochs trained, e.g. "train" and "validation"
   * @param brandMap ~hundreds of points; more than {@value #MAX_MAP_GROUPS} groups are reduced to
   *     the largest ones plus {@value #OTHER_GROUP}, and at most {@value #MAX_MAP_LABELS} are named
   */
  public static void write(
      Path dir,
      String title,
      EvaluationReport report,
      Map<String, ClickMetrics.RocCurve> rocs,
      ClickMetrics.CalibrationCurve calibration,
      List<Curve> lossCurves,
      List<MapPoint> brandMap)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> sorted = sortedCopy(new ObjectMapper().convertValue(report, Map.class));
    Files.writeString(dir.resolve(JSON_FILE), JSON.writeValueAsString(sorted) + "\n");

    boolean hasRoc = save(dir.resolve(ROC_PNG), rocs == null || rocs.isEmpty() ? null : rocChart(rocs));
    boolean hasCal = save(dir.resolve(CALIBRATION_PNG),
        calibration == null || calibration.bins() == 0 ? null : calibrationChart(calibration));
    List<Curve> loss = lossCurves == null ? List.of()
        : lossCurves.stream().filter(c -> c.x().length > 0).toList();
    boolean hasLoss = save(dir.resolve(LOSS_PNG), loss.isEmpty() ? null : lossChart(loss));
    boolean hasMap = save(dir.resolve(BRAND_MAP_PNG),
        brandMap == null || brandMap.isEmpty() ? null : brandMapChart(brandMap));

    List<Figure> figures = List.of(
        new Figure(ROC_PNG, "ROC", hasRoc,
            "True positive rate against false positive rate as the score threshold falls. "
                + "The dashed diagonal is a random ranker (AUC 0.5)."),
        new Figure(CALIBRATION_PNG, "Calibration", hasCal, calibrationCaption(calibration)),
        new Figure(LOSS_PNG, "Loss", hasLoss, "Loss against epochs trained, at each validation, for each named series."),
        new Figure(BRAND_MAP_PNG, "Brand map", hasMap,
            "The brands' item2vec vectors projected on their first two principal components, coloured by "
                + "their main category (beyond " + (MAX_MAP_GROUPS - 1) + " categories the smallest are "
                + "merged into \"" + OTHER_GROUP + "\"). Brands that shoppers browse together lie close. "
                + "Only the most frequent brands are named, as many as fit without overlapping."));
    Files.writeString(dir.resolve(HTML_FILE), html(title == null ? "" : title, report, figures),
        StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- charts

  private static XYChart rocChart(Map<String, ClickMetrics.RocCurve> rocs) {
    XYChart chart = chart("ROC", "False positive rate", "True positive rate", WIDTH, HEIGHT);
    chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
    range(chart.getStyler(), 0, 1, 0, 1);
    Set<String> used = new HashSet<>();
    for (Map.Entry<String, ClickMetrics.RocCurve> e : rocs.entrySet()) {
      XYSeries s = chart.addSeries(unique(e.getKey(), used), e.getValue().fpr(), e.getValue().tpr());
      s.setMarker(SeriesMarkers.NONE);
    }
    diagonal(chart, unique("random", used), 1.0);
    return chart;
  }

  /**
   * Linear axes zoomed to the data range rather than log-log: an equal-mass bin can have an
   * observed rate of 0, which a log axis cannot show, and zooming already spreads CTRs of 1-10%
   * over the whole plot. Both axes share the range so the y = x line is at 45 degrees.
   */
  private static XYChart calibrationChart(ClickMetrics.CalibrationCurve cal) {
    XYChart chart = chart("Calibration", "Mean predicted CTR", "Observed CTR", WIDTH, HEIGHT);
    double max = 0;
    for (int b = 0; b < cal.bins(); b++) max = Math.max(max, Math.max(cal.meanPredicted()[b], cal.observedRate()[b]));
    max = max > 0 ? Math.min(1.0, max * 1.05) : 1.0;
    XYStyler st = chart.getStyler();
    st.setLegendPosition(LegendPosition.InsideNW);
    range(st, 0, max, 0, max);
    st.setXAxisDecimalPattern(max < 0.1 ? "0.0%" : "0%");
    st.setYAxisDecimalPattern(max < 0.1 ? "0.0%" : "0%");
    XYSeries s = chart.addSeries("model", cal.meanPredicted(), cal.observedRate());
    s.setMarker(SeriesMarkers.CIRCLE);
    diagonal(chart, "perfectly calibrated", max);
    return chart;
  }

  private static XYChart lossChart(List<Curve> curves) {
    XYChart chart = chart("Loss", "Epoch", "Loss", WIDTH, HEIGHT);
    chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
    Set<String> used = new HashSet<>();
    for (Curve c : curves) chart.addSeries(unique(c.name(), used), c.x(), c.y()).setMarker(SeriesMarkers.CIRCLE);
    return chart;
  }

  private static XYChart brandMapChart(List<MapPoint> points) {
    // Largest groups first (ties by name) so colours are stable between runs.
    Map<String, Integer> sizes = new TreeMap<>();
    for (MapPoint p : points) sizes.merge(groupOf(p), 1, Integer::sum);
    List<String> order = new ArrayList<>(sizes.keySet());
    order.sort(Comparator.comparing((String g) -> -sizes.get(g)).thenComparing(g -> g));
    boolean collapse = order.size() > MAX_MAP_GROUPS;
    Set<String> kept = new HashSet<>(collapse ? order.subList(0, MAX_MAP_GROUPS - 1) : order);

    Map<String, List<MapPoint>> byGroup = new LinkedHashMap<>();
    for (String g : order) if (kept.contains(g)) byGroup.put(g, new ArrayList<>());
    if (collapse) byGroup.put(OTHER_GROUP, new ArrayList<>());
    double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
    for (MapPoint p : points) {
      byGroup.get(kept.contains(groupOf(p)) ? groupOf(p) : OTHER_GROUP).add(p);
      minX = Math.min(minX, p.x());
      maxX = Math.max(maxX, p.x());
      minY = Math.min(minY, p.y());
      maxY = Math.max(maxY, p.y());
    }
    // Pad so labels at the edges are not cut off; guard against a zero range.
    double padX = Math.max(maxX - minX, 1e-9) * 0.06;
    double padY = Math.max(maxY - minY, 1e-9) * 0.06;

    XYChart chart = chart("Brand map (item2vec)", "first principal component", "second principal component",
        1100, 850);
    XYStyler st = chart.getStyler();
    st.setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    st.setLegendPosition(LegendPosition.OutsideE).setMarkerSize(7);
    range(st, minX - padX, maxX + padX, minY - padY, maxY + padY);
    st.setXAxisDecimalPattern("0.0");
    st.setYAxisDecimalPattern("0.0");
    st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    st.setAnnotationTextFontColor(new Color(0x404040));
    Set<String> used = new HashSet<>();
    int colour = 0;
    for (Map.Entry<String, List<MapPoint>> e : byGroup.entrySet()) {
      List<MapPoint> ps = e.getValue();
      double[] xs = new double[ps.size()];
      double[] ys = new double[ps.size()];
      for (int i = 0; i < ps.size(); i++) {
        xs[i] = ps.get(i).x();
        ys[i] = ps.get(i).y();
      }
      boolean other = collapse && e.getKey().equals(OTHER_GROUP);
      XYSeries s = chart.addSeries(unique(e.getKey() + " (" + ps.size() + ")", used), xs, ys);
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setMarkerColor(new Color(other ? OTHER_COLOR : PALETTE[colour++ % PALETTE.length]));
    }
    // Labels sit just above their marker; XChart centres annotation text on the given point.
    for (MapPoint p : labelled(points, minX, maxX, minY, maxY)) {
      chart.addAnnotation(new AnnotationText(p.label(), p.x(), p.y() + padY * 0.3, false));
    }
    return chart;
  }

  /**
   * The points to name: the heaviest first, each kept only if its label box (as a share of the plot's width and
   * height) overlaps none kept before, up to {@value #MAX_MAP_LABELS}; so the dense centre gets a few names, not a
   * blob of them.
   */
  static List<MapPoint> labelled(List<MapPoint> points, double minX, double maxX, double minY, double maxY) {
    double w = Math.max(maxX - minX, 1e-9);
    double h = Math.max(maxY - minY, 1e-9);
    List<MapPoint> order = points.stream().filter(p -> p.label() != null && !p.label().isBlank())
        .sorted(Comparator.comparingLong(MapPoint::weight).reversed().thenComparing(MapPoint::label)).toList();
    List<MapPoint> kept = new ArrayList<>();
    for (MapPoint p : order) {
      if (kept.size() == MAX_MAP_LABELS) {
        break;
      }
      // About 0.008 of the width per character at 11 px on a 1,100 px chart, and one line is 0.025 of the height.
      double halfWidth = 0.004 * Math.min(p.label().length(), 30) + 0.01;
      boolean free = true;
      for (MapPoint q : kept) {
        double qHalfWidth = 0.004 * Math.min(q.label().length(), 30) + 0.01;
        if (Math.abs(p.x() - q.x()) / w < halfWidth + qHalfWidth && Math.abs(p.y() - q.y()) / h < 0.03) {
          free = false;
          break;
        }
      }
      if (free) {
        kept.add(p);
      }
    }
    return kept;
  }

  private static XYChart chart(String title, String xTitle, String yTitle, int w, int h) {
    XYChart chart = new XYChartBuilder().width(w).height(h).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line)
        .setChartBackgroundColor(Color.WHITE).setLegendBorderColor(Color.LIGHT_GRAY);
    return chart;
  }

  private static void range(XYStyler st, double minX, double maxX, double minY, double maxY) {
    st.setXAxisMin(minX);
    st.setXAxisMax(maxX);
    st.setYAxisMin(minY);
    st.setYAxisMax(maxY);
  }

  private static void diagonal(XYChart chart, String name, double max) {
    XYSeries d = chart.addSeries(name, new double[] {0, max}, new double[] {0, max});
    d.setMarker(SeriesMarkers.NONE);
    d.setLineColor(Color.GRAY);
    d.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        SeriesLines.DASH_DASH.getDashArray(), 0f));
  }

  private static String groupOf(MapPoint p) {
    return p.group() == null || p.group().isBlank() ? "(none)" : p.group();
  }

  /** XChart rejects duplicate series names; suffix repeats instead of failing the whole report. */
  private static String unique(String name, Set<String> used) {
    String base = name == null || name.isBlank() ? "series" : name;
    String n = base;
    for (int i = 2; !used.add(n); i++) n = base + " (" + i + ")";
    return n;
  }

  /** Writes the chart as PNG, or deletes a stale file when there is nothing to plot. */
  private static boolean save(Path file, XYChart chart) throws IOException {
    if (chart == null) {
      Files.deleteIfExists(file);
      return false;
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG);
    }
    return true;
  }

  // ---------------------------------------------------------------- HTML

  private record Figure(String file, String heading, boolean available, String caption) {}

  private static String calibrationCaption(ClickMetrics.CalibrationCurve cal) {
    String bins = "";
    if (cal != null && cal.bins() > 0) {
      long min = Long.MAX_VALUE, max = 0;
      for (long c : cal.count()) {
        min = Math.min(min, c);
        max = Math.max(max, c);
      }
      bins = " in " + cal.bins() + " equal-mass bins of " + (min == max ? min : min + "-" + max)
          + " impressions";
    }
    return "Observed click rate against mean predicted CTR" + bins
        + ". Points on the dashed y = x line are perfectly calibrated; points below it are "
        + "over-predicted.";
  }

  private static String html(String title, EvaluationReport r, List<Figure> figures) {
    StringBuilder h = new StringBuilder(8192);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(escape(title)).append("</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1150px;color:#222}\n")
        .append("table{border-collapse:collapse;margin-bottom:1em}\n")
        .append("th,td{border:1px solid #ccc;padding:.3em .8em;text-align:left}\n")
        .append("td.v{text-align:right;font-family:monospace;white-space:nowrap}\nth{background:#f2f2f2}\n")
        .append("tr.model td{font-weight:bold}\np.note{color:#555;font-size:.9em;max-width:60em}\n")
        .append("figure{margin:0 0 2em}\nimg{max-width:100%;border:1px solid #ddd}\n")
        .append("figcaption{color:#555;font-size:.9em;margin-top:.3em}\n.na{color:#999;font-style:italic}\n")
        .append("</style>\n</head>\n<body>\n<h1>").append(escape(title)).append("</h1>\n");

    h.append("<p>Model <code>").append(escape(String.valueOf(r.modelVersion()))).append("</code> on the held-out test days: ")
        .append(String.format(Locale.ROOT, "%,d", r.testRows())).append(" impressions, ")
        .append(String.format(Locale.ROOT, "%,d", r.testClicks())).append(" clicks");
    if (r.testRows() > 0) {
      h.append(String.format(Locale.ROOT, " (CTR %.2f%%)", 100.0 * r.testClicks() / r.testRows()));
    }
    h.append(". Evaluated in ").append(String.format(Locale.ROOT, "%.0f", r.seconds())).append(" s.");
    if (r.sequenceAttention() != null) {
      h.append(" Sequence attention: <code>").append(escape(r.sequenceAttention())).append("</code>.");
    }
    h.append("</p>\n");

    h.append("<h2>Model and baselines</h2>\n<table>\n<thead><tr><th>Scorer</th><th>AUC</th><th>Logloss</th>")
        .append("<th>AUC difference<br>(model &minus; scorer)</th><th>95 % interval</th><th>What it is</th></tr></thead>\n<tbody>\n");
    scorerRow(h, "model", "wide & deep (this bundle)", r.auc(), r.logloss(), null, "the bundle, scored by the service's code");
    if (r.oracleAuc() != null) {
      scorerRow(h, "", "oracle (true CTR)", r.oracleAuc(), r.oracleLogloss(), null,
          "the generator's true click probability: the best any model can do on this data");
    }
    int resamples = 0;
    for (Map.Entry<String, EvaluationReport.Baseline> e : r.baselines().entrySet()) {
      EvaluationReport.Baseline b = e.getValue();
      scorerRow(h, "", e.getKey().replace('_', ' '), b.auc(), b.logloss(), b.aucDifference(), b.description());
      resamples = b.aucDifference() == null ? resamples : b.aucDifference().resamples();
    }
    h.append("</tbody>\n</table>\n<p class=\"note\">The difference is the model's AUC minus the scorer's on the same "
        + "impressions; its 95 % interval comes from a paired bootstrap of ").append(resamples)
        .append(" resamples of whole users. An interval above zero means the model's lead is beyond the test "
            + "days' sampling noise. A scorer without a logloss gives a ranking score, not a probability.</p>\n");
    if (r.oracleUnavailable() != null) {
      h.append("<p class=\"note\">No oracle figures: ").append(escape(r.oracleUnavailable())).append(".</p>\n");
    }

    if (r.conversion() != null) {
      conversionSection(h, r.conversion());
    }

    h.append("<h2>Calibration and ranking</h2>\n<table>\n<tbody>\n");
    valueRow(h, "expected calibration error (20 equal-mass bins)", r.ece());
    valueRow(h, "NDCG@5 of each user's test impressions", r.ndcgAt5());
    h.append("</tbody>\n</table>\n");
    if (r.item2vec() != null) {
      h.append("<h2>item2vec</h2>\n<table>\n<tbody>\n");
      valueRow(h, "brands among each brand's 10 nearest that share its main category", r.item2vec().categoryPrecisionAt10());
      if (r.item2vec().tokensPerSecond() != null) {
        valueRow(h, "training speed, tokens per second", r.item2vec().tokensPerSecond());
      }
      h.append("</tbody>\n</table>\n");
    }
    if (r.movielens() != null) {
      EvaluationReport.MovieLens m = r.movielens();
      h.append("<h2>MovieLens</h2>\n<table>\n<tbody>\n");
      valueRow(h, "genre consistency of the 10 nearest movies", m.genreConsistencyAt10());
      valueRow(h, "genre consistency by chance", m.genreConsistencyAt10Chance());
      valueRow(h, "next-item hit rate@10, wide & deep", m.nextItemHitRateAt10());
      valueRow(h, "next-item hit rate@10, item2vec alone", m.nextItemHitRateAt10Item2vec());
      valueRow(h, "next-item hit rate@10, popularity", m.nextItemHitRateAt10Popularity());
      valueRow(h, "test users", m.nextItemTestUsers());
      h.append("</tbody>\n</table>\n");
    }

    for (Figure f : figures) {
      h.append("<h2>").append(escape(f.heading())).append("</h2>\n");
      if (f.available()) {
        h.append("<figure>\n<img src=\"").append(escape(f.file())).append("\" alt=\"")
            .append(escape(f.heading())).append(" chart\">\n<figcaption>")
            .append(escape(f.caption())).append("</figcaption>\n</figure>\n");
      } else {
        h.append("<p class=\"na\">").append(escape(f.heading())).append(" chart not available.</p>\n");
      }
    }
    return h.append("</body>\n</html>\n").toString();
  }

  private static void scorerRow(StringBuilder h, String cssClass, String name, double auc, Double logloss,
      EvaluationReport.AucDifference d, String description) {
    h.append(cssClass.isEmpty() ? "<tr>" : "<tr class=\"" + cssClass + "\">")
        .append("<td>").append(escape(name)).append("</td>")
        .append("<td class=\"v\">").append(fixed(auc, 4)).append("</td>")
        .append("<td class=\"v\">").append(logloss == null ? "&ndash;" : fixed(logloss, 5)).append("</td>");
    differenceAndDescription(h, d, description);
  }

  /** A row's last cells: the AUC difference and its interval (dashes without one), and the description. */
  private static void differenceAndDescription(StringBuilder h, EvaluationReport.AucDifference d, String description) {
    if (d == null) {
      h.append("<td class=\"v\">&ndash;</td><td class=\"v\">&ndash;</td>");
    } else {
      h.append("<td class=\"v\">").append(signed(d.estimate())).append("</td>")
          .append("<td class=\"v\">[").append(signed(d.ci95Low())).append(", ").append(signed(d.ci95High()))
          .append("]</td>");
    }
    h.append("<td>").append(escape(description == null ? "" : description)).append("</td></tr>\n");
  }

  /** The conversion figures: per impression (pCTR × pCVR, every test impression) and per click (pCVR). */
  private static void conversionSection(StringBuilder h, EvaluationReport.Conversion c) {
    h.append("<h2>Conversions</h2>\n<p>").append(String.format(Locale.ROOT, "%,d", c.testConversions()))
        .append(" conversions on the test days.</p>\n");
    for (boolean perClick : new boolean[] {false, true}) {
      h.append("<table>\n<thead><tr><th>").append(perClick ? "pCVR, clicked impressions" : "pCTR &times; pCVR, "
          + "every impression").append("</th><th>AUC</th><th>Logloss</th><th>ECE</th>")
          .append("<th>AUC difference<br>(model &minus; scorer)</th><th>95 % interval</th><th>What it is</th></tr>")
          .append("</thead>\n<tbody>\n");
      conversionRow(h, "model", "click & conversion (this bundle)", c.model(), perClick,
          "the bundle's two towers, scored by the service's code");
      if (c.oracle() != null) {
        conversionRow(h, "", "oracle (true probabilities)", c.oracle(), perClick,
            "the generator's true click and conversion probabilities");
      }
      c.baselines().forEach((name, b) -> conversionRow(h, "", name.replace('_', ' '), b, perClick, b.description()));
      h.append("</tbody>\n</table>\n");
    }
  }

  private static void conversionRow(StringBuilder h, String cssClass, String name, EvaluationReport.ConversionScores s,
      boolean perClick, String description) {
    h.append(cssClass.isEmpty() ? "<tr>" : "<tr class=\"" + cssClass + "\">")
        .append("<td>").append(escape(name)).append("</td>")
        .append("<td class=\"v\">").append(fixed(perClick ? s.cvrAuc() : s.auc(), 4)).append("</td>")
        .append("<td class=\"v\">").append(fixed(perClick ? s.cvrLogloss() : s.logloss(), 5)).append("</td>")
        .append("<td class=\"v\">").append(fixed(perClick ? s.cvrEce() : s.ece(), 4)).append("</td>");
    differenceAndDescription(h, perClick ? s.cvrAucDifference() : s.aucDifference(), description);
  }

  private static void valueRow(StringBuilder h, String name, Number value) {
    h.append("<tr><td>").append(escape(name)).append("</td><td class=\"v\">").append(escape(display(value)))
        .append("</td></tr>\n");
  }

  private static String fixed(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : String.valueOf(v);
  }

  private static String signed(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%+.4f", v).replace("-", "&minus;") : String.valueOf(v);
  }

  /** Five significant digits, plain for ordinary magnitudes; integers as they are. */
  static String display(Number v) {
    if (!(v instanceof Double || v instanceof Float)) {
      return String.valueOf(v);
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d) || d == 0) return String.valueOf(d);
    double a = Math.abs(d);
    if (a >= 1e-4 && a < 1e9) {
      return new BigDecimal(d).round(new MathContext(5)).stripTrailingZeros().toPlainString();
    }
    return String.format(Locale.ROOT, "%.4e", d);
  }

  /** Escapes text for both element content and double- or single-quoted attribute values. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- JSON

  /** Copies with every nested map as a TreeMap of String keys, so JSON and HTML share one order. */
  private static Map<String, Object> sortedCopy(Map<?, ?> map) {
    Map<String, Object> out = new TreeMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (out.put(key, sortedValue(e.getValue())) != null) {
        throw new IllegalArgumentException("duplicate metric key after conversion to text: " + key);
      }
    }
    return out;
  }

  private static Object sortedValue(Object v) {
    if (v instanceof Map<?, ?> m) return sortedCopy(m);
    if (v instanceof Collection<?> c) return c.stream().map(ReportWriter::sortedValue).toList();
    return v;
  }
}
