package dev.bannerranker.trainer.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
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
import dev.bannerranker.trainer.eval.ReportWriter;
import dev.bannerranker.trainer.movielens.MovieLensMetrics;
import dev.bannerranker.trainer.movielens.MovieLensReader;
import dev.bannerranker.trainer.progress.Progress;
import dev.bannerranker.trainer.widedeep.RowEncoder;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import dev.bannerranker.trainer.widedeep.WideDeepNetwork;
import dev.bannerranker.trainer.widedeep.WideDeepTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

  public static Map<String, Object> run(Path data, DataFormat format, Path bundleDir, Path reportDir, double maxBad,
      boolean progress, PrintStream out, PrintStream err) throws IOException {
    long t0 = System.nanoTime();
    dev.bannerranker.cli.OutputPaths.checkDirectory("--report", reportDir);
    Bundle bundle = BundleIO.load(bundleDir);
    ScoringModel model = ScoringModel.of(bundle);
    Map<String, Object> prov = bundle.manifest().provenance();
    Object trainedFormat = prov == null ? null : prov.get("data_format");
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
    int[] train = ds.rowsOf(TimeSplit.TRAIN);
    int[] valid = ds.rowsOf(TimeSplit.VALID);
    int[] test = ds.rowsOf(TimeSplit.TEST);
    BannerFeatures[] byIndex = DatasetBuilder.bannersByIndex(bundle.catalog(), vocab, bundle.vectors(),
        bundle.bannerStats());
    RowEncoder rows = new RowEncoder(model.encoder(), ds, byIndex);
    boolean[] y = QuickMetrics.labels(ds, test);

    Map<String, Object> report = new LinkedHashMap<>();
    Map<String, ClickMetrics.RocCurve> rocs = new LinkedHashMap<>();
    float[] p = QuickMetrics.predict(model, rows, test);
    for (int i = 0; i < p.length; i++) {
      if (!Float.isFinite(p[i])) {
        // checksums only prove the files are the ones written; a model written broken scores NaN
        throw new dev.bannerranker.bundle.BundleException(bundleDir + ": the model scores " + p[i] + " for test row "
            + (i + 1) + " of " + p.length + "; its weights are broken (retrain it)");
      }
    }
    report.put("model_version", bundle.modelVersion());
    report.put("test_rows", test.length);
    report.put("test_clicks", count(y));
    report.put("auc", ClickMetrics.auc(p, y));
    report.put("logloss", ClickMetrics.logLoss(p, y));
    report.put("ece", ClickMetrics.expectedCalibrationError(p, y, ECE_BINS));
    report.put("ndcg_at_5", ClickMetrics.ndcgAtK(groups(ds, test), p, y, NDCG_K));
    rocs.put("wide & deep", ClickMetrics.roc(p, y, 400));
    if (log.hasTruth()) {
      float[] truth = new float[test.length];
      for (int i = 0; i < test.length; i++) {
        truth[i] = ds.trueCtr[test[i]];
      }
      String why = putOracle(truth, y, report, rocs, () -> log.impressions().stream()
          .filter(imp -> imp.timestamp() >= split.testStart() && !log.trueCtr().containsKey(imp.impressionId()))
          .map(dev.bannerranker.data.Impression::impressionId).findFirst().orElse("?"));
      if (why != null) {
        err.println("warning: " + why);
      }
    }

    Map<String, Object> baselines = new LinkedHashMap<>();
    FeatureEncoder enc = model.encoder();
    float[] pop = new float[test.length];
    float[] cos = new float[test.length];
    int cs = FeatureEncoder.CROSS_SCALARS.size();
    for (int i = 0; i < test.length; i++) {
      BannerFeatures b = byIndex[ds.bannerIdx[test[i]]];
      pop[i] = (float) (1 / (1 + Math.exp(-enc.ctrLogit(b.clicks(), b.impressions()))));
      cos[i] = (float) ds.crossScalars[test[i] * cs];
    }
    int[] users = groups(ds, test);
    baselines.put("popularity", baseline(p, pop, y, users, true,
        "banner CTR of the training days, shrunk toward the global CTR"));
    rocs.put("popularity", ClickMetrics.roc(pop, y, 400));
    baselines.put("item2vec_cosine", baseline(p, cos, y, users, false,
        "cosine of the user vector and the banner vector alone (a ranking score, not a probability)"));
    rocs.put("item2vec cosine", ClickMetrics.roc(cos, y, 400));
    WideDeepConfig base = wideDeepConfig(bundle);
    List<WideDeepConfig.Mode> modes = List.of(WideDeepConfig.Mode.WIDE_ONLY, WideDeepConfig.Mode.DEEP_ONLY);
    // The two baselines are independent networks, each trained on one thread (OMP_NUM_THREADS=1), so with two cores
    // they train side by side; each keeps its own seed and ND4J's per-thread random state, so results do not change.
    boolean parallel = Runtime.getRuntime().availableProcessors() >= 2;
    if (parallel) {
      out.println("training the wide-only and deep-only baselines side by side");
    }
    List<Future<TrainedBaseline>> trained = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(parallel ? modes.size() : 1);
    // Side by side, the two share one bar; its total grows by an epoch's batches as either starts an epoch, so the
    // ETA is that of the epochs under way (early stopping decides how many follow).
    Progress shared = progress && parallel ? Progress.start(true, "baselines", 0, "batches") : null;
    try {
      for (WideDeepConfig.Mode mode : modes) {
        WideDeepConfig cfg = base.withMode(mode);
        trained.add(pool.submit(() -> {
          var net = WideDeepNetwork.build(bundle.spec(), cfg);
          // Only the test predictions are reported: no training-loss curve for the baselines.
          long start = System.nanoTime();
          var fit = WideDeepTrainer.train(net, rows, ds, train, valid, cfg, progress && !parallel, false, shared);
          return new TrainedBaseline(WideDeepTrainer.predict(net, rows, test, cfg), fit, (System.nanoTime() - start) / 1e9);
        }));
      }
      List<TrainedBaseline> done = new ArrayList<>();
      for (int m = 0; m < modes.size(); m++) {
        done.add(Background.await(trained.get(m), "training the " + modes.get(m) + " baseline"));
      }
      if (shared != null) {
        shared.close(); // before the lines below, which the bar's redraws would otherwise cut into
      }
      for (int m = 0; m < modes.size(); m++) {
        WideDeepConfig.Mode mode = modes.get(m);
        TrainedBaseline tb = done.get(m);
        float[] q = tb.test();
        String name = mode == WideDeepConfig.Mode.WIDE_ONLY ? "wide_only" : "deep_only";
        Map<String, Object> entry = baseline(p, q, y, users, true, mode == WideDeepConfig.Mode.WIDE_ONLY
            ? "logistic regression on the hashed wide crosses" : "the deep side alone, same features and sizes");
        baselines.put(name, entry);
        rocs.put(name.replace('_', '-'), ClickMetrics.roc(q, y, 400));
        Map<?, ?> d = (Map<?, ?>) entry.get("auc_difference");
        out.printf("baseline %s: AUC %.4f; wide & deep - baseline %+.4f, 95%% interval [%+.4f, %+.4f]; trained in %.1f s, "
            + "best after %.2f of %.2f epochs%n", name, (double) entry.get("auc"), (double) d.get("estimate"),
            (double) d.get("ci95_low"), (double) d.get("ci95_high"), tb.seconds(), tb.fit().bestEpoch(),
            tb.fit().epochsTrained());
      }
    } finally {
      pool.shutdownNow();
      if (shared != null) {
        shared.close();
      }
    }
    report.put("baselines", baselines);

    Map<String, String> brandCategory = dominantCategory(log);
    ItemVectors v = bundle.vectors();
    Map<String, Object> i2v = new LinkedHashMap<>();
    i2v.put("category_precision_at_10", categoryPrecisionAt10(vocab, v, brandCategory));
    i2v.put("tokens_per_second", bundle.manifest().training().get("item2vec_tokens_per_second"));
    report.put("item2vec", i2v);
    if (format == DataFormat.MOVIELENS) {
      report.put("movielens", movieLensMetrics(data, log, model, byIndex, split));
    }
    report.put("goals", goals(report));
    report.put("seconds", (System.nanoTime() - t0) / 1e9);

    List<ReportWriter.Curve> loss = lossCurves(bundle.manifest().training());
    ReportWriter.write(reportDir, "banner-ranker evaluation: " + bundle.modelVersion(), report, rocs,
        ClickMetrics.calibration(p, y, ECE_BINS), loss, brandMap(vocab, v, brandCategory));
    out.printf("test: AUC %.4f (oracle %s), logloss %.5f, ECE %.4f, NDCG@5 %.4f; report in %s%n",
        (double) report.get("auc"), report.containsKey("oracle_auc") ? String.format("%.4f", (double) report.get("oracle_auc")) : "n/a",
        (double) report.get("logloss"), (double) report.get("ece"), (double) report.get("ndcg_at_5"), reportDir);
    return report;
  }

  /**
   * Puts the oracle's AUC, logloss and ROC into the report, from the true click probability of each test row; or,
   * when some row has none (NaN), returns why there are no oracle figures and records that as
   * {@code oracle_unavailable}: an oracle over part of the test day would not compare with the model's figures.
   */
  static String putOracle(float[] truth, boolean[] y, Map<String, Object> report,
      Map<String, ClickMetrics.RocCurve> rocs, java.util.function.Supplier<String> firstMissingId) {
    int missing = 0;
    for (float t : truth) {
      missing += Float.isNaN(t) ? 1 : 0;
    }
    if (missing == 0) {
      report.put("oracle_auc", ClickMetrics.auc(truth, y));
      report.put("oracle_logloss", ClickMetrics.logLoss(truth, y));
      rocs.put("oracle (true CTR)", ClickMetrics.roc(truth, y, 400));
      return null;
    }
    String why = String.format("%s has no true_ctr for %d of %d test impressions (first: '%s'); no oracle figures",
        dev.bannerranker.data.CsvSchemas.TRUTH_FILE, missing, truth.length, firstMissingId.get());
    report.put("oracle_unavailable", why);
    return why;
  }

  static TimeSplit splitOf(Bundle bundle) {
    Object s = bundle.manifest().training() == null ? null : bundle.manifest().training().get("split");
    if (!(s instanceof Map<?, ?> m) || m.get("valid_start") == null || m.get("test_start") == null) {
      throw new dev.bannerranker.bundle.BundleException("manifest.json: training.split is missing; cannot find the test days");
    }
    return new TimeSplit(Instant.parse(m.get("valid_start").toString()).getEpochSecond(),
        Instant.parse(m.get("test_start").toString()).getEpochSecond());
  }

  private static WideDeepConfig wideDeepConfig(Bundle bundle) {
    Object h = bundle.manifest().hyperparameters().get("wide_deep");
    return new ObjectMapper().convertValue(h, WideDeepConfig.class);
  }

  /** A retrained baseline's test predictions, how its training went, and how long it took. */
  private record TrainedBaseline(float[] test, WideDeepTrainer.Result fit, double seconds) {}

  /** Resamples of the paired bootstrap of each baseline's AUC gap; its seed is fixed so reports are reproducible. */
  static final int BOOTSTRAP_RESAMPLES = 1000;
  private static final long BOOTSTRAP_SEED = 20_260_315L;

  /**
   * A baseline's report entry: its AUC (and logloss when it is a probability), and the model's AUC lead over it with
   * a 95 % interval from a paired bootstrap over the test day's users ({@link ClickMetrics#aucDifference}).
   */
  private static Map<String, Object> baseline(float[] model, float[] baseline, boolean[] y, int[] users,
      boolean probability, String description) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("auc", ClickMetrics.auc(baseline, y));
    if (probability) {
      m.put("logloss", ClickMetrics.logLoss(baseline, y));
    }
    ClickMetrics.AucDifference d = ClickMetrics.aucDifference(model, baseline, y, users, BOOTSTRAP_RESAMPLES,
        BOOTSTRAP_SEED);
    m.put("auc_difference", Map.of("estimate", d.estimate(), "ci95_low", d.low(), "ci95_high", d.high(),
        "resamples", d.resamples(), "clustered_by", "user"));
    m.put("description", description);
    return m;
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

  private static List<ReportWriter.MapPoint> brandMap(Vocabularies vocab, ItemVectors v, Map<String, String> brandCategory) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 1; i < v.brandCount(); i++) {
      if (!isZero(v.brand(i))) {
        idx.add(i);
      }
    }
    if (idx.size() < 3) {
      return List.of();
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
          reduced.getDouble(r, 0), reduced.getDouble(r, 1)));
    }
    return points;
  }

  /**
   * The manifest's loss curves against epochs trained; a manifest without validations_per_epoch (trainer ≤ 0.5) had
   * one validation per epoch. A curve the manifest lacks is left out.
   */
  static List<ReportWriter.Curve> lossCurves(Map<String, Object> t) {
    List<ReportWriter.Curve> out = new ArrayList<>();
    double perEpoch = t != null && t.get("validations_per_epoch") instanceof Number n ? n.doubleValue() : 1;
    Map<String, String> series = new LinkedHashMap<>();
    series.put("train_loss", "training");
    series.put("valid_loss", "validation");
    series.put("valid_loss_training_weights", "validation, training weights (not averaged)");
    for (String key : series.keySet()) {
      Object o = t == null ? null : t.get(key);
      if (o instanceof List<?> l && !l.isEmpty()) {
        double[] x = new double[l.size()];
        double[] yv = new double[l.size()];
        for (int i = 0; i < l.size(); i++) {
          x[i] = (i + 1) / perEpoch;
          yv[i] = ((Number) l.get(i)).doubleValue();
        }
        out.add(new ReportWriter.Curve(series.get(key), x, yv));
      }
    }
    return out;
  }

  private static Map<String, Object> goals(Map<String, Object> r) {
    Map<String, Object> g = new LinkedHashMap<>();
    double auc = (double) r.get("auc");
    if (r.containsKey("oracle_auc")) {
      g.put("auc_within_0.01_of_oracle", auc >= (double) r.get("oracle_auc") - 0.01);
    }
    g.put("ece_at_most_0.01", (double) r.get("ece") <= 0.01);
    boolean beats = true;
    for (Object b : ((Map<?, ?>) r.get("baselines")).values()) {
      beats &= auc > ((Number) ((Map<?, ?>) b).get("auc")).doubleValue();
    }
    g.put("ahead_of_every_baseline", beats);
    // The point estimates can lead by less than one test day's sampling noise; this says whether every lead is
    // beyond it (the point estimate ahead and the whole 95 % interval of the paired difference above zero).
    boolean significantly = beats;
    for (Object b : ((Map<?, ?>) r.get("baselines")).values()) {
      Map<?, ?> d = (Map<?, ?>) ((Map<?, ?>) b).get("auc_difference");
      significantly &= d != null && ((Number) d.get("ci95_low")).doubleValue() > 0;
    }
    g.put("significantly_ahead_of_every_baseline", significantly);
    return g;
  }

  /**
   * Genre consistency of nearest movies, and next-item hit rate@10 against popularity, both of the project's ranking
   * (the wide &amp; deep click probability at the test start, the service's scoring path) and of item2vec alone (the
   * user vector's cosine to each movie's vector).
   */
  private static Map<String, Object> movieLensMetrics(Path data, EventLog log, ScoringModel model,
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
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("genre_consistency_at_10", gc.model());
    m.put("genre_consistency_at_10_chance", gc.chance());
    m.put("next_item_hit_rate_at_10", ranked.model());
    m.put("next_item_hit_rate_at_10_item2vec", item2vec.model());
    m.put("next_item_hit_rate_at_10_popularity", ranked.popularity());
    m.put("next_item_test_users", ranked.users());
    return m;
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
    List<BehaviourEvent> events = log.events();
    List<Impression> imps = log.impressions();
    int e = 0;
    int i = 0;
    while (true) {
      boolean eventDue = e < events.size() && events.get(e).timestamp() < time;
      boolean impDue = i < imps.size() && imps.get(i).timestamp() < time;
      if (eventDue && (!impDue || events.get(e).timestamp() <= imps.get(i).timestamp())) {
        BehaviourEvent ev = events.get(e++);
        DatasetBuilder.applyEvent(history(out, ev.userId(), bundle), ev, bundle.vocab());
      } else if (impDue) {
        Impression imp = imps.get(i++);
        DatasetBuilder.applyImpression(history(out, imp.userId(), bundle), banners.get(imp.bannerId()),
            imp.timestamp(), imp.clicked());
      } else {
        return out;
      }
    }
  }

  private static UserHistory history(Map<String, UserHistory> histories, String user, Bundle bundle) {
    return histories.computeIfAbsent(user, k -> UserHistory.forSpec(bundle.spec()));
  }
}
