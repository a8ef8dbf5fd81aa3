package dev.bannerranker.serving.cli;

import static dev.bannerranker.serving.cli.ServingCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.cli.ExitCodes;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.catalog.CatalogService;
import dev.bannerranker.serving.cli.ServingCliTest.Run;
import dev.bannerranker.serving.grpc.AdminListener;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code catalog import|export} against a running service: all or nothing, bad rows by file and line. */
@Timeout(120)
class CatalogCommandTest {
  private static final String ADMIN = "catalog-cli-secret";

  @TempDir Path dir;
  private ApplicationContext ctx;
  private String target;

  @BeforeEach
  void start() {
    ctx = ApplicationContext.run(Map.of("ranker.security.admin-token", ADMIN), "test");
    target = "localhost:" + ctx.getBean(AdminListener.class).port();
  }

  @AfterEach
  void stop() {
    ctx.close();
  }

  private long version() {
    return ctx.getBean(CatalogService.class).current().version();
  }

  /** The tiny bundle's banners.csv with the first banner's bid raised and one new banner. */
  private Path edited(String newRow) throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(TestBundles.TINY.resolve("banners.csv")));
    String[] first = lines.get(1).split(",", -1);
    first[11] = "9.5";
    lines.set(1, String.join(",", first));
    lines.add(newRow);
    return Files.write(dir.resolve("banners.csv"), lines);
  }

  @Test
  void importThenExportRoundTrips() throws Exception {
    Path csv = edited("bn-cli-1,Nornor,jeans,home_hero,image,vivid,5,cmp-cli,2,2026-03-01T00:00:00Z,"
        + "2026-04-01T00:00:00Z,1.25,0,F|U,,1|2");
    Run imported = run("catalog", "import", "--target", target, "--csv", csv.toString(), "--token", ADMIN);
    assertEquals(0, imported.code(), imported.err());
    assertEquals(2, version());
    assertEquals(9.5, ctx.getBean(CatalogService.class).banner("bn-00001").banner().bid());

    Path out = dir.resolve("export.csv");
    Run exported = run("catalog", "export", "--target", target, "--out", out.toString(), "--token", ADMIN,
        "--page-size", "40");
    assertEquals(0, exported.code(), exported.err());
    List<String> lines = Files.readAllLines(out);
    assertEquals(TestBundles.tiny().catalog().size() + 2, lines.size());
    assertTrue(lines.get(0).endsWith(",paused"));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("bn-cli-1,Nornor") && l.endsWith(",0")), lines.toString());
    // The export imports again as it is, changing nothing but the version.
    assertEquals(0, run("catalog", "import", "--target", target, "--csv", out.toString(), "--token", ADMIN).code());
    assertEquals(3, version());
  }

  @Test
  void bidsPerConversionImportExportAndImportAgain() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(TestBundles.TINY.resolve("banners.csv")));
    lines.set(0, lines.get(0) + ",bid_per_conversion,paused");
    for (int i = 1; i < lines.size(); i++) {
      lines.set(i, lines.get(i) + (i == 1 ? ",7.5,1" : ",,0"));
    }
    Path csv = Files.write(dir.resolve("banners.csv"), lines);
    Run imported = run("catalog", "import", "--target", target, "--csv", csv.toString(), "--token", ADMIN);
    assertEquals(0, imported.code(), imported.err());
    CatalogService catalog = ctx.getBean(CatalogService.class);
    assertEquals(7.5, catalog.banner("bn-00001").banner().bidPerConversion());
    assertTrue(catalog.banner("bn-00001").paused());
    assertFalse(catalog.banner("bn-00002").banner().hasBidPerConversion());

    Path out = dir.resolve("export.csv");
    assertEquals(0, run("catalog", "export", "--target", target, "--out", out.toString(), "--token", ADMIN).code());
    List<String> exported = Files.readAllLines(out);
    assertTrue(exported.get(0).endsWith(",target_city_tiers,bid_per_conversion,paused"), exported.get(0));
    assertTrue(exported.stream().anyMatch(l -> l.startsWith("bn-00001,") && l.endsWith(",7.5,1")), exported.toString());
    assertTrue(exported.stream().anyMatch(l -> l.startsWith("bn-00002,") && l.endsWith(",,0")), exported.toString());

    // The export read again gives the same catalog.
    var before = catalog.current().banners();
    assertEquals(0, run("catalog", "import", "--target", target, "--csv", out.toString(), "--token", ADMIN).code());
    assertEquals(3, version());
    assertEquals(before, catalog.current().banners());

    // A bad bid per conversion names the file, line and column, and nothing is sent.
    lines.set(2, lines.get(2).replaceAll(",,0$", ",-3,0"));
    Files.write(csv, lines);
    Run bad = run("catalog", "import", "--target", target, "--csv", csv.toString(), "--token", ADMIN);
    assertEquals(ExitCodes.BAD_DATA, bad.code(), bad.err());
    assertTrue(bad.err().contains("banners.csv:3:"), bad.err());
    assertTrue(bad.err().contains("bid_per_conversion"), bad.err());
    assertEquals(3, version());
  }

  @Test
  void aBadRowNamesFileAndLineAndNothingIsApplied() throws Exception {
    Path csv = edited("bn-cli-2,Nornor,jeans,home_hero,image,vivid,5,cmp-cli,7,2026-03-01T00:00:00Z,"
        + "2026-04-01T00:00:00Z,1.25,0,,,");
    Run r = run("catalog", "import", "--target", target, "--csv", csv.toString(), "--token", ADMIN);
    assertEquals(ExitCodes.BAD_DATA, r.code(), r.err());
    int line = TestBundles.tiny().catalog().size() + 2;
    assertTrue(r.err().contains("banners.csv:" + line + ":"), r.err());
    assertTrue(r.err().contains("price_tier"), r.err());
    assertEquals(1, version(), "nothing was sent");
    assertEquals(1.14, ctx.getBean(CatalogService.class).banner("bn-00001").banner().bid());
  }

  @Test
  void aCellOverTheServiceLimitIsABadRowToo() throws Exception {
    Path csv = edited("bn-cli-4," + "N".repeat(300) + ",jeans,home_hero,image,vivid,5,cmp-cli,2,"
        + "2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,1.25,0,,,");
    Run r = run("catalog", "import", "--target", target, "--csv", csv.toString(), "--token", ADMIN);
    assertEquals(ExitCodes.BAD_DATA, r.code(), r.err());
    assertTrue(r.err().contains("banners.csv:" + (TestBundles.tiny().catalog().size() + 2) + ":"), r.err());
    assertTrue(r.err().contains("brand"), r.err());
    assertEquals(1, version());
  }

  @Test
  void withoutTheAdminTokenTheServiceRefuses() throws Exception {
    Path csv = edited("bn-cli-3,Nornor,jeans,home_hero,image,vivid,5,cmp-cli,2,2026-03-01T00:00:00Z,"
        + "2026-04-01T00:00:00Z,1.25,0,,,");
    Run r = run("catalog", "import", "--target", target, "--csv", csv.toString(), "--token", "");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("UNAUTHENTICATED"), r.err());
    assertEquals(1, version());
  }
}
