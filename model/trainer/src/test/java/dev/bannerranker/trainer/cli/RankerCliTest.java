package dev.bannerranker.trainer.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.testing.RandomBundles;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Exit codes and messages of the offline commands. */
class RankerCliTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private Run run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = RankerCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    try {
      return new Run(cl.execute(args), out.toString(), err.toString());
    } finally {
      System.setOut(old);
    }
  }

  @Test
  void tooManyMalformedRowsExitWithBadDataNamingFileAndLine() throws IOException {
    Path data = dir.resolve("w");
    new WorldGenerator(Scale.TINY, 3).generate(data, null);
    long lines = Files.lines(data.resolve("events.csv")).count();
    StringBuilder bad = new StringBuilder();
    for (int i = 0; i < lines / 50; i++) {
      bad.append("u-000001,not-a-time,view,X,Y,2,1\n");
    }
    Files.writeString(data.resolve("events.csv"), bad, StandardOpenOption.APPEND);
    Run r = run("train", "--data", data.toString(), "--out", dir.resolve("b").toString(), "--no-progress");
    assertEquals(RankerCli.EXIT_BAD_DATA, r.code(), r.err());
    assertTrue(r.err().contains("events.csv:" + (lines + 1) + ": timestamp is not an ISO-8601"), r.err());
    assertFalse(Files.exists(dir.resolve("b")), "no bundle is written from bad data");
  }

  @Test
  void corruptBundleExitsWithBadBundle() throws IOException {
    Path b = dir.resolve("bundle");
    BundleIO.write(RandomBundles.create(1, 12), b, false);
    Files.writeString(b.resolve(Bundle.BANNER_STATS), "banner_id,impressions,clicks\n", StandardOpenOption.APPEND);
    Run r = run("inspect", "--bundle", b.toString());
    assertEquals(RankerCli.EXIT_BAD_BUNDLE, r.code());
    assertTrue(r.err().contains("banner_stats.csv") && r.err().contains("checksum mismatch"), r.err());
  }

  @Test
  void inspectListsNearestBrandsAndRejectsUnknownOnes() throws IOException {
    Path b = dir.resolve("bundle");
    BundleIO.write(RandomBundles.create(1, 12), b, false);
    Run ok = run("inspect", "--bundle", b.toString(), "--nearest", "brand-1", "-k", "3");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("nearest brands to brand-1"), ok.out());
    assertEquals(3, ok.out().lines().filter(l -> l.matches("\\s+brand-\\d\\s+-?\\d\\.\\d{4}")).count(), ok.out());
    Run bad = run("inspect", "--bundle", b.toString(), "--nearest", "Nope");
    assertEquals(CommandLine.ExitCode.USAGE, bad.code());
    assertTrue(bad.err().contains("brand 'Nope' is not in this bundle"), bad.err());
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(CommandLine.ExitCode.USAGE, run("generate", "--out", dir.toString(), "--scale", "huge").code());
    assertEquals(CommandLine.ExitCode.USAGE, run("train", "--data", dir.toString()).code());
    assertEquals(CommandLine.ExitCode.USAGE, run("evaluate").code());
    assertEquals(CommandLine.ExitCode.USAGE, run("train", "--data", dir.toString(), "--out", dir.resolve("x").toString(),
        "--format", "parquet").code());
    assertEquals(0, run("train", "--help").code());
  }

  @Test
  void badWideSettingsAreUsageErrorsNamingTheOption() {
    String data = dir.toString();
    String out = dir.resolve("b").toString();
    Run unknown = run("train", "--data", data, "--out", out, "--wide-crosses", "campaign,colour x hour");
    assertEquals(CommandLine.ExitCode.USAGE, unknown.code());
    assertTrue(unknown.err().contains("--wide-crosses: unknown wide cross 'colour x hour'"), unknown.err());
    Run twice = run("train", "--data", data, "--out", out, "--wide-crosses", "campaign,campaign");
    assertEquals(CommandLine.ExitCode.USAGE, twice.code());
    assertTrue(twice.err().contains("--wide-crosses: a wide cross is listed twice"), twice.err());
    Run rate = run("train", "--data", data, "--out", out, "--wide-learning-rate", "-0.1");
    assertEquals(CommandLine.ExitCode.USAGE, rate.code());
    assertTrue(rate.err().contains("--wide-learning-rate must be >= 0"), rate.err());
    String help = RankerCli.commandLine().getSubcommands().get("train").getUsageMessage().replaceAll("\\s+", " ");
    assertTrue(help.contains("campaign, campaign x gender, campaign x age_band"), help);
  }

  @Test
  void missingDataDirectoryIsBadData() {
    Run r = run("train", "--data", dir.resolve("absent").toString(), "--out", dir.resolve("b").toString(), "--no-progress");
    assertEquals(RankerCli.EXIT_BAD_DATA, r.code());
    assertTrue(r.err().contains("absent: not a directory"), r.err());
  }
}
