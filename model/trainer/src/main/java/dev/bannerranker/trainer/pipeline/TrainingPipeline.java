package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.BuildInfo;
import dev.bannerranker.bundle.BundleManifest;
import dev.bannerranker.bundle.ModelMetrics;
import dev.bannerranker.bundle.Provenance;
import dev.bannerranker.bundle.TrainingRecord;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.SequenceAttention;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.Standardizer;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.scoring.WideDeepWeights;
import dev.bannerranker.trainer.foldin.FoldInTrainer;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.ModelVocabulary;
import dev.bannerranker.trainer.dataset.NegativeSampler;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.item2vec.Item2VecTrainer;
import dev.bannerranker.trainer.item2vec.SessionBuilder;
import dev.bannerranker.trainer.progress.Progress;
import dev.bannerranker.trainer.shards.RowLayout;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.widedeep.ShardBatches;
import dev.bannerranker.trainer.widedeep.RowEncoder;
import dev.bannerranker.trainer.widedeep.WideDeepNetwork;
import dev.bannerranker.trainer.widedeep.WideDeepTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** {@code train}: event logs in, a verified model bundle out. */
public final class TrainingPipeline {
  /** Alternating rounds of the fold-in factor training. */
  static final int FOLD_IN_ROUNDS = 20;

  private TrainingPipeline() {}

  /**
   * What a run produced. Besides the bundle it keeps the trained DL4J graph and the rows, so tests and
   * benchmarks can compare DL4J with the pure-Java scorer on the same weights and inputs. Trained from row shards,
   * the dataset holds the test rows alone, in log order.
   */
  public record Outcome(Bundle bundle, ModelMetrics metrics, double item2vecTokensPerSecond, ComputationGraph net,
      ImpressionDataset dataset, RowEncoder rows, int[] testRows, TrainOptions options) {}

  /** As below, with the problems file shown where it is written. */
  public static EventLog readLog(DataFormat format, Path data, double maxBad, Path problemsFile, PrintStream err)
      throws IOException {
    return readLog(format, data, maxBad, problemsFile, problemsFile, err);
  }

  /**
   * Shared by train and evaluate: the log read with its problems reported and written to {@code problemsFile}. When a
   * file has too many bad rows the run fails, and the rows found so far are still written there first.
   */
  public static EventLog readLog(DataFormat format, Path data, double maxBad, Path problemsFile, Path shownAs,
      PrintStream err) throws IOException {
    EventLog log = failingOnTooManyBadRows(() -> format.read(data, maxBad), problemsFile);
    ProblemReport.report(log.problems(), problemsFile, shownAs, err);
    return log;
  }

  /** A read of the input. */
  @FunctionalInterface
  interface Read<T> {
    T read() throws IOException;
  }

  /** Runs a read; when a file has too many bad rows, every one found is written to {@code problemsFile} first. */
  static <T> T failingOnTooManyBadRows(Read<T> read, Path problemsFile) throws IOException {
    try {
      return read.read();
    } catch (DataProblems.TooManyBadRows e) {
      ProblemReport.write(e.problems(), problemsFile);
      throw new BadInputException(e.getMessage() + "\nevery malformed row found is listed in " + problemsFile, e);
    }
  }

  static TimeSplit split(EventLog log, TrainOptions o) {
    return o.format() == DataFormat.MOVIELENS
        ? TimeSplit.fractions(log.impressions(), o.validFraction(), o.testFraction())
        : TimeSplit.lastDays(log.impressions(), o.validDays(), o.testDays());
  }

  public static Outcome run(TrainOptions o, PrintStream out, PrintStream err) throws IOException {
    long t0 = System.nanoTime();
    dev.bannerranker.cli.OutputPaths.checkBundleTarget("--out", o.out(), o.force());
    if (o.objective() == Objective.CLICK_CONVERSION && (o.rows() != null || o.format() != DataFormat.OWN)) {
      // the row shards and the other formats carry no conversions
      throw new IllegalArgumentException("--objective " + o.objective().code() + " trains on the own format held in "
          + "memory; it cannot be combined with " + (o.rows() != null ? "--rows" : "--format " + o.format().code()));
    }
    if (o.sequenceAttention() && o.rows() != null) {
      throw new IllegalArgumentException("--sequence-attention on needs the rows held in memory: row shards (--rows, "
          + "--streaming) do not hold the event sequences");
    }
    if (o.streaming() && o.rows() == null) {
      throw new IllegalArgumentException("--streaming needs --rows DIR: the sorted log and the rows go there");
    }
    if (o.streaming() && o.format() != DataFormat.OWN) {
      throw new IllegalArgumentException("--streaming reads the own format only, not --format " + o.format().code());
    }
    boolean rowsMadeElsewhere = o.rows() != null && RowsContext.present(o.rows());
    if (rowsMadeElsewhere && o.streaming()) {
      throw new IllegalArgumentException("--streaming computes the rows, but " + o.rows() + " holds rows already, "
          + "with their model context: train from them without --streaming");
    }
    if (o.rows() != null && !rowsMadeElsewhere) {
      // Before hours of work, not after: rows of two runs must not mix.
      RowShards.requireNoShards(o.rows());
    }
    // The bundle directory appears only at the atomic rename, so the problems file waits in a temporary file; it is
    // kept, and named, only when too many bad rows fail the run.
    Path problemsFile = Files.createTempFile("banner-ranker-problems", ".csv");
    boolean keepProblems = false;
    try {
      if (rowsMadeElsewhere) {
        return RowsContext.train(o, problemsFile, t0, out, err);
      }
      if (o.streaming()) {
        try {
          return StreamingTraining.run(o, problemsFile, t0, out, err);
        } catch (BadInputException e) {
          keepProblems = e.getCause() instanceof DataProblems.TooManyBadRows;
          throw e;
        }
      }
      EventLog log;
      try {
        log = readLog(o.format(), o.data(), o.maxBadFraction(), problemsFile, o.out().resolve(PROBLEMS_FILE), err);
      } catch (BadInputException e) {
        keepProblems = e.getCause() instanceof DataProblems.TooManyBadRows;
        throw e;
      }
      return train(o, log, problemsFile, t0, out, err);
    } finally {
      if (!keepProblems) {
        Files.deleteIfExists(problemsFile);
      }
    }
  }

  /** The bundle's copy of the malformed rows; evaluate writes one of the same name into the report directory. */
  public static final String PROBLEMS_FILE = "data_problems.csv";

  private static Outcome train(TrainOptions o, EventLog log, Path problemsFile, long t0, PrintStream out,
      PrintStream err) throws IOException {
    out.printf("read %d banners, %d users, %d events, %d impressions from %s (%s format) in %.1f s%n",
        log.banners().size(), log.users().size(), log.events().size(), log.impressions().size(), o.data(),
        o.format().code(), (System.nanoTime() - t0) / 1e9);
    if (o.objective() == Objective.CLICK_CONVERSION && !log.conversions()) {
      throw new BadInputException(o.data().resolve(CsvSchemas.IMPRESSIONS_FILE) + ": --objective "
          + o.objective().code() + " needs the optional column " + CsvSchemas.CONVERTED + ", which the file lacks");
    }
    TimeSplit split = split(log, o);

    // item2vec on behaviour before the test period
    Vocabularies vocab = ModelVocabulary.build(log);
    List<List<String>> sessions = SessionBuilder.sessions(log, split.testStart(), o.item2vec().sessionGapMinutes());
    Embeddings emb = embeddings(o, vocab, log.banners(), item2vecRunning -> o.foldInDim() > 0
        ? FoldInTrainer.train(log, vocab, split.testStart(), o.foldInDim(), FOLD_IN_ROUNDS, o.item2vec().seed(),
            item2vecRunning)
        : null, sessions.size(), progress -> Item2VecTrainer.train(sessions, o.item2vec(), progress), out);
    ItemVectors vectors = emb.vectors();
    FoldInTrainer.Result foldIn = emb.foldIn();
    double tokensPerSecond = emb.tokensPerSecond();

    // point-in-time rows
    long rowsStart = System.nanoTime();
    Map<String, long[]> stats = DatasetBuilder.trainStats(log, split);
    double ctr = DatasetBuilder.ctr(stats);
    FeatureSpec spec = rowSpec(o, vocab, ctr);
    ImpressionDataset ds = null;
    try (Progress pb = Progress.start(o.progress(), "features", log.impressions().size(), "impressions")) {
      if (o.rows() == null) {
        ds = DatasetBuilder.build(log, vocab, vectors, spec, split, stats, pb::stepTo);
      } else {
        long written = DatasetBuilder.writeShards(log, vocab, vectors, spec, split, stats, pb::stepTo,
            Runtime.getRuntime().availableProcessors(), o.rows(), RowShards.DEFAULT_ROWS_PER_FILE);
        out.printf("rows: wrote %d rows in %d row shards to %s%n", written, RowShards.files(o.rows()).size(),
            o.rows());
      }
    }
    return finish(o, new Prepared(log.banners(), log.problems(), vocab, vectors, split, stats, ctr, spec, ds, foldIn,
        tokensPerSecond, emb.i2vSeconds(), rowsStart), problemsFile, t0, out, err);
  }

  /** What item2vec and the fold-in factors made. */
  record Embeddings(ItemVectors vectors, FoldInTrainer.Result foldIn, double tokensPerSecond, double i2vSeconds) {}

  /**
   * item2vec on the calling thread and the fold-in factors (which need only the log) beside it, then the item vectors
   * with the factors. item2vec trains on one thread (reproducible), so while it runs the fold-in factors keep to one
   * thread too ({@code foldInTraining} is told whether item2vec is still running), then take every core.
   */
  static Embeddings embeddings(TrainOptions o, Vocabularies vocab, List<Banner> catalog,
      java.util.function.Function<java.util.function.BooleanSupplier, FoldInTrainer.Result> foldInTraining,
      long sessions, java.util.function.Function<java.util.function.DoubleConsumer, Item2VecTrainer.Result> item2vec,
      PrintStream out) {
    java.util.concurrent.atomic.AtomicBoolean item2vecRunning = new java.util.concurrent.atomic.AtomicBoolean(true);
    FutureTask<FoldInTrainer.Result> foldInTask = new FutureTask<>(() -> foldInTraining.apply(item2vecRunning::get));
    Thread foldInThread = new Thread(foldInTask, "fold-in-training");
    foldInThread.setDaemon(true);
    foldInThread.start();
    Item2VecTrainer.Result i2v;
    try (Progress pb = Progress.start(o.progress(), "item2vec", 100, null)) {
      i2v = item2vec.apply(share -> pb.stepTo(Math.round(share * 100)));
    } finally {
      item2vecRunning.set(false);
    }
    double tokensPerSecond = i2v.tokensPerSecond(o.item2vec().epochs());
    out.printf("item2vec: %d sessions, %d tokens, %d epochs in %.1f s = %.0f tokens/s, %d vectors%n", sessions,
        i2v.corpusTokens(), o.item2vec().epochs(), i2v.seconds(), tokensPerSecond, i2v.vectors().size());
    ItemVectors vectors = ModelVocabulary.itemVectors(vocab, catalog, i2v.vectors(), o.item2vec().dimension());
    FoldInTrainer.Result foldIn = Background.await(foldInTask, "training the fold-in factors");
    if (foldIn != null) {
      vectors = vectors.withFoldIn(foldIn.factors());
      out.printf("fold-in factors: %d rounds in %.1f s, choice loss %.4f -> %.4f%n", FOLD_IN_ROUNDS, foldIn.seconds(),
          foldIn.lossPerRound().get(0), foldIn.lossPerRound().get(FOLD_IN_ROUNDS - 1));
    }
    return new Embeddings(vectors, foldIn, tokensPerSecond, i2v.seconds());
  }

  /** What the steps before wide & deep made; {@code ds} is null when the rows went to shards. */
  record Prepared(List<Banner> banners, DataProblems problems, Vocabularies vocab, ItemVectors vectors,
      TimeSplit split, Map<String, long[]> stats, double ctr, FeatureSpec spec, ImpressionDataset ds,
      FoldInTrainer.Result foldIn, double tokensPerSecond, double i2vSeconds, long rowsStart) {}

  /** The first feature spec: settings and statistics, identity standardisers (fitted later on the training rows). */
  static FeatureSpec rowSpec(TrainOptions o, Vocabularies vocab, double ctr) {
    return baseSpec(o, vocab).withStatistics(ctr, cardinalities(vocab, o), identity(FeatureEncoder.USER_SCALARS),
        identity(FeatureEncoder.BANNER_SCALARS), identity(FeatureEncoder.crossScalarNames(o.foldInDim() > 0)));
  }

  /** Wide & deep on the prepared rows, then the bundle. */
  static Outcome finish(TrainOptions o, Prepared p, Path problemsFile, long t0, PrintStream out, PrintStream err)
      throws IOException {
    Vocabularies vocab = p.vocab();
    ItemVectors vectors = p.vectors();
    TimeSplit split = p.split();
    Map<String, long[]> stats = p.stats();
    double ctr = p.ctr();
    FeatureSpec spec = p.spec();
    ImpressionDataset ds = p.ds();
    FoldInTrainer.Result foldIn = p.foldIn();
    double tokensPerSecond = p.tokensPerSecond();
    long rowsStart = p.rowsStart();
    List<String> crossNames = FeatureEncoder.crossScalarNames(o.foldInDim() > 0);
    // With row shards only the validation, test and training-loss rows are held; the training rows stream.
    ShardTraining.Scan scan = ds == null
        ? ShardTraining.scan(o.rows(), crossNames, o.negativeRate(), o.wideDeep().seed())
        : null;
    int[] allTrain = ds != null ? ds.rowsOf(TimeSplit.TRAIN) : scan.train();
    int[] train = ds != null
        ? NegativeSampler.sample(allTrain, ds.clicked, o.negativeRate(), o.wideDeep().seed())
        : scan.kept();
    int[] valid = ds != null ? ds.rowsOf(TimeSplit.VALID) : scan.valid();
    int[] test = ds != null ? ds.rowsOf(TimeSplit.TEST) : scan.test();
    spec = ds != null
        ? spec.withStatistics(ctr, spec.cardinalities(),
            fit(FeatureEncoder.USER_SCALARS, ds.userScalars, FeatureEncoder.USER_SCALARS.size(), train),
            fit(FeatureEncoder.BANNER_SCALARS, ds.bannerScalars, FeatureEncoder.BANNER_SCALARS.size(), train),
            fit(crossNames, ds.crossScalars, FeatureEncoder.CROSS_SCALARS.size(), train))
        : spec.withStatistics(ctr, spec.cardinalities(), scan.user(), scan.banner(), scan.cross());
    out.printf("rows: %d train, %d validation, %d test; training CTR %.4f; built in %.1f s%n", train.length,
        valid.length, test.length, ctr, (System.nanoTime() - rowsStart) / 1e9);
    if (train.length != allTrain.length) {
      out.printf("negative downsampling: trains on every click and %.3g of the non-clicks, %d of %d training rows; "
          + "predictions are corrected back to the true click rate%n", o.negativeRate(), train.length, allTrain.length);
    }

    // wide & deep
    FeatureEncoder enc = new FeatureEncoder(spec);
    BannerFeatures[] byIndex = DatasetBuilder.bannersByIndex(p.banners(), vocab, vectors, stats);
    boolean conversion = o.objective() == Objective.CLICK_CONVERSION;
    ComputationGraph net = conversion ? WideDeepNetwork.buildConversion(spec, o.wideDeep())
        : WideDeepNetwork.build(spec, o.wideDeep());
    RowEncoder rows;
    RowEncoder validRows;
    ImpressionDataset validDs;
    WideDeepTrainer.Result fit;
    if (ds != null) {
      rows = new RowEncoder(enc, ds, byIndex, vectors);
      validRows = rows;
      validDs = ds;
      fit = WideDeepTrainer.train(net, rows, ds, train, allTrain.length, valid, o.wideDeep(), o.negativeRate(),
          o.progress());
    } else {
      int[] sample = WideDeepTrainer.trainLossSample(train, o.wideDeep());
      ImpressionDataset[] held = ShardTraining.gather(o.rows(), valid, test, sample);
      validDs = held[0];
      ds = held[1];
      validRows = new RowEncoder(enc, validDs, byIndex, vectors);
      rows = new RowEncoder(enc, ds, byIndex, vectors);
      int[] all = ShardTraining.iota(valid.length);
      try (ShardBatches batches = new ShardBatches(RowShards.files(o.rows()), RowLayout.of(spec), train.length,
          scan.keep(), enc, byIndex, o.wideDeep())) {
        fit = WideDeepTrainer.train(net, batches, allTrain.length,
            new WideDeepTrainer.HeldRows(validRows, validDs, all, o.negativeRate()),
            new WideDeepTrainer.HeldRows(new RowEncoder(enc, held[2], byIndex, vectors), held[2],
                ShardTraining.iota(sample.length)), o.wideDeep(), o.progress(), null);
      }
      // From here on the dataset is the test rows alone.
      valid = all;
      test = ShardTraining.iota(test.length);
    }
    if (conversion) {
      out.printf("objective %s: a click tower and a conversion tower on shared embeddings; the validation logloss "
          + "below is the click logloss plus that of pCTR x pCVR on the conversions%n", o.objective().code());
    }
    out.printf("wide & deep: best after %.2f epochs (validation %d of %d, %d per epoch), validation logloss %.5f; %.1f s "
        + "fitting per epoch, %.1f s measuring the losses per validation%n", fit.bestEpoch(), fit.bestValidation(),
        fit.validLoss().size(), fit.validationsPerEpoch(), fit.validLoss().get(fit.bestValidation() - 1),
        sum(fit.fitSeconds()) / fit.epochsTrained(), mean(fit.lossSeconds()));
    if (!fit.trainingWeightsValidLoss().isEmpty()) {
      out.printf("weight average: validation logloss %.5f, the training weights at that point %.5f%n",
          fit.validLoss().get(fit.bestValidation() - 1), fit.trainingWeightsValidLoss().get(fit.bestValidation() - 1));
    }
    WideDeepWeights weights = WideDeepNetwork.export(fit.net(), spec);

    // bundle
    TrainingRecord training = new TrainingRecord(fit.trainLoss(), fit.validLoss(),
        fit.trainingWeightsValidLoss().isEmpty() ? null : fit.trainingWeightsValidLoss(), fit.validationsPerEpoch(),
        fit.bestValidation(), fit.bestEpoch(), fit.fitSeconds(), fit.lossSeconds(), tokensPerSecond, p.i2vSeconds(),
        foldIn == null ? null : foldIn.lossPerRound(), foldIn == null ? null : foldIn.seconds(),
        TrainingRecord.Split.of(split.validStart(), split.testStart()));
    String fingerprint = DataFingerprint.of(o.format(), o.data());
    Instant now = Instant.now();
    String modelVersion = "wd-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(now)
        + "-" + fingerprint.substring(0, 8);
    BundleManifest manifest = new BundleManifest(Bundle.FORMAT_VERSION, modelVersion, now.toString(), fingerprint,
        provenance(o), hyperparameters(o), o.negativeRate(), spec, ModelMetrics.NONE, training, Map.of());
    Bundle partial = new Bundle(manifest, vocab, vectors, weights, p.banners(), stats, null);
    float[][] firstLayer = ScoringModel.computeBannerFirstLayer(partial);
    Bundle candidate = new Bundle(manifest, vocab, vectors, weights, p.banners(), stats, firstLayer);

    ScoringModel model = ScoringModel.of(candidate);
    ModelMetrics.SplitMetrics testMetrics = QuickMetrics.of(model, rows, ds, test);
    ModelMetrics metrics = new ModelMetrics(QuickMetrics.of(model, validRows, validDs, valid), testMetrics,
        new ModelMetrics.RowCounts(train.length, valid.length, test.length), ProblemReport.summary(p.problems()));
    Bundle bundle = new Bundle(manifest.withMetrics(metrics), vocab, vectors, weights, p.banners(), stats, firstLayer);
    Map<String, Path> extra = p.problems().badRows() > 0 ? Map.of(PROBLEMS_FILE, problemsFile) : Map.of();
    BundleIO.write(bundle, o.out(), o.force(), extra);
    out.printf("wrote bundle %s (model %s) in %.1f s; test AUC %.4f, logloss %.5f, ECE %.4f%n", o.out(), modelVersion,
        (System.nanoTime() - t0) / 1e9, testMetrics.auc(), testMetrics.logloss(), testMetrics.ece());
    return new Outcome(bundle, metrics, tokensPerSecond, fit.net(), ds, rows, test, o);
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  private static double sum(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).sum();
  }

  static FeatureSpec baseSpec(TrainOptions o, Vocabularies vocab) {
    return new FeatureSpec(o.item2vec().dimension(), o.halfLifeHours(), o.maxRecentEvents(), 32, 72.0,
        List.of(1.0, 2.0, 3.0, 2.0), 60.0, o.topBrands(), 1 << o.wideBucketsLog2(), 1, 4, 100.0, 0.0,
        o.wideDeep().embeddingDims(), o.wideDeep().hidden(), Map.of(), identity(FeatureEncoder.USER_SCALARS),
        identity(FeatureEncoder.BANNER_SCALARS), identity(FeatureEncoder.crossScalarNames(o.foldInDim() > 0)), o.tasteBrands(), o.tasteDim(),
        o.foldInDim() > 0 ? FoldInTrainer.factorDim(o.foldInDim()) : 0, o.wideCrosses(),
        o.sequenceAttention() ? new SequenceAttention(Math.min(SequenceAttention.DEFAULT_LENGTH, o.maxRecentEvents()),
            SequenceAttention.DEFAULT_DIM, SequenceAttention.DEFAULT_AGE_BUCKET_HOURS,
            SequenceAttention.DEFAULT_DWELL_BUCKET_SECONDS) : null);
  }

  static Map<String, Integer> cardinalities(Vocabularies v, TrainOptions o) {
    Map<String, Integer> c = new HashMap<>();
    FeatureEncoder.putFixedCardinalities(c, 4);
    c.put("brand", v.brands().cardinality());
    c.put("category", v.categories().cardinality());
    c.put("placement", v.placements().cardinality());
    c.put("creative_format", v.creativeFormats().cardinality());
    c.put("creative_color", v.creativeColors().cardinality());
    return c;
  }

  private static Standardizer identity(List<String> names) {
    return Standardizer.identity(names);
  }

  /** Fits the first {@code names.size()} columns of rows of {@code stride} values. */
  private static Standardizer fit(List<String> names, double[] values, int stride, int[] rows) {
    int w = names.size();
    double[] sum = new double[w];
    double[] sq = new double[w];
    for (int r : rows) {
      for (int j = 0; j < w; j++) {
        double v = values[r * stride + j];
        sum[j] += v;
        sq[j] += v * v;
      }
    }
    return Standardizer.fit(names, sum, sq, rows.length);
  }

  private static Provenance provenance(TrainOptions o) {
    BuildInfo build = BuildInfo.current();
    return new Provenance("banner-ranker-model-trainer " + build.version(), build.commit(),
        System.getProperty("java.version"), build.dl4jVersion(), BuildInfo.osArch(),
        o.data().toAbsolutePath().normalize().toString(), o.format().code(), o.format() == DataFormat.OWN
            ? List.of(CsvSchemas.BANNERS_FILE, CsvSchemas.USERS_FILE, CsvSchemas.EVENTS_FILE, CsvSchemas.IMPRESSIONS_FILE)
            : List.of("u.data", "u.item", "u.user"));
  }

  private static Map<String, Object> hyperparameters(TrainOptions o) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("item2vec", o.item2vec());
    h.put("wide_deep", o.wideDeep());
    h.put("half_life_hours", o.halfLifeHours());
    h.put("max_recent_events", o.maxRecentEvents());
    h.put("top_brands", o.topBrands());
    h.put("wide_buckets_log2", o.wideBucketsLog2());
    h.put("taste_brands", o.tasteBrands());
    h.put("taste_dim", o.tasteDim());
    h.put("fold_in_dim", o.foldInDim());
    h.put("sequence_attention", o.sequenceAttention() ? "on" : "off");
    if (o.foldInDim() > 0) {
      h.put("fold_in_price_tier_dims", FoldInTrainer.PRICE_TIER_DIMS);
    }
    h.put("valid_days", o.validDays());
    h.put("test_days", o.testDays());
    h.put("valid_fraction", o.validFraction());
    h.put("test_fraction", o.testFraction());
    h.put("max_bad_fraction", o.maxBadFraction());
    if (o.objective() != Objective.CLICK) { // a click model's manifest stays as it was
      h.put("objective", o.objective().code());
    }
    return h;
  }

}
