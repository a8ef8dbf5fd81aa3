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
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    CommandLine cl = RankerCli.commandLine(); // after the swap: picocli's help goes to System.out as it finds it
    cl.setErr(new PrintWriter(err, true));
    try {
      return new Run(cl.execute(args), out.toString(), err.toString());
    } finally {
      System.setOut(old);
    }
  }

  /** --version reports the build's project version and commit, the ones a bundle's provenance records. */
  @Test
  void versionIsTheBuilds() {
    StringWriter out = new StringWriter();
    assertEquals(0, RankerCli.commandLine().setOut(new PrintWriter(out, true)).execute("--version"));
    assertTrue(out.toString().contains(dev.bannerranker.BuildInfo.current().version())
        && out.toString().contains(dev.bannerranker.BuildInfo.current().commit()), out.toString());
  }

  /** The success path through the real command line, with small settings so that it stays quick. */
  @Test
  void generateTrainEvaluateAndInspectSucceed() throws IOException {
    Path data = dir.resolve("world");
    Path bundle = dir.resolve("bundle");
    Path report = dir.resolve("report");
    Run gen = run("generate", "--out", data.toString(), "--scale", "tiny", "--seed", "5", "--no-progress");
    assertEquals(0, gen.code(), gen.err());
    Run train = run("train", "--data", data.toString(), "--out", bundle.toString(), "--dim", "16", "--i2v-epochs", "2",
        "--hidden", "16,8", "--epochs", "2", "--batch-size", "512", "--wide-buckets-log2", "12", "--fold-in-dim", "4",
        "--no-progress");
    assertEquals(0, train.code(), train.err());
    assertTrue(Files.isRegularFile(bundle.resolve("manifest.json")), "manifest.json");
    Run eval = run("evaluate", "--data", data.toString(), "--bundle", bundle.toString(), "--report", report.toString(),
        "--no-progress");
    assertEquals(0, eval.code(), eval.err());
    var json = BundleIO.json().readTree(report.resolve("report.json").toFile());
    for (String key : new String[] {"auc", "logloss", "ece", "ndcg_at_5", "oracle_auc"}) {
      assertTrue(json.path(key).isNumber(), key + " in " + json);
    }
    for (String b : new String[] {"popularity", "wide_only", "deep_only", "item2vec_cosine"}) {
      assertTrue(json.path("baselines").path(b).path("auc").isNumber(), b + " in " + json.get("baselines"));
    }
    assertFalse(json.has("against"), "no comparison without --against");
    try (var scores = Files.lines(report.resolve("scores.csv"))) {
      assertEquals(json.get("test_rows").asLong() + 1, scores.count());
    }
    // the same model against its own scores: the same rows, no difference
    Path again = dir.resolve("report-again");
    Run against = run("evaluate", "--data", data.toString(), "--bundle", bundle.toString(), "--report",
        again.toString(), "--against", report.toString(), "--no-progress");
    assertEquals(0, against.code(), against.err());
    var d = BundleIO.json().readTree(again.resolve("report.json").toFile()).path("against").path("auc_difference");
    assertEquals(0.0, d.path("estimate").asDouble(-1), d.toString());
    assertEquals(0.0, d.path("ci95_high").asDouble(-1), d.toString());
    // a directory without scores.csv
    assertEquals(dev.bannerranker.cli.ExitCodes.BAD_DATA, run("evaluate", "--data", data.toString(), "--bundle",
        bundle.toString(), "--report", dir.resolve("report-none").toString(), "--against", dir.toString(),
        "--no-progress").code());

    String brand = BundleIO.load(bundle).vocab().brands().valueAt(1);
    Run inspect = run("inspect", "--bundle", bundle.toString(), "--nearest", brand, "-k", "4");
    assertEquals(0, inspect.code(), inspect.err());
    java.util.List<String> lines = inspect.out().lines().toList();
    // The training-time metrics are a table, a row per split with its rows, AUC and logloss, not a Java map.
    assertFalse(inspect.out().contains("{"), inspect.out());
    for (String split : new String[] {"validation", "test"}) {
      assertEquals(1, lines.stream().filter(l -> l.matches("\\s+" + split + "\\s+[\\d,]+\\s+0\\.\\d{4}\\s+\\d\\.\\d{5}"))
          .count(), inspect.out());
    }
    int header = lines.indexOf("nearest brands to " + brand + ":");
    assertTrue(header >= 0, inspect.out());
    java.util.List<String> neighbours = lines.subList(header + 1, lines.size());
    assertEquals(4, neighbours.size(), inspect.out());
    double previous = Double.POSITIVE_INFINITY;
    for (String line : neighbours) {
      var m = java.util.regex.Pattern.compile("  (.+?) +(-?\\d\\.\\d{4})").matcher(line);
      assertTrue(m.matches(), line);
      assertNotEquals(brand, m.group(1).strip(), "a brand is not its own neighbour");
      double similarity = Double.parseDouble(m.group(2));
      assertTrue(similarity <= previous && similarity >= -1 && similarity <= 1, inspect.out());
      previous = similarity;
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
    // The message lists the first rows; the file it names holds every one of them.
    var named = java.util.regex.Pattern.compile("every malformed row found is listed in (\\S+)").matcher(r.err());
    assertTrue(named.find(), r.err());
    Path problems = Path.of(named.group(1));
    try {
      java.util.List<String> rows = Files.readAllLines(problems);
      assertEquals("file,line,reason", rows.get(0));
      assertEquals(lines / 50, rows.size() - 1);
      assertTrue(rows.get(rows.size() - 1).startsWith("events.csv," + (lines + lines / 50) + ","), rows.get(rows.size() - 1));
    } finally {
      Files.deleteIfExists(problems);
    }
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

  /** A brand too rare for item2vec has a zero vector: its "neighbours" would all be 0 and mean nothing. */
  @Test
  void inspectRefusesABrandWithoutAVector() throws IOException {
    Bundle bundle = RandomBundles.create(1, 12);
    java.util.Arrays.fill(bundle.vectors().brand(bundle.vocab().brands().indexOf("brand-2")), 0f); // the array itself
    Path b = dir.resolve("bundle");
    BundleIO.write(bundle, b, false);
    Run r = run("inspect", "--bundle", b.toString(), "--nearest", "brand-2");
    assertEquals(CommandLine.ExitCode.USAGE, r.code(), r.out());
    assertTrue(r.err().contains("brand 'brand-2' has no item2vec vector"), r.err());
  }

  /** Each train adds the next version to a models root; none is ever replaced. */
  @Test
  void trainAddsVersionsToAModelsRoot() throws IOException {
    Path data = dir.resolve("world");
    Path root = dir.resolve("models");
    assertEquals(0, run("generate", "--out", data.toString(), "--scale", "tiny", "--seed", "5", "--no-progress").code());
    String[] small = {"--dim", "8", "--i2v-epochs", "1", "--hidden", "8", "--epochs", "1", "--batch-size", "1024",
        "--wide-buckets-log2", "10", "--fold-in-dim", "0", "--taste-brands", "0", "--no-progress"};
    Files.createDirectories(root.resolve("7.tmp")); // not a version: ignored
    for (int i = 0; i < 2; i++) {
      String[] args = new String[small.length + 5];
      System.arraycopy(new String[] {"train", "--data", data.toString(), "--models-root", root.toString()}, 0, args, 0, 5);
      System.arraycopy(small, 0, args, 5, small.length);
      Run r = run(args);
      assertEquals(0, r.code(), r.err());
    }
    assertEquals(java.util.List.of(1L, 2L), dev.bannerranker.bundle.ModelsRoot.versions(root));
    byte[] first = Files.readAllBytes(root.resolve("1").resolve("manifest.json"));
    BundleIO.load(root.resolve("2"));
    // An existing version directory, even one that holds no valid bundle, is never written over: the next is 4.
    Files.createDirectories(root.resolve("3"));
    Files.writeString(root.resolve("3").resolve("manifest.json"), "{}");
    String[] args = new String[small.length + 5];
    System.arraycopy(new String[] {"train", "--data", data.toString(), "--models-root", root.toString()}, 0, args, 0, 5);
    System.arraycopy(small, 0, args, 5, small.length);
    assertEquals(0, run(args).code());
    assertEquals(java.util.List.of(1L, 2L, 3L, 4L), dev.bannerranker.bundle.ModelsRoot.versions(root));
    assertEquals("{}", Files.readString(root.resolve("3").resolve("manifest.json")));
    assertArrayEquals(first, Files.readAllBytes(root.resolve("1").resolve("manifest.json")));

    assertEquals(CommandLine.ExitCode.USAGE, run("train", "--data", data.toString(), "--models-root", root.toString(),
        "--out", dir.resolve("x").toString()).code());
    assertEquals(CommandLine.ExitCode.USAGE, run("train", "--data", data.toString(), "--models-root", root.toString(),
        "--force").code());
  }

  /** --sequence-attention takes on or off; on needs the rows held in memory, so with --rows it is a usage error. */
  @Test
  void sequenceAttentionIsOnOrOffAndNotWithRowShards() {
    Path rows = dir.resolve("rows");
    Run withRows = run("train", "--data", dir.toString(), "--out", dir.resolve("x").toString(), "--rows",
        rows.toString(), "--sequence-attention", "on");
    assertEquals(CommandLine.ExitCode.USAGE, withRows.code(), withRows.err());
    assertTrue(withRows.err().contains("--sequence-attention") && withRows.err().contains("--rows"), withRows.err());
    assertFalse(Files.exists(rows), "refused before the rows directory is made");
    Run bad = run("train", "--data", dir.toString(), "--out", dir.resolve("x").toString(), "--sequence-attention",
        "yes");
    assertEquals(CommandLine.ExitCode.USAGE, bad.code(), bad.err());
    assertTrue(bad.err().contains("--sequence-attention"), bad.err());
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(CommandLine.ExitCode.USAGE, run("generate", "--out", dir.toString(), "--scale", "huge").code());
    assertEquals(CommandLine.ExitCode.USAGE, run("train", "--data", dir.toString()).code());
    assertEquals(CommandLine.ExitCode.USAGE, run("evaluate").code());
    assertEquals(CommandLine.ExitCode.USAGE, run("train", "--data", dir.toString(), "--out", dir.resolve("x").toString(),
        "--format", "parquet").code());
    // A rate outside (0, 1] is refused before the rows directory is made.
    Run badRate = run("train", "--data", dir.toString(), "--out", dir.resolve("x").toString(), "--rows",
        dir.resolve("rows").toString(), "--streaming", "--negative-rate", "0");
    assertEquals(CommandLine.ExitCode.USAGE, badRate.code(), badRate.err());
    assertTrue(badRate.err().contains("--negative-rate"), badRate.err());
    assertFalse(java.nio.file.Files.exists(dir.resolve("rows")));
    Run objective = run("train", "--data", dir.toString(), "--out", dir.resolve("x").toString(), "--objective",
        "conversions");
    assertEquals(CommandLine.ExitCode.USAGE, objective.code(), objective.err());
    assertTrue(objective.err().contains("--objective"), objective.err());
    Run conversionRows = run("train", "--data", dir.toString(), "--out", dir.resolve("x").toString(), "--objective",
        "click+conversion", "--rows", dir.resolve("rows").toString());
    assertEquals(CommandLine.ExitCode.USAGE, conversionRows.code(), conversionRows.err());
    assertTrue(conversionRows.err().contains("--objective") && conversionRows.err().contains("--rows"),
        conversionRows.err());
    assertEquals(0, run("train", "--help").code());
  }

  @Test
  void badTrainingSettingsAreUsageErrorsNamingTheOption() {
    assertTrainUsageError("--wide-crosses: unknown wide cross 'colour x hour'", "--wide-crosses", "campaign,colour x hour");
    assertTrainUsageError("--wide-crosses: a wide cross is listed twice", "--wide-crosses", "campaign,campaign");
    assertTrainUsageError("--wide-learning-rate must be >= 0", "--wide-learning-rate", "-0.1");
    assertTrainUsageError("--weight-average-decay must be in [0, 1), got 1.0", "--weight-average-decay", "1");
    assertTrainUsageError("--validations-per-epoch must be >= 1, got 0", "--validations-per-epoch", "0");
    assertTrainUsageError("--patience must be >= 0, got -1.0", "--patience", "-1");
    assertTrainUsageError("--l2-wide must be >= 0", "--l2-wide", "-1e-4");
    // These ranges are the network config's own checks, reported under the option's name.
    assertTrainUsageError("--batch-size must be >= 1, got 0", "--batch-size", "0");
    assertTrainUsageError("--epochs must be >= 1, got 0", "--epochs", "0");
    assertTrainUsageError("--learning-rate must be > 0, got 0.0", "--learning-rate", "0");
    assertTrainUsageError("--hidden sizes must be positive, got [64, 0]", "--hidden", "64,0");
    assertTrainUsageError("--embedding-dims sizes must be positive, got {", "--embedding-dims", "brand=0");
    assertTrainUsageError("--embedding-dims: unknown field 'colour'", "--embedding-dims", "colour=3");
    var fields = java.util.Arrays.stream(dev.bannerranker.trainer.widedeep.WideDeepConfig.class.getRecordComponents())
        .map(java.lang.reflect.RecordComponent::getName).toList();
    assertTrue(fields.containsAll(TrainCommand.OPTION_OF_FIELD.keySet()), "fields " + fields);
    String help = RankerCli.commandLine().getSubcommands().get("train").getUsageMessage().replaceAll("\\s+", " ");
    assertTrue(help.contains("campaign, campaign x gender, campaign x age_band"), help);
  }

  /** {@code train} with {@code option value} exits with the usage code and a message containing {@code expected}. */
  private void assertTrainUsageError(String expected, String option, String value) {
    Run r = run("train", "--data", dir.toString(), "--out", dir.resolve("b").toString(), option, value);
    assertEquals(CommandLine.ExitCode.USAGE, r.code(), r.err());
    assertTrue(r.err().contains(expected), r.err());
  }

  @Test
  void missingDataDirectoryIsBadData() {
    Run r = run("train", "--data", dir.resolve("absent").toString(), "--out", dir.resolve("b").toString(), "--no-progress");
    assertEquals(RankerCli.EXIT_BAD_DATA, r.code());
    assertTrue(r.err().contains("absent: not a directory"), r.err());
  }

  @Test
  void generateRefusesANonEmptyDirectoryUnlessForced() throws IOException {
    Path world = dir.resolve("world");
    Files.createDirectories(world);
    Path note = Files.writeString(world.resolve("notes.txt"), "keep me");
    Run refused = run("generate", "--out", world.toString(), "--scale", "tiny", "--no-progress");
    assertEquals(CommandLine.ExitCode.USAGE, refused.code(), refused.err());
    assertTrue(refused.err().contains(world.toString()), refused.err());
    assertFalse(Files.exists(world.resolve("impressions.csv")), "nothing is written");
    Run forced = run("generate", "--out", world.toString(), "--scale", "tiny", "--no-progress", "--force");
    assertEquals(0, forced.code(), forced.err());
    assertTrue(Files.isRegularFile(world.resolve("impressions.csv")));
    assertEquals("keep me", Files.readString(note), "--force replaces only the world's files");
  }

  @CommandLine.Command(name = "oom")
  static final class OutOfMemory implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Option(names = "--wrapped") boolean wrapped;

    @Override
    public Integer call() {
      OutOfMemoryError e = new OutOfMemoryError("Java heap space");
      // a background task's failure arrives wrapped, as Background.await rethrows it
      if (wrapped) {
        throw new IllegalStateException("reading failed", e);
      }
      throw e;
    }
  }

  @Test
  void runningOutOfMemorySaysWhatToDoWithoutAStackTrace() {
    for (String[] args : new String[][] {{}, {"--wrapped"}}) {
      StringWriter err = new StringWriter();
      CommandLine cl = RankerCli.withExitCodes(new CommandLine(new OutOfMemory())).setErr(new PrintWriter(err, true));
      assertEquals(dev.bannerranker.cli.ExitCodes.UNEXPECTED, RankerCli.execute(cl, args), err.toString());
      assertTrue(err.toString().contains("RANKER_JAVA_OPTS"), err.toString());
      assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
    }
  }

  /** The real entry point in a JVM whose heap cannot hold even the tiny world. */
  @Test
  void trainInATooSmallHeapExitsWithTheMessage() throws Exception {
    Path data = dir.resolve("w");
    new WorldGenerator(Scale.TINY, 3).generate(data, null);
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    // its temporary files go in this test's directory: out of memory, the JVM may fail to delete them
    Process p = new ProcessBuilder(javaBin, "-Xmx20m", "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"),
        RankerCli.class.getName(), "train", "--data", data.toString(), "--out", dir.resolve("b").toString(),
        "--no-progress")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the child JVM ends");
      assertEquals(dev.bannerranker.cli.ExitCodes.UNEXPECTED, p.exitValue(), err);
      assertTrue(err.contains("RANKER_JAVA_OPTS"), err);
      assertFalse(err.contains("\tat "), "no stack trace: " + err);
    } finally {
      p.destroyForcibly();
    }
  }
}
