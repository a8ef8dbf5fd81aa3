package dev.bannerranker.spark;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.item2vec.SessionBuilder;
import dev.bannerranker.trainer.pipeline.DataFormat;
import dev.bannerranker.trainer.pipeline.RowsContext;
import dev.bannerranker.trainer.pipeline.TrainOptions;
import dev.bannerranker.trainer.pipeline.TrainingPipeline;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Spark job in {@code local[2]} inside the test JVM, on the tiny world, against the single-machine sweep. */
class SparkRowsTest {
  static Path root;
  static TrainingPipeline.Outcome trained;
  static SparkRows.Result result;
  static TrainOptions options;

  @BeforeAll
  static void trainAndRunTheJob() throws IOException {
    root = Files.createTempDirectory("banner-ranker-spark-test");
    Path data = root.resolve("tiny");
    new WorldGenerator(Scale.TINY, 5).generate(data, null);
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    // Small settings: the rows need a bundle's vectors and split, not a good model.
    TrainOptions o = new TrainOptions(data, DataFormat.OWN, root.resolve("bundle"), true, 0.01,
        new Item2VecConfig(16, 5, 5, 1, 2, 1e-3, 0.025, 30, 1, 7),
        new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(8), WideDeepConfig.defaultEmbeddingDims(), 1024,
            1, 1, 1, 2e-3, 0.05, 1e-5, 0, 7),
        168, 50, 3, 12, 6, 4, 1, 1, 0.1, 0.1, false, 4, FeatureEncoder.WIDE_CROSSES, 1.0);
    options = o;
    trained = TrainingPipeline.run(o, quiet, quiet);
    SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("spark-rows-test")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      result = SparkRows.run(sc, data, root.resolve("bundle"), root.resolve("shards"), 3);
    }
  }

  @AfterAll
  static void cleanUp() {
    if (root != null) {
      BundleIO.deleteTree(root);
    }
  }

  @Test
  void rowsEqualTheSingleMachineSweepRowByRow() throws IOException {
    ImpressionDataset want = trained.dataset();
    assertEquals(3, RowShards.files(root.resolve("shards")).size(), "one shard per partition");
    ImpressionDataset got = RowShards.readAll(root.resolve("shards"));
    assertEquals(want.size, got.size);
    assertEquals(want.size, result.rows());
    for (int i = 0; i < want.size; i++) {
      String row = "row " + i;
      assertEquals(want.time[i], got.time[i], row);
      assertEquals(want.userIdx[i], got.userIdx[i], row);
      assertEquals(want.bannerIdx[i], got.bannerIdx[i], row);
      assertEquals(want.slot[i], got.slot[i], row);
      assertEquals(want.part[i], got.part[i], row);
      assertEquals(want.clicked[i], got.clicked[i], row);
      assertEquals(Float.floatToIntBits(want.trueCtr[i]), Float.floatToIntBits(got.trueCtr[i]), row);
    }
    assertArrayEquals(want.userVector, got.userVector);
    assertArrayEquals(want.userScalars, got.userScalars);
    assertArrayEquals(want.userCats, got.userCats);
    assertArrayEquals(want.bannerScalars, got.bannerScalars);
    assertArrayEquals(want.crossScalars, got.crossScalars);
    assertArrayEquals(want.tasteBrands, got.tasteBrands);
    assertArrayEquals(want.wide, got.wide);
    assertTrue(Float.isFinite(got.trueCtr[0]), "the truth file was joined");
  }

  @Test
  void sessionsAreTheSingleMachineOnesInAnotherOrder() throws IOException {
    var log = dev.bannerranker.data.EventLogReader.read(root.resolve("tiny"), 0.01);
    var split = trained.bundle().manifest().training().split();
    List<String> want = new ArrayList<>();
    SessionBuilder.sessions(log, split.testStartSecond(), 30).forEach(s -> want.add(String.join(" ", s)));
    List<String> got = new ArrayList<>();
    try (Stream<Path> files = Files.list(root.resolve("shards"))) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("sessions-")).toList()) {
        got.addAll(Files.readAllLines(f));
      }
    }
    assertEquals(want.size(), result.sessions());
    want.sort(null);
    got.sort(null);
    assertEquals(want, got);
  }

  @Test
  void trainReadsTheJobsShardsWithTheModelContextSavedBesideThem() throws IOException {
    assertTrue(RowsContext.present(root.resolve("shards")));
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    TrainingPipeline.Outcome fromShards = TrainingPipeline.run(options.withRows(root.resolve("shards"))
        .withOut(root.resolve("bundle-from-spark")), quiet, quiet);
    assertEquals(trained.metrics().rows(), fromShards.metrics().rows());
    assertEquals(trained.bundle().manifest().dataFingerprint(), fromShards.bundle().manifest().dataFingerprint());
    assertArrayEquals(trained.bundle().vectors().brand(1), fromShards.bundle().vectors().brand(1));
    assertTrue(fromShards.metrics().test().auc() > 0.6, "test AUC " + fromShards.metrics().test().auc());
    BundleIO.load(root.resolve("bundle-from-spark"));

    // Options describing other features than the rows hold are refused before any training.
    Path other = root.resolve("bundle-other");
    TrainOptions o = options;
    TrainOptions otherFeatures = new TrainOptions(o.data(), o.format(), other, true, o.maxBadFraction(), o.item2vec(),
        o.wideDeep(), o.halfLifeHours() * 2, o.maxRecentEvents(), o.topBrands(), o.wideBucketsLog2(), o.tasteBrands(),
        o.tasteDim(), o.validDays(), o.testDays(), o.validFraction(), o.testFraction(), false, o.foldInDim(),
        o.wideCrosses(), 1.0, root.resolve("shards"));
    assertThrows(IllegalArgumentException.class, () -> TrainingPipeline.run(otherFeatures, quiet, quiet));
    assertFalse(Files.exists(other));
  }

  @Test
  void badRowsAreSkippedAndListedByFileAndLineAsTheSingleMachineReaderDoes() throws IOException {
    Path bad = root.resolve("bad");
    Files.createDirectories(bad);
    try (Stream<Path> files = Files.list(root.resolve("tiny"))) {
      for (Path f : files.toList()) {
        Files.copy(f, bad.resolve(f.getFileName()));
      }
    }
    List<String> imps = Files.readAllLines(bad.resolve(CsvSchemas.IMPRESSIONS_FILE));
    int n = imps.size();
    String last = imps.get(n - 1);
    imps.set(n - 1, imps.get(1).split(",", 2)[0] + last.substring(last.indexOf(','))); // a repeated id, far apart
    String[] middle = imps.get(n / 2).split(",", -1);
    middle[1] = "u-nobody";
    imps.set(n / 2, String.join(",", middle));
    Files.write(bad.resolve(CsvSchemas.IMPRESSIONS_FILE), imps);
    List<String> truth = Files.readAllLines(bad.resolve(CsvSchemas.TRUTH_FILE));
    truth.add(truth.get(3));
    truth.add("im-none,0.5");
    Files.write(bad.resolve(CsvSchemas.TRUTH_FILE), truth);
    List<String> events = Files.readAllLines(bad.resolve(CsvSchemas.EVENTS_FILE));
    String[] ev = events.get(7).split(",", -1);
    ev[2] = "glance";
    events.set(7, String.join(",", ev));
    Files.write(bad.resolve(CsvSchemas.EVENTS_FILE), events);

    var log = dev.bannerranker.data.EventLogReader.read(bad, 0.5);
    Path want = root.resolve("want-problems.csv");
    dev.bannerranker.trainer.pipeline.ProblemReport.write(log.problems().problems(), want);
    SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("spark-rows-test")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      SparkRows.Result r = SparkRows.run(sc, bad, root.resolve("bundle"), root.resolve("bad-shards"), 2, 0.5);
      assertEquals(log.problems().badRows(), r.badRows());
      assertEquals(log.impressions().size(), r.rows());
      assertEquals(Files.readAllLines(want), Files.readAllLines(root.resolve("bad-shards").resolve(
          SparkRows.PROBLEMS_FILE)));
      assertEquals(log.impressions().size(), RowShards.readAll(root.resolve("bad-shards")).size);

      // Past the limit (one bad event is too many) the job fails, after listing what it found.
      double limit = 0.5 / events.size();
      Path out = root.resolve("bad-shards-limit");
      assertThrows(dev.bannerranker.data.BadInputException.class,
          () -> SparkRows.run(sc, bad, root.resolve("bundle"), out, 2, limit));
      assertEquals(Files.readAllLines(want), Files.readAllLines(out.resolve(SparkRows.PROBLEMS_FILE)));
      assertFalse(Files.exists(out.resolve(RowsContext.DIR)));
    }
  }

  @Test
  void aSecondRunIntoTheSameShardsIsRefused() {
    SparkConf conf = new SparkConf().setMaster("local[1]").setAppName("spark-rows-test")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      assertThrows(dev.bannerranker.data.BadInputException.class,
          () -> SparkRows.run(sc, root.resolve("tiny"), root.resolve("bundle"), root.resolve("shards"), 2));
    }
  }

  @Test
  void thePartitionsByDefaultGrowWithTheInputSoThatATasksShareStaysBounded() throws IOException {
    assertEquals(4, SparkRows.defaultPartitions(root.resolve("tiny"), 2), "a small input: twice the parallelism");
    Path big = Files.createDirectories(root.resolve("sized"));
    // sparse files: their size, not their blocks, sizes the partitions
    try (var events = new java.io.RandomAccessFile(big.resolve(CsvSchemas.EVENTS_FILE).toFile(), "rw");
        var imps = new java.io.RandomAccessFile(big.resolve(CsvSchemas.IMPRESSIONS_FILE).toFile(), "rw")) {
      events.setLength(150L << 20);
      imps.setLength(50L << 20);
    }
    assertEquals(7, SparkRows.defaultPartitions(big, 2), "200 MiB at 32 MiB a partition");
    assertEquals(16, SparkRows.defaultPartitions(big, 8), "never fewer than twice the parallelism");
  }

  @Test
  void aNegativePartitionCountIsAUsageError() {
    var err = new java.io.StringWriter();
    var cl = new picocli.CommandLine(new SparkRowsCommand());
    cl.setErr(new java.io.PrintWriter(err));
    int code = cl.execute("--data", root.resolve("tiny").toString(), "--bundle", root.resolve("bundle").toString(),
        "--out", root.resolve("never").toString(), "--partitions", "-1");
    assertEquals(2, code);
    assertTrue(err.toString().contains("--partitions"), err.toString());
    assertFalse(Files.exists(root.resolve("never")));
  }
}
