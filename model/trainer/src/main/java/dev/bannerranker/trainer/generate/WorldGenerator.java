package dev.bannerranker.trainer.generate;

import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.Gender;
import dev.bannerranker.trainer.generate.Catalog.BannerDef;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.LongConsumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Generates the seedable demo world: a fashion store's banners, shoppers, their browsing events and the logged
 * banner impressions with clicks drawn from a known probability (written to impressions_truth.csv). The same
 * (scale, seed) always gives byte-identical files. See docs/demo-world.md for the model.
 */
public final class WorldGenerator {

  private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();
  private static final int WRITE_BUFFER_BYTES = 1 << 16;

  private final World world;

  public WorldGenerator(Scale scale, long seed) {
    if (scale == null) {
      throw new IllegalArgumentException("scale is required");
    }
    this.world = new World(scale, seed);
  }

  /** Names the world's scale and seed, so that tools can rebuild its shoppers (bin/ranker simulate). */
  public static final String WORLD_FILE = "world.json";

  /** Writes the six CSV files and {@value #WORLD_FILE} into outDir (created if missing). Returns counts. */
  public GenerationSummary generate(Path outDir, LongConsumer progress) throws IOException {
    Files.createDirectories(outDir);
    Files.writeString(outDir.resolve(WORLD_FILE),
        "{\"scale\": \"" + world.scale.code() + "\", \"seed\": " + world.seed + "}\n", StandardCharsets.UTF_8);
    writeBanners(outDir.resolve(CsvSchemas.BANNERS_FILE));
    writeUsers(outDir.resolve(CsvSchemas.USERS_FILE));
    try (CSVPrinter events = open(outDir.resolve(CsvSchemas.EVENTS_FILE), CsvSchemas.EVENTS_HEADER);
        CSVPrinter impressions = open(outDir.resolve(CsvSchemas.IMPRESSIONS_FILE), CsvSchemas.GENERATED_IMPRESSIONS_HEADER);
        CSVPrinter truth = open(outDir.resolve(CsvSchemas.TRUTH_FILE), CsvSchemas.TRUTH_HEADER);
        CSVPrinter conversionTruth = open(outDir.resolve(CsvSchemas.CONVERSION_TRUTH_FILE),
            CsvSchemas.CONVERSION_TRUTH_HEADER)) {
      return new Simulation(world, events, impressions, truth, conversionTruth, progress).run();
    }
  }

  /**
   * The number of impressions {@link #generate} will write (exact unless a page asks for more slots than there
   * are eligible banners, which the catalog makes very rare). Cheap; for progress-bar totals.
   */
  public long expectedImpressions() {
    return world.expectedImpressions();
  }

  public Scale scale() {
    return world.scale;
  }

  public long seed() {
    return world.seed;
  }

  /** The latent world, for tests in this package. */
  World world() {
    return world;
  }

  private static CSVPrinter open(Path file, List<String> header) throws IOException {
    Writer w = new BufferedWriter(
        new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), WRITE_BUFFER_BYTES);
    CSVPrinter printer = new CSVPrinter(w, FORMAT);
    printer.printRecord(header);
    return printer;
  }

  private void writeBanners(Path file) throws IOException {
    Catalog catalog = world.catalog;
    Fmt fmt = new Fmt();
    try (CSVPrinter out = open(file, CsvSchemas.BANNERS_HEADER)) {
      for (BannerDef b : catalog.banners) {
        out.printRecord(b.id, catalog.brands[b.brand].name, catalog.categories.get(b.category).name(),
            Catalog.PLACEMENTS[b.placement], Catalog.FORMATS[b.format], Catalog.COLORS[b.color],
            Integer.toString(b.discountPct), b.campaignId, Integer.toString(b.priceTier),
            fmt.timestamp(Timeline.epoch((long) b.startHour * Timeline.SECONDS_PER_HOUR)),
            fmt.timestamp(Timeline.epoch((long) b.endHour * Timeline.SECONDS_PER_HOUR)),
            Fmt.cents(b.bidCents), Integer.toString(b.priority),
            genders(b.genderMask), ageBands(b.ageMask), cityTiers(b.cityMask));
      }
    }
  }

  private void writeUsers(Path file) throws IOException {
    Population people = world.population;
    Gender[] genders = Gender.values();
    try (CSVPrinter out = open(file, CsvSchemas.USERS_HEADER)) {
      for (int u = 0; u < people.size; u++) {
        out.printRecord(Population.id(u), genders[people.gender[u]].name(),
            CsvSchemas.AGE_BANDS.get(people.ageBand[u]), Integer.toString(people.cityIndex[u] + 1));
      }
    }
  }

  private static String genders(int mask) {
    StringJoiner j = new StringJoiner(CsvSchemas.LIST_SEPARATOR);
    Gender[] all = Gender.values();
    for (int i = 0; i < Catalog.GENDERS; i++) {
      if ((mask >>> i & 1) != 0) {
        j.add(all[i].name());
      }
    }
    return j.toString();
  }

  private static String ageBands(int mask) {
    StringJoiner j = new StringJoiner(CsvSchemas.LIST_SEPARATOR);
    for (int i = 0; i < Catalog.AGE_BANDS; i++) {
      if ((mask >>> i & 1) != 0) {
        j.add(CsvSchemas.AGE_BANDS.get(i));
      }
    }
    return j.toString();
  }

  private static String cityTiers(int mask) {
    StringJoiner j = new StringJoiner(CsvSchemas.LIST_SEPARATOR);
    for (int i = 0; i < Catalog.CITY_TIERS; i++) {
      if ((mask >>> i & 1) != 0) {
        j.add(Integer.toString(i + 1));
      }
    }
    return j.toString();
  }
}
