package dev.bannerranker.loop.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.RowProblem;
import dev.bannerranker.data.UserProfile;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** Writes a joined log as the four input tables of {@code train --data}, plus {@code export_report.json}. */
public final class ExportWriter {
  private ExportWriter() {}

  public static final String REPORT_FILE = "export_report.json";

  public static void write(LogJoin.Joined j, Path out, Map<String, Object> header) throws IOException {
    Files.createDirectories(out);
    BannerCsv.write(out.resolve(CsvSchemas.BANNERS_FILE), j.banners());
    try (CSVPrinter p = open(out.resolve(CsvSchemas.USERS_FILE), CsvSchemas.USERS_HEADER)) {
      for (UserProfile u : j.users()) {
        p.printRecord(u.id(), u.gender().name(), u.ageBand(), u.cityTier());
      }
    }
    try (CSVPrinter p = open(out.resolve(CsvSchemas.EVENTS_FILE), CsvSchemas.EVENTS_HEADER)) {
      for (BehaviourEvent e : j.events()) {
        p.printRecord(e.userId(), Instant.ofEpochSecond(e.timestamp()), e.type().code(), e.brand(), e.category(),
            e.priceTier() == 0 ? "" : Integer.toString(e.priceTier()), decimal(e.dwellSeconds()));
      }
    }
    List<String> header2 = new ArrayList<>(CsvSchemas.IMPRESSIONS_HEADER);
    if (j.conversions()) {
      header2.add(CsvSchemas.CONVERTED);
    }
    header2.addAll(CsvSchemas.IMPRESSIONS_SERVING_COLUMNS);
    try (CSVPrinter p = open(out.resolve(CsvSchemas.IMPRESSIONS_FILE), header2)) {
      List<Object> cells = new ArrayList<>(header2.size());
      for (Impression i : j.impressions()) {
        cells.clear();
        Collections.addAll(cells, i.impressionId(), i.userId(), Instant.ofEpochSecond(i.timestamp()), i.bannerId(),
            i.placement(), i.slotPosition(), i.platform().code(), i.clicked() ? "1" : "0");
        if (j.conversions()) {
          cells.add(i.converted() ? "1" : "0");
        }
        cells.add(i.requestId());
        cells.add(Double.isNaN(i.propensity()) ? "" : decimal(i.propensity()));
        p.printRecord(cells);
      }
    }
    Map<String, Object> report = report(j, header);
    json().writeValue(out.resolve(REPORT_FILE).toFile(), report);
  }

  /** The report: the header (inputs and options), the counts of every rule, and the listed problems. */
  public static Map<String, Object> report(LogJoin.Joined j, Map<String, Object> header) {
    Map<String, Object> report = new LinkedHashMap<>(header);
    report.putAll(j.counts());
    report.put("bad_lines", strings(j.badLines()));
    report.put("torn_lines", strings(j.tornLines()));
    report.put("join_problems", strings(j.joinProblems()));
    return report;
  }

  static ObjectMapper json() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  private static List<String> strings(List<RowProblem> problems) {
    return problems.stream().limit(LogJoin.LISTED_PROBLEMS).map(RowProblem::toString).toList();
  }

  private static String decimal(float v) {
    return new BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
  }

  private static String decimal(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static CSVPrinter open(Path file, List<String> header) throws IOException {
    Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    return new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new))
        .setRecordSeparator('\n').get());
  }
}
