package dev.bannerranker.loop.offpolicy;

import java.util.Locale;
import java.util.Map;

/** The off-policy report as one self-contained HTML page: a table and interval bars. */
final class OffPolicyHtml {
  private OffPolicyHtml() {}

  static String render(Map<String, Object> out, Estimators.Estimates est,
      java.util.List<Estimators.PositionEstimate> positions) {
    double max = 0;
    for (Estimators.Estimate e : new Estimators.Estimate[] {est.observed(), est.ips(), est.snips(), est.dr()}) {
      if (Double.isFinite(e.ciHigh())) {
        max = Math.max(max, e.ciHigh());
      }
    }
    max = max <= 0 ? 1 : max * 1.1;
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Off-policy estimate</title><style>")
        .append("body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}")
        .append("td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:right}td:first-child{text-align:left}")
        .append(".bar{position:relative;height:1em;width:24em;background:#f4f4f4}")
        .append(".ci{position:absolute;height:1em;background:#9ecae1}.pt{position:absolute;width:2px;height:1em;")
        .append("background:#08519c}</style></head><body>\n");
    h.append("<h1>Off-policy estimate of the top-slot click-through</h1>\n<p>Bundle <code>")
        .append(esc(String.valueOf(out.get("bundle")))).append("</code> (model version <code>")
        .append(esc(String.valueOf(out.get("model_version")))).append("</code>), evaluated on the logs in <code>")
        .append(esc(String.valueOf(out.get("logs")))).append("</code>. Target policy: ")
        .append(esc(String.valueOf(out.get("target_policy")))).append(".</p>\n");
    h.append("<table><tr><th>estimator</th><th>CTR</th><th>95% interval</th><th>ESS</th><th></th></tr>\n");
    row(h, "logging policy (observed)", est.observed(), max);
    row(h, "IPS", est.ips(), max);
    row(h, "self-normalised IPS", est.snips(), max);
    row(h, "doubly robust", est.dr(), max);
    h.append("</table>\n<p>").append(est.requests()).append(" requests. Counts: ")
        .append(esc(String.valueOf(out.get("counts")))).append("</p>\n");
    if (!positions.isEmpty()) {
      h.append("<h2>Per position</h2>\n<p>Assumption: ").append(esc(String.valueOf(out.get("position_model"))))
          .append(". An estimate below position 1 holds only as far as the assumption does.</p>\n")
          .append("<table><tr><th>position</th><th>requests</th><th>examination</th><th>logged CTR</th>")
          .append("<th>IPS</th><th>SNIPS</th><th>DR</th><th>ESS</th></tr>\n");
      for (Estimators.PositionEstimate pe : positions) {
        h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
            + "<td>%s</td><td>%.1f</td></tr>%n", pe.position(), pe.requests(), cell(pe.examination(), "%.3f"),
            cell(pe.observed(), "%.5f"), cell(pe.ips(), "%.5f"), cell(pe.snips(), "%.5f"), cell(pe.dr(), "%.5f"),
            pe.ips().ess()));
      }
      h.append("</table>\n");
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void row(StringBuilder h, String name, Estimators.Estimate e, double max) {
    double lo = Double.isFinite(e.ciLow()) ? e.ciLow() : 0;
    double hi = Double.isFinite(e.ciHigh()) ? e.ciHigh() : 0;
    double v = Double.isFinite(e.value()) ? e.value() : 0;
    h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.5f</td><td>[%.5f, %.5f]</td><td>%.1f</td>"
        + "<td><div class=\"bar\"><div class=\"ci\" style=\"left:%.2f%%;width:%.2f%%\"></div>"
        + "<div class=\"pt\" style=\"left:%.2f%%\"></div></div></td></tr>%n", name, e.value(), e.ciLow(), e.ciHigh(),
        e.ess(), 100 * lo / max, 100 * (hi - lo) / max, 100 * v / max));
  }

  /** A value and its 95 % interval in one cell. */
  private static String cell(Estimators.Estimate e, String format) {
    return String.format(Locale.ROOT, format + " [" + format + ", " + format + "]", e.value(), e.ciLow(), e.ciHigh());
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
