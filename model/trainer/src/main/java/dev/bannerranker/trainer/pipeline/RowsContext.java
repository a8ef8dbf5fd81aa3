package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.bundle.TrainingRecord;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.Standardizer;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.foldin.FoldInTrainer;
import dev.bannerranker.trainer.shards.RowShards;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The model context that row shards computed elsewhere (by {@code spark-rows}) carry beside them in
 * {@code <rows>/context/}: a copy of the bundle whose item vectors, fold-in factors, vocabularies, catalog, banner
 * statistics, feature settings and time split made the rows. {@code train --rows DIR} on such a directory trains wide
 * &amp; deep from the shards with that context, without reading the log.
 */
public final class RowsContext {
  public static final String DIR = "context";

  private RowsContext() {}

  /** Whether {@code rows} holds shards with a context beside them. */
  public static boolean present(Path rows) {
    return Files.isRegularFile(rows.resolve(DIR).resolve(Bundle.MANIFEST));
  }

  /** Copies the bundle {@code bundle} into {@code rows/context}, which must not exist yet. */
  public static void save(Path bundle, Path rows) throws IOException {
    BundleIO.load(bundle); // only a whole, verified bundle becomes a context
    Path to = rows.resolve(DIR);
    Files.createDirectory(to);
    try (Stream<Path> files = Files.list(bundle)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  /** Wide &amp; deep from the shards in {@code o.rows()} with their context; the log is not read. */
  static TrainingPipeline.Outcome train(TrainOptions o, Path problemsFile, long t0, PrintStream out, PrintStream err)
      throws IOException {
    Path dir = o.rows().resolve(DIR);
    Bundle ctx = BundleIO.load(dir);
    String fingerprint = DataFingerprint.of(o.format(), o.data());
    if (!fingerprint.equals(ctx.manifest().dataFingerprint())) {
      throw new BadInputException(o.rows() + ": its rows were computed from other data than --data " + o.data()
          + " (the data fingerprint in " + dir.resolve(Bundle.MANIFEST) + " differs)");
    }
    TrainingRecord record = ctx.manifest().training();
    if (record == null || record.split() == null) {
      throw new BadInputException(dir.resolve(Bundle.MANIFEST) + ": training.split is missing");
    }
    TimeSplit split = new TimeSplit(record.split().validStartSecond(), record.split().testStartSecond());
    Map<String, long[]> stats = ctx.bannerStats();
    double ctr = DatasetBuilder.ctr(stats);
    // The rows hold the context's features; this run's options must describe the same ones, as the bundle records them.
    List<String> crossNames = FeatureEncoder.crossScalarNames(o.foldInDim() > 0);
    Standardizer user = Standardizer.identity(FeatureEncoder.USER_SCALARS);
    Standardizer banner = Standardizer.identity(FeatureEncoder.BANNER_SCALARS);
    Standardizer cross = Standardizer.identity(crossNames);
    FeatureSpec wanted = TrainingPipeline.baseSpec(o, ctx.vocab()).withStatistics(ctr,
        TrainingPipeline.cardinalities(ctx.vocab(), o), user, banner, cross);
    FeatureSpec rows = ctx.spec().withStatistics(ctr, ctx.spec().cardinalities(), user, banner, cross);
    if (!wanted.equals(rows)) {
      throw new IllegalArgumentException("--rows " + o.rows() + ": the rows were computed with other feature settings "
          + "than this run's options; train with the options the context bundle " + dir + " was trained with (its "
          + "manifest's hyperparameters)");
    }
    out.printf("rows: %d row shards in %s, computed elsewhere with the model context in %s; the log is not read%n",
        RowShards.files(o.rows()).size(), o.rows(), dir);
    FoldInTrainer.Result foldIn = record.foldInLoss() == null ? null
        : new FoldInTrainer.Result(ctx.vectors().foldIn(), record.foldInLoss(),
            record.foldInSeconds() == null ? 0 : record.foldInSeconds());
    return TrainingPipeline.finish(o, new TrainingPipeline.Prepared(ctx.catalog(),
        new DataProblems(o.maxBadFraction()), ctx.vocab(), ctx.vectors(), split, stats, ctr, wanted, null, foldIn,
        orZero(record.item2vecTokensPerSecond()), orZero(record.item2vecSeconds()), System.nanoTime()), problemsFile,
        t0, out, err);
  }

  private static double orZero(Double v) {
    return v == null ? 0 : v;
  }
}
