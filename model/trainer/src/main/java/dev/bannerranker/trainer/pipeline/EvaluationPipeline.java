package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.bundle.TrainingRecord;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.eval.ClickMetrics;
import dev.bannerranker.trainer.eval.EvaluationReport;
import dev.bannerranker.trainer.eval.ReportWriter;
import dev.bannerranker.trainer.movielens.MovieLensMetrics;
import dev.bannerranker.trainer.movielens.MovieLensReader;
import dev.bannerranker.trainer.progress.Progress;
import dev.bannerranker.trainer.widedeep.RowEncoder;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dimensionalityreduction.PCA;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code evaluate}: scores the bundle's held-out days with the pure-Java scorer (the service's code), and
 * compares it with baselines trained or computed on exactly the same split.
 */
public final class EvaluationPipeline {
  static final int ECE_BINS = 20;
  static final int NDCG_K = 5;

  private EvaluationPipeline() {}

  public static EvaluationReport run(Path data, DataFormat format, Path bundleDir, Path reportDir, double maxBad,
      boolean progress, PrintStream out, PrintStream err) throws IOException {
    return run(data, format, bundleDir, reportDir, null, maxBad, progress, out, err);
  }

  /**
   * As above; with {@code againstDir}, another evaluation's report directory of the same data and split, the report
   * also compares this model with that one ({@link TestScores}).
   */
  public static EvaluationReport run(Path data, DataFormat format, Path bundleDir, Path reportDir, Path againstDir,
      double maxBad, boolean progress, PrintStream out, PrintStream err) throws IOException {
    long t0 = System.nanoTime();
    dev.bannerranker.cli.OutputPaths.checkDirectory("--report", reportDir);
    TestScores other = againstDir == null ? null : TestScores.read(againstDir); // a bad file fails before the work
    TestDays t = testDays(data, format, bundleDir, reportDir, maxBad, progress, err);
    Bundle bundle = t.model().bundle();
    float[] p = modelPredictions(t.model(), t.rows(), t.test(), bundleDir);
    Map<String, ClickMetrics.RocCurve> rocs = new LinkedHashMap<>();
    rocs.put("wide & deep", ClickMetrics.roc(p, t.y(), 400));
    Oracle oracle = t.log().hasTruth() ? oracle(t, rocs) : Oracle.NONE;
    if (oracle.unavailable() != null) {
      err.println("warning: " + oracle.unavailable());
    }
    Map<String, EvaluationReport.Baseline> baselines = baselines(t, p, rocs, progress, out);
    EvaluationReport.Conversion conversion = t.model().hasConversion() && t.log().conversions()
        ? ConversionEvaluation.run(t.model(), bundle.manifest().hyperparameter("wide_deep", WideDeepConfig.class),
            t.rows(), t.ds(), t.byIndex(), t.test(), t.users(), p, progress, out, err)
        : null;
    if (t.model().hasConversion() && !t.log().conversions()) {
      err.println("warning: the bundle predicts conversions but " + data.resolve(
          dev.bannerranker.data.CsvSchemas.IMPRESSIONS_FILE) + " has no " + dev.bannerranker.data.CsvSchemas.CONVERTED
          + " column; no conversion figures");
    }

    TestScores scores = testScores(t, p);
    EvaluationReport.Against against = other == null ? null : scores.against(other, againstDir);

    Map<String, String> brandCategory = dominantCategory(t.log());
    ItemVectors v = bundle.vectors();
    TrainingRecord training = bundle.manifest().training();
    EvaluationReport report = new EvaluationReport(bundle.modelVersion(), t.test().length, count(t.y()),
        ClickMetrics.auc(p, t.y()), ClickMetrics.logLoss(p, t.y()),
        ClickMetrics.expectedCalibrationError(p, t.y(), ECE_BINS), ClickMetrics.ndcgAtK(t.users(), p, t.y(), NDCG_K),
        oracle.auc(), oracle.logloss(), oracle.unavailable(), baselines,
        new EvaluationReport.Item2Vec(categoryPrecisionAt10(bundle.vocab(), v, brandCategory),
            training == null ? null : training.item2vecTokensPerSecond()),
        format == DataFormat.MOVIELENS ? movieLensMetrics(data, t.log(), t.model(), t.byIndex(), t.split()) : null,
        (System.nanoTime() - t0) / 1e9, conversion, bundle.spec().hasSequenceAttention() ? "on" : "off", against);

    ReportWriter.write(reportDir, "banner-ranker evaluation: " + bundle.modelVersion(), report, rocs,
        ClickMetrics.calibration(p, t.y(), ECE_BINS), lossCurves(training),
        brandMap(bundle.vocab(), v, brandCategory, t.log()));
    scores.write(reportDir);
    out.printf("test: AUC %.4f (oracle %s), logloss %.5f, ECE %.4f, NDCG@5 %.4f; report in %s%n", report.auc(),
        report.oracleAuc() != null ? String.format("%.4f", report.oracleAuc()) : "n/a", report.logloss(), report.ece(),
        report.ndcgAt5(), reportDir);
    if (conversion != null) {
      EvaluationReport.ConversionScores m = conversion.model();
      EvaluationReport.ConversionScores o = conversion.oracle();
      out.printf("conversions: %d on the test days; AUC %.4f (oracle %s), logloss %.5f, ECE %.4f; per click AUC %.4f "
          + "(oracle %s)%n", conversion.testConversions(), m.auc(), o == null ? "n/a" : String.format("%.4f", o.auc()),
          m.logloss(), m.ece(), m.cvrAuc(), o == null ? "n/a" : String.format("%.4f", o.cvrAuc()));
      conversion.baselines().forEach((name, b) -> out.printf("conversion baseline %s: AUC %.4f, per click %.4f; "
          + "model - baseline %+.4f [%+.4f, %+.4f], per click %+.4f [%+.4f, %+.4f]%n", name, b.auc(), b.cvrAuc(),
          b.aucDifference().estimate(), b.aucDifference().ci95Low(), b.aucDifference().ci95High(),
          b.cvrAucDifference().estimate(), b.cvrAucDifference().ci95Low(), b.cvrAucDifference().ci95High()));
    }
    if (against != null) {
      out.printf("against %s: AUC %+.4f [%+.4f, %+.4f]%s%n", againstDir, against.aucDifference().estimate(),
          against.aucDifference().ci95Low(), against.aucDifference().ci95High(),
          against.conversionAucDifference() == null ? "" : String.format(
              "; conversions AUC %+.4f [%+.4f, %+.4f], per click %+.4f [%+.4f, %+.4f]",
              against.conversionAucDifference().estimate(), against.conversionAucDifference().ci95Low(),
              against.conversionAucDifference().ci95High(), against.conversionCvrAucDifference().estimate(),
              against.conversionCvrAucDifference().ci95Low(), against.conversionCvrAucDifference().ci95High()));
    }
    return report;
  }

  /** The model's scores of the test rows, with their users, clicks and (conversion figures only) conversions. */
  private static TestScores testScores(TestDays t, float[] p) {
    boolean conversion = t.model().hasConversion() && t.log().conversions();
    boolean[] converted = null;
    if (conversion) {
      converted = new boolean[t.test().length];
      for (int i = 0; i < converted.length; i++) {
        converted[i] = t.ds().converted[t.test()[i]];
      }
    }
    return new TestScores(t.users(), t.y(), converted, p,
        conversion ? QuickMetrics.predictConversion(t.model(), t.rows(), t.test()) : null);
  }

  /**
   * The bundle's test days rebuilt from the data, row by row as training built them.
   *
   * @param test the test rows of {@code ds}; {@code y} their clicks and {@code users} their users, in the same order
   */
  private record TestDays(ScoringModel model, EventLog log, TimeSplit split, ImpressionDataset ds,
      BannerFeatures[] byIndex, RowEncoder rows, int[] test, boolean[] y, int[] users) {}

  /** Loads the bundle and the data, checks that they belong together, and builds the rows of the bundle's split. */
  private static TestDays testDays(Path data, DataFormat format, Path bundleDir, Path reportDir, double maxBad,
      boolean progress, PrintStream err) throws IOException {
    Bundle bundle = BundleIO.load(bundleDir);
    ScoringModel model = ScoringModel.of(bundle);
    String trainedFormat = bundle.manifest().provenance().dataFormat();
    if (trainedFormat != null && !trainedFormat.equals(format.code())) {
      throw new IllegalArgumentException("--format " + format.code() + " does not match the bundle, which was trained on '"
          + trainedFormat + "' data");
    }
    EventLog log = TrainingPipeline.readLog(format, data, maxBad, reportDir.resolve(TrainingPipeline.PROBLEMS_FILE), err);
    String fingerprint = DataFingerprint.of(format, data);
    if (!fingerprint.equals(bundle.manifest().dataFingerprint())) {
      err.println("warning: " + data + " is not the data this bundle was trained on (fingerprints differ); "
          + "the split dates come from the bundle");
    }
    TimeSplit split = splitOf(bundle);
    Vocabularies vocab = bundle.vocab();
    for (var b : log.banners()) {
      if (!vocab.banners().contains(b.id())) {
        throw new IllegalArgumentException("banner " + b.id() + " in " + data + " is unknown to the bundle; evaluate on the data it was trained on");
      }
    }
    ImpressionDataset ds;
    try (Progress pb = Progress.start(progress, "features", log.impressions().size(), "impressions")) {
      ds = DatasetBuilder.build(log, vocab, bundle.vectors(), bundle.spec(), split, bundle.bannerStats(), pb::stepTo);
    }
    int[] test = ds.rowsOf(TimeSplit.TEST);
    BannerFeatures[] byIndex = DatasetBuilder.bannersByIndex(bundle.catalog(), vocab, bundle.vectors(),
        bundle.bannerStats());
    return new TestDays(model, log, split, ds, byIndex, new RowEncoder(model.encoder(), ds, byIndex, bundle.vectors()), test,
        QuickMetrics.labels(ds, test), groups(ds, test));
  }

  /**
   * Every baseline on the test days, by report key: popularity and the item2vec cosine are computed, wide-only and
   * deep-only retrained ({@link BaselineTrainer}); each one's ROC goes into {@code rocs}.
   */
  private static Map<String, EvaluationReport.Baseline> baselines(TestDays t, float[] p,
      Map<String, ClickMetrics.RocCurve> rocs, boolean progress, PrintStream out) {
    Map<String, EvaluationReport.Baseline> baselines = new LinkedHashMap<>();
    float[][] scored = scoredBaselines(t.model().encoder(), t.ds(), t.byIndex(), t.test());
    baselines.put("popularity", baseline(p, scored[0], t.y(), t.users(), true,
        "banner CTR of the training days, shrunk toward the global CTR"));
    rocs.put("popularity", ClickMetrics.roc(scored[0], t.y(), 400));
    baselines.put("item2vec_cosine", baseline(p, scored[1], t.y(), t.users(), false,
        "cosine of the user vector and the banner vector alone (a ranking score, not a probability)"));
    rocs.put("item2vec cosine", ClickMetrics.roc(scored[1], t.y(), 400));
    Bundle bundle = t.model().bundle();
    WideDeepConfig settings = bundle.manifest().hyperparameter("wide_deep", WideDeepConfig.class);
    for (BaselineTrainer.Trained tb : BaselineTrainer.train(bundle.spec(), settings, t.rows(), t.ds(),
        t.ds().rowsOf(TimeSplit.TRAIN), t.ds().rowsOf(TimeSplit.VALID), t.test(), progress, out)) {
      EvaluationReport.Baseline entry = baseline(p, tb.test(), t.y(), t.users(), true, tb.description());
      baselines.put(tb.name(), entry);
      rocs.put(tb.name().replace('_', '-'), ClickMetrics.roc(tb.test(), t.y(), 400));
      EvaluationReport.AucDifference d = entry.aucDifference();
      out.printf("baseline %s: AUC %.4f; wide & deep - baseline %+.4f, 95%% interval [%+.4f, %+.4f]; trained in %.1f s, "
          + "best after %.2f of %.2f epochs%n", tb.name(), entry.auc(), d.estimate(), d.ci95Low(), d.ci95High(),
          tb.seconds(), tb.fit().bestEpoch(), tb.fit().epochsTrained());
    }
    return baselines;
  }

  /** The oracle from the true click probability of each test row. */
  private static Oracle oracle(TestDays t, Map<String, ClickMetrics.RocCurve> rocs) {
    float[] truth = new float[t.test().length];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = t.ds().trueCtr[t.test()[i]];
    }
    EventLog log = t.log();
    return oracle(truth, t.y(), rocs, () -> log.impressions().stream()
        .filter(imp -> imp.timestamp() >= t.split().testStart() && !log.trueCtr().containsKey(imp.impressionId()))
        .map(dev.bannerranker.data.Impression::impressionId).findFirst().orElse("?"));
  }

  /** The service's scorer on the test rows; a bundle whose weights score NaN is refused as a broken bundle. */
  private static float[] modelPredictions(ScoringModel model, RowEncoder rows, int[] test, Path bundleDir) {
    float[] p = QuickMetrics.predict(model, rows, test);
    for (int i = 0; i < p.length; i++) {
      if (!Float.isFinite(p[i])) {
        // checksums only prove the files are the ones written; a model written broken scores NaN
        throw new dev.bannerranker.bundle.BundleException(bundleDir + ": the model scores " + p[i] + " for test row "
            + (i + 1) + " of " + p.length + "; its weights are broken (retrain it)");
      }
    }
    return p;
  }

  /** The baselines computed rather than trained: shrunk banner CTR ([0]) and the item2vec cosine ([1]). */
  private static float[][] scoredBaselines(FeatureEncoder enc, ImpressionDataset ds, BannerFeatures[] byIndex,
      int[] test) {
    float[] pop = new float[test.length];
    float[] cos = new float[test.length];
    int cs = FeatureEncoder.CROSS_SCALARS.size();
    for (int i = 0; i < test.length; i++) {
      BannerFeatures b = byIndex[ds.bannerIdx[test[i]]];
      pop[i] = (float) (1 / (1 + Math.exp(-enc.ctrLogit(b.clicks(), b.impressions()))));
      cos[i] = (float) ds.crossScalars[test[i] * cs];
    }
    return new float[][] {pop, cos};
  }

  /** The oracle's figures, or why there are none; {@link #NONE} when the data has no true probabilities. */
  record Oracle(Double auc, Double logloss, String unavailable) {
    static final Oracle NONE = new Oracle(null, null, null);
  }

  /**
   * The oracle's AUC and logloss (and its ROC, into {@code rocs}) from the true click probability of each test row;
   * or, when some row has none (NaN), why there are no oracle figures: an oracle over part of the test day would not
   * compare with the model's figures.
   */
  static Oracle oracle(float[] truth, boolean[] y, Map<String, ClickMetrics.RocCurve> rocs,
      java.util.function.Supplier<String> firstMissingId) {
    int missing = 0;
    for (float t : truth) {
      missing += Float.isNaN(t) ? 1 : 0;
    }
    if (missing == 0) {
      rocs.put("oracle (true CTR)", ClickMetrics.roc(truth, y, 400));
      return new Oracle(ClickMetrics.auc(truth, y), ClickMetrics.logLoss(truth, y), null);
    }
    return new Oracle(null, null, String.format(
        "%s has no true_ctr for %d of %d test impressions (first: '%s'); no oracle figures",
        dev.bannerranker.data.CsvSchemas.TRUTH_FILE, missing, truth.length, firstMissingId.get()));
  }

  static TimeSplit splitOf(Bundle bundle) {
    TrainingRecord t = bundle.manifest().training();
    if (t == null || t.split() == null) {
      throw new dev.bannerranker.bundle.BundleException("manifest.json: training.split is missing; cannot find the test days");
    }
    return new TimeSplit(t.split().validStartSecond(), t.split().testStartSecond());
  }

  /** Resamples of the paired bootstrap of each baseline's AUC gap; its seed is fixed so reports are reproducible. */
  static final int BOOTSTRAP_RESAMPLES = 1000;
  private static final long BOOTSTRAP_SEED = 20_260_315L;

  /**
   * A baseline's report entry: its AUC (and logloss when it is a probability), and the model's AUC lead over it with
   * a 95 % interval from a paired bootstrap over the test day's users ({@link ClickMetrics#aucDifference}).
   */
  private static EvaluationReport.Baseline baseline(float[] model, float[] baseline, boolean[] y, int[] users,
      boolean probability, String description) {
    return new EvaluationReport.Baseline(ClickMetrics.auc(baseline, y),
        probability ? ClickMetrics.logLoss(baseline, y) : null, aucLead(model, baseline, y, users), description);
  }

  /** The model's AUC minus the baseline's on the same rows, with its paired-bootstrap interval over users. */
  static EvaluationReport.AucDifference aucLead(float[] model, float[] baseline, boolean[] y, int[] users) {
    ClickMetrics.AucDifference d = ClickMetrics.aucDifference(model, baseline, y, users, BOOTSTRAP_RESAMPLES,
        BOOTSTRAP_SEED);
    return new EvaluationReport.AucDifference(d.estimate(), d.low(), d.high(), d.resamples(), "user");
  }

  private static int count(boolean[] y) {
    int n = 0;
    for (boolean b : y) {
      n += b ? 1 : 0;
    }
    return n;
  }

  private static int[] groups(ImpressionDataset ds, int[] rows) {
    int[] g = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      g[i] = ds.userIdx[rows[i]];
    }
    return g;
  }

  /** Each brand's most frequent category in the behaviour events (ties to the smaller name). */
  public static Map<String, String> dominantCategory(EventLog log) {
    Map<String, Map<String, Integer>> counts = new HashMap<>();
    for (BehaviourEvent e : log.events()) {
      counts.computeIfAbsent(e.brand(), k -> new TreeMap<>()).merge(e.category(), 1, Integer::sum);
    }
    Map<String, String> out = new HashMap<>();
    counts.forEach((brand, c) -> out.put(brand,
        c.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()
            .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder()))).orElseThrow().getKey()));
    return out;
  }

  /** Mean share of each brand's 10 nearest brands that share its dominant category. */
  public static double categoryPrecisionAt10(Vocabularies vocab, ItemVectors v, Map<String, String> brandCategory) {
    double sum = 0;
    int n = 0;
    for (int i = 1; i < v.brandCount(); i++) {
      String cat = brandCategory.get(vocab.brands().valueAt(i));
      if (cat == null || isZero(v.brand(i))) {
        continue;
      }
      int same = 0;
      List<Neighbours.Neighbour> nn = Neighbours.nearest(v::brand, v.brandCount(), i, 10);
      for (Neighbours.Neighbour x : nn) {
        same += cat.equals(brandCategory.get(vocab.brands().valueAt(x.index()))) ? 1 : 0;
      }
      sum += (double) same / nn.size();
      n++;
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private static boolean isZero(float[] x) {
    for (float f : x) {
      if (f != 0f) {
        return false;
      }
    }
    return true;
  }

  /** The brands' item2vec vectors on their first two principal components, each with its number of events. */
  private static List<ReportWriter.MapPoint> brandMap(Vocabularies vocab, ItemVectors v, Map<String, String> brandCategory,
      EventLog log) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 1; i < v.brandCount(); i++) {
      if (!isZero(v.brand(i))) {
        idx.add(i);
      }
    }
    if (idx.size() < 3) {
      return List.of();
    }
    Map<String, Integer> events = new HashMap<>();
    for (BehaviourEvent e : log.events()) {
      events.merge(e.brand(), 1, Integer::sum);
    }
    float[][] m = new float[idx.size()][];
    for (int r = 0; r < m.length; r++) {
      m[r] = v.brand(idx.get(r));
    }
    INDArray reduced = PCA.pca(Nd4j.create(m), 2, true);
    List<ReportWriter.MapPoint> points = new ArrayList<>();
    for (int r = 0; r < m.length; r++) {
      String brand = vocab.brands().valueAt(idx.get(r));
      points.add(new ReportWriter.MapPoint(brand, brandCategory.getOrDefault(brand, "unknown"),
          reduced.getDouble(r, 0), reduced.getDouble(r, 1), events.getOrDefault(brand, 0)));
    }
    return points;
  }

  /**
   * The manifest's loss curves against epochs trained (each validation is 1 / validations_per_epoch of an epoch). A
   * curve the manifest lacks is left out.
   */
  static List<ReportWriter.Curve> lossCurves(TrainingRecord t) {
    List<ReportWriter.Curve> out = new ArrayList<>();
    if (t == null) {
      return out;
    }
    Map<String, List<Double>> series = new LinkedHashMap<>();
    series.put("training", t.trainLoss());
    series.put("validation", t.validLoss());
    series.put("validation, training weights (not averaged)", t.validLossTrainingWeights());
    for (Map.Entry<String, List<Double>> e : series.entrySet()) {
      List<Double> l = e.getValue();
      if (l == null || l.isEmpty()) {
        continue;
      }
      if (t.validationsPerEpoch() == null || t.validationsPerEpoch() < 1) {
        throw new dev.bannerranker.bundle.BundleException(
            "manifest.json: training.validations_per_epoch is missing; cannot place the loss curves");
      }
      double[] x = new double[l.size()];
      double[] yv = new double[l.size()];
      for (int i = 0; i < l.size(); i++) {
        x[i] = (i + 1) / (double) t.validationsPerEpoch();
        yv[i] = l.get(i);
      }
      out.add(new ReportWriter.Curve(e.getKey(), x, yv));
    }
    return out;
  }

  /**
   * Genre consistency of nearest movies, and next-item hit rate@10 against popularity, both of the project's ranking
   * (the wide &amp; deep click probability at the test start, the service's scoring path) and of item2vec alone (the
   * user vector's cosine to each movie's vector).
   */
  private static EvaluationReport.MovieLens movieLensMetrics(Path data, EventLog log, ScoringModel model,
      BannerFeatures[] byIndex, TimeSplit split) {
    Bundle bundle = model.bundle();
    Vocabularies vocab = bundle.vocab();
    ItemVectors v = bundle.vectors();
    Map<String, float[]> movies = new HashMap<>();
    for (int i = 1; i < v.brandCount(); i++) {
      movies.put(vocab.brands().valueAt(i), v.brand(i));
    }
    MovieLensMetrics.GenreConsistency gc = MovieLensMetrics.genreConsistencyAt10(movies, MovieLensReader.genres(data));
    long at = split.testStart();
    Map<String, UserHistory> histories = historiesBefore(log, bundle, byIndex, at);
    Map<String, UserProfile> profiles = new HashMap<>();
    log.users().forEach(u -> profiles.put(u.id(), u));
    Function<String, UserFeatures> features = user -> {
      UserHistory h = histories.get(user);
      return h == null ? null
          : UserFeatures.compute(profiles.getOrDefault(user, UserProfile.unknown(user)), h, at, v, bundle.spec());
    };
    MovieLensMetrics.HitRate item2vec = MovieLensMetrics.nextItemHitRateAt10(log, at, user -> {
      UserFeatures u = features.apply(user);
      return u == null ? null : u.vector;
    }, movies);
    ScoringContext ctx = new ScoringContext(at, Platform.WEB, bundle.spec().neutralSlot());
    MovieLensMetrics.HitRate ranked = MovieLensMetrics.nextItemHitRate(log, at, (user, candidates) -> {
      UserFeatures u = features.apply(user);
      // A movie missing from the bundle's catalog cannot be scored; it ranks last, as with item2vec.
      double[] scores = new double[candidates.size()];
      List<Integer> known = new ArrayList<>();
      for (int i = 0; i < scores.length; i++) {
        if (model.banner(candidates.get(i)) != null) {
          known.add(i);
        } else {
          scores[i] = Double.NEGATIVE_INFINITY;
        }
      }
      BannerFeatures[] c = new BannerFeatures[known.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = model.banner(candidates.get(known.get(i)));
      }
      float[] p = new float[c.length];
      model.predict(u, ctx, c, c.length, p);
      for (int i = 0; i < p.length; i++) {
        scores[known.get(i)] = p[i];
      }
      return scores;
    }, MovieLensMetrics.K);
    return new EvaluationReport.MovieLens(gc.model(), gc.chance(), ranked.model(), item2vec.model(),
        ranked.popularity(), ranked.users());
  }

  /**
   * Every user's history just before {@code time}, replayed with the training sweep's rules: in time order,
   * product events before impressions of the same second.
   */
  static Map<String, UserHistory> historiesBefore(EventLog log, Bundle bundle, BannerFeatures[] byIndex, long time) {
    Map<String, BannerFeatures> banners = new HashMap<>();
    for (BannerFeatures b : byIndex) {
      if (b != null) {
        banners.put(b.banner().id(), b);
      }
    }
    Map<String, UserHistory> out = new HashMap<>();
    new dev.bannerranker.trainer.dataset.HistoryReplay(log.events(), log.impressions()).advanceTo(time,
        ev -> DatasetBuilder.applyEvent(history(out, ev.userId(), bundle), ev, bundle.vocab()),
        imp -> DatasetBuilder.applyImpression(history(out, imp.userId(), bundle), banners.get(imp.bannerId()),
            imp.timestamp(), imp.clicked()));
    return out;
  }

  private static UserHistory history(Map<String, UserHistory> histories, String user, Bundle bundle) {
    return histories.computeIfAbsent(user, k -> UserHistory.forSpec(bundle.spec()));
  }
}
