package dev.bannerranker.data;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** Writes {@code banners.csv} in the input format, so a bundle carries the catalog it was trained with. */
public final class BannerCsv {
  private BannerCsv() {}

  /** With a {@link CsvSchemas#BID_PER_CONVERSION} column when some banner bids per conversion, else without. */
  public static void write(Path file, List<Banner> banners) throws IOException {
    boolean cpa = banners.stream().anyMatch(Banner::hasBidPerConversion);
    List<String> header = new java.util.ArrayList<>(CsvSchemas.BANNERS_HEADER);
    if (cpa) {
      header.add(CsvSchemas.BID_PER_CONVERSION);
    }
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new))
        .setRecordSeparator('\n').get();
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8); CSVPrinter p = new CSVPrinter(w, format)) {
      for (Banner b : banners) {
        List<String> cells = new java.util.ArrayList<>(cells(b));
        if (cpa) {
          cells.add(bidPerConversionCell(b));
        }
        p.printRecord(cells);
      }
    }
  }

  /** The banner's cells in {@link CsvSchemas#BANNERS_HEADER} order, as the file holds them. */
  public static List<String> cells(Banner b) {
    return List.of(b.id(), b.brand(), b.category(), b.placement(), b.creativeFormat(), b.creativeColor(),
        Integer.toString(b.discountPct()), b.campaignId(), Integer.toString(b.priceTier()),
        Instant.ofEpochSecond(b.startTime()).toString(), Instant.ofEpochSecond(b.endTime()).toString(),
        Double.toString(b.bid()), Integer.toString(b.priority()), join(b.targetGenders()),
        join(b.targetAgeBands()), join(b.targetCityTiers()));
  }

  /** The {@link CsvSchemas#BID_PER_CONVERSION} cell: the bid, or empty when the banner bids per click only. */
  public static String bidPerConversionCell(Banner b) {
    return b.hasBidPerConversion() ? Double.toString(b.bidPerConversion()) : "";
  }

  /** The banner's cells by column name, in {@link CsvSchemas#BANNERS_COLUMNS} order. */
  public static java.util.Map<String, String> cellMap(Banner b) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    List<String> cells = cells(b);
    for (int i = 0; i < cells.size(); i++) {
      out.put(CsvSchemas.BANNERS_HEADER.get(i), cells.get(i));
    }
    out.put(CsvSchemas.BID_PER_CONVERSION, bidPerConversionCell(b));
    return out;
  }

  /**
   * A banner from cells by column name ({@link CsvSchemas#BANNERS_COLUMNS}; a missing optional one is empty), by the
   * rules of a {@code banners.csv} row; see {@link BadCellException}.
   */
  public static Banner parse(java.util.Map<String, String> cells) {
    return EventLogReader.parseBanner(CsvTable.Row.of(CsvSchemas.BANNERS_COLUMNS, cells));
  }

  private static String join(Collection<?> values) {
    return values.stream().map(String::valueOf).sorted().collect(Collectors.joining(CsvSchemas.LIST_SEPARATOR));
  }
}
