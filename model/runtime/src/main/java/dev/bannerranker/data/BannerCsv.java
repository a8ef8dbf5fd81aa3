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

  public static void write(Path file, List<Banner> banners) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(CsvSchemas.BANNERS_HEADER.toArray(String[]::new))
        .setRecordSeparator('\n').get();
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8); CSVPrinter p = new CSVPrinter(w, format)) {
      for (Banner b : banners) {
        p.printRecord(b.id(), b.brand(), b.category(), b.placement(), b.creativeFormat(), b.creativeColor(),
            b.discountPct(), b.campaignId(), b.priceTier(), Instant.ofEpochSecond(b.startTime()),
            Instant.ofEpochSecond(b.endTime()), b.bid(), b.priority(), join(b.targetGenders()),
            join(b.targetAgeBands()), join(b.targetCityTiers()));
      }
    }
  }

  private static String join(Collection<?> values) {
    return values.stream().map(String::valueOf).sorted().collect(Collectors.joining(CsvSchemas.LIST_SEPARATOR));
  }
}
