package dev.bannerranker.trainer.sessions;

import dev.bannerranker.bundle.Checksums;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.trainer.eval.ClickMetrics;
import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.item2vec.Item2VecTrainer;
import dev.bannerranker.trainer.pipeline.ProblemReport;
import dev.bannerranker.trainer.pipeline.TrainingPipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * item2vec on a session log: training (optionally tuned on a validation slice) into an {@link ItemVectorBundle}, and
 * the next-item judgement against popularity and item-KNN.
 *
 * <p>The split is by time: sessions ordered by start, the latest {@code testFraction} are the test, the
 * {@code validFraction} before them the validation, the rest the training sessions. Tuning trains on the training
 * sessions and scores on the validation ones; the bundle's vectors are then trained with the chosen values on training
 * plus validation, and the evaluation's popularity and item-KNN count over the same sessions.
 */
public final class SessionPipeline {
  private SessionPipeline() {}

  public static final String FORMAT = "sessions";
  public static final String PROBLEMS_FILE = TrainingPipeline.PROBLEMS_FILE;
  /** The manifest's {@code hyperparameters} key for item2vec's {@link NextItem.Scoring}. */
  static final String SCORING_KEY = "item2vec_scoring";
  public static final int BOOTSTRAP_RESAMPLES = 1000;

  public record Split(List<SessionLog.Session> train, List<SessionLog.Session> validation,
      List<SessionLog.Session> test) {
    public List<SessionLog.Session> trainAndValidation() {
      List<SessionLog.Session> all = new ArrayList<>(train);
      all.addAll(validation);
      return all;
    }
  }

  public static Split split(List<SessionLog.Session> sessions, double validFraction, double testFraction) {
    if (!(validFraction > 0 && testFraction > 0 && validFraction + testFraction < 1)) {
      throw new IllegalArgumentException("--valid-fraction and --test-fraction must be > 0 with a sum below 1, got "
          + validFraction + " and " + testFraction);
    }
    int n = sessions.size();
    int test = (int) Math.round(n * testFraction);
    int valid = (int) Math.round(n * validFraction);
    if (test < 1 || valid < 1 || n - test - valid < 1) {
      throw new BadInputException("the session log has " + n + " sessions: too few to split into training, "
          + "validation (" + validFraction + ") and test (" + testFraction + ") sessions");
    }
    return new Split(sessions.subList(0, n - test - valid), sessions.subList(n - test - valid, n - test),
        sessions.subList(n - test, n));
  }

  /** The log read with its problems printed and written to {@code problemsFile}, as for the other formats. */
  public static SessionLog read(Path data, double maxBad, Path problemsFile, Path shownAs, PrintStream err)
      throws IOException {
    SessionLog log;
    try {
      log = SessionLogReader.read(data, maxBad);
    } catch (DataProblems.TooManyBadRows e) {
      ProblemReport.write(e.problems(), problemsFile);
      throw new BadInputException(e.getMessage() + "\nevery malformed row found is listed in " + problemsFile, e);
    }
    ProblemReport.report(log.problems(), problemsFile, shownAs, err);
    return log;
  }

  /** The sessions' item lists with at least two items: a lone item has no context to learn from. */
  static List<List<String>> sentences(List<SessionLog.Session> sessions) {
    List<List<String>> out = new ArrayList<>();
    for (SessionLog.Session s : sessions) {
      if (s.items().size() >= 2) {
        out.add(s.items());
      }
    }
    return out;
  }

  /** item2vec's input and output vectors, rows in the catalog's order (null where item2vec gave none). */
  record Vectors(float[][] inputs, float[][] outputs) {}

  static Vectors train(List<SessionLog.Session> sessions, NextItem.Catalog catalog, Item2VecConfig cfg) {
    Item2VecTrainer.Result r = Item2VecTrainer.train(sentences(sessions), cfg, null);
    float[][] in = new float[catalog.size()][];
    float[][] out = new float[catalog.size()][];
    for (int i = 0; i < in.length; i++) {
      in[i] = r.vectors().get(catalog.id(i));
      out[i] = r.outputs().get(catalog.id(i));
    }
    return new Vectors(in, out);
  }

  // ---------------------------------------------------------------- tuning

  static final int[] EPOCHS = {5, 10, 20, 40};
  static final int[] WINDOWS = {2, 3, 5, 10};
  static final int[] NEGATIVES = {5, 10, 20};
  static final double[] SUBSAMPLING = {0, 1e-5, 1e-4, 1e-3};

  /**
   * One tuning trial: the values tried, the scoring that did best with them (each of {@link NextItem.Scoring#CHOICES}
   * is judged on the same vectors, so the choice costs no training) and its validation figures.
   */
  public record Trial(Item2VecConfig config, NextItem.Scoring scoring, double hitRate, double mrr) {}

  /**
   * The configurations tried: {@code base} first, then distinct random points of the grid (epochs × window ×
   * negatives × subsampling), drawn with {@code base}'s seed; {@code budget} in all.
   */
  static List<Item2VecConfig> candidates(Item2VecConfig base, int budget) {
    List<Item2VecConfig> all = new ArrayList<>();
    for (int e : EPOCHS) {
      for (int w : WINDOWS) {
        for (int n : NEGATIVES) {
          for (double s : SUBSAMPLING) {
            all.add(with(base, e, w, n, s));
          }
        }
      }
    }
    all.remove(base);
    java.util.Collections.shuffle(all, new java.util.Random(base.seed()));
    List<Item2VecConfig> out = new ArrayList<>();
    out.add(base);
    out.addAll(all.subList(0, Math.min(all.size(), budget - 1)));
    return out;
  }

  static Item2VecConfig with(Item2VecConfig c, int epochs, int window, int negatives, double subsampling) {
    return new Item2VecConfig(c.dimension(), window, negatives, epochs, c.minCount(), subsampling, c.learningRate(),
        c.sessionGapMinutes(), c.workers(), c.seed());
  }

  /** Tries each configuration on the training sessions, scored by next-item HR@20 on the validation sessions. */
  public static List<Trial> tune(Split split, List<Item2VecConfig> configs, PrintStream out) {
    NextItem.Catalog catalog = new NextItem.Catalog(split.train());
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      Item2VecConfig c = configs.get(i);
      Vectors v = train(split.train(), catalog, c);
      Trial trial = null;
      for (NextItem.Scoring scoring : NextItem.Scoring.CHOICES) {
        if (!NextItem.Scoring.COSINE.equals(scoring) && c.negatives() < 1) {
          continue;
        }
        NextItem.Scores s = NextItem.judge(NextItem.item2vec(catalog, v.inputs(), v.outputs(), scoring), catalog,
            split.validation(), NextItem.K);
        if (trial == null || s.hitRate() > trial.hitRate()) {
          trial = new Trial(c, scoring, s.hitRate(), s.mrr());
        }
      }
      trials.add(trial);
      out.printf(java.util.Locale.ROOT, "tuning %d/%d: epochs %d, window %d, negatives %d, subsampling %s: "
          + "validation HR@20 %.4f, MRR@20 %.4f (scoring %s)%n", i + 1, configs.size(), c.epochs(), c.window(),
          c.negatives(), c.subsampling(), trial.hitRate(), trial.mrr(), describe(trial.scoring()));
    }
    return trials;
  }

  static String describe(NextItem.Scoring s) {
    return NextItem.Scoring.COSINE_METHOD.equals(s.method()) ? s.method()
        : String.format(java.util.Locale.ROOT, "%s, last %d items, decay %s", s.method(), s.recent(), s.decay());
  }

  /** The trial with the highest validation hit rate; the earlier one on a tie. */
  public static Trial best(List<Trial> trials) {
    Trial best = trials.get(0);
    for (Trial t : trials) {
      if (t.hitRate() > best.hitRate()) {
        best = t;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------- train

  public record TrainSettings(Path data, Path out, boolean force, double maxBad, Item2VecConfig item2vec,
      boolean tune, int tuneBudget, double validFraction, double testFraction) {}

  public static ItemVectorBundle trainBundle(TrainSettings o, PrintStream out, PrintStream err) throws IOException {
    if (o.tune() && (o.tuneBudget() < 1 || o.tuneBudget() > 48)) {
      throw new IllegalArgumentException("--i2v-tune-budget must be in [1, 48], got " + o.tuneBudget());
    }
    dev.bannerranker.cli.OutputPaths.checkBundleTarget("--out", o.out(), o.force());
    Path problems = Files.createTempFile("sessions-problems", ".csv");
    try {
      Files.delete(problems);
      SessionLog log = read(o.data(), o.maxBad(), problems, o.out().resolve(PROBLEMS_FILE), err);
      Split split = split(log.sessions(), o.validFraction(), o.testFraction());
      out.printf("sessions: %d (training %d, validation %d, test %d), items %d%n", log.sessions().size(),
          split.train().size(), split.validation().size(), split.test().size(),
          new NextItem.Catalog(log.sessions()).size());
      Item2VecConfig chosen = o.item2vec();
      NextItem.Scoring scoring = chosen.negatives() < 1 ? NextItem.Scoring.COSINE : NextItem.Scoring.LAST_ITEM;
      List<Trial> trials = List.of();
      if (o.tune()) {
        trials = tune(split, candidates(o.item2vec(), o.tuneBudget()), out);
        chosen = best(trials).config();
        scoring = best(trials).scoring();
        out.printf(java.util.Locale.ROOT, "chosen: epochs %d, window %d, negatives %d, subsampling %s, scoring %s%n",
            chosen.epochs(), chosen.window(), chosen.negatives(), chosen.subsampling(), describe(scoring));
      }
      List<SessionLog.Session> fit = split.trainAndValidation();
      Item2VecTrainer.Result trained = Item2VecTrainer.train(sentences(fit), chosen, null);
      Map<String, float[]> vectors = trained.vectors();
      List<String> items = new ArrayList<>(new java.util.TreeSet<>(vectors.keySet()));
      float[][] matrix = new float[items.size()][];
      // without negatives skip-gram has no output vectors; zeros keep the tensor's shape and cosine is the scoring
      float[][] outputs = new float[items.size()][];
      List<String> categories = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        matrix[i] = vectors.get(items.get(i));
        outputs[i] = trained.outputs().getOrDefault(items.get(i), new float[matrix[i].length]);
        categories.add(log.categories().getOrDefault(items.get(i), ""));
      }
      ItemVectorBundle bundle = new ItemVectorBundle(manifest(o, chosen, scoring, trials, log, split), items,
          categories, matrix, outputs);
      bundle.write(o.out(), o.force(),
          Files.exists(problems) ? Map.of(PROBLEMS_FILE, problems) : Map.of());
      out.printf("wrote %s: %d item vectors of dimension %d%n", o.out(), items.size(), chosen.dimension());
      return bundle;
    } finally {
      Files.deleteIfExists(problems);
    }
  }

  private static Map<String, Object> manifest(TrainSettings o, Item2VecConfig c, NextItem.Scoring scoring,
      List<Trial> trials, SessionLog log, Split split) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", ItemVectorBundle.KIND);
    m.put("formatVersion", ItemVectorBundle.FORMAT_VERSION);
    String created = Instant.now().toString();
    m.put("modelVersion", "item2vec-" + created.replaceAll("[^0-9]", "").substring(0, 14) + "-s" + c.seed());
    m.put("createdAt", created);
    m.put("dataFingerprint", fingerprint(o.data()));
    dev.bannerranker.BuildInfo build = dev.bannerranker.BuildInfo.current();
    m.put("provenance", new dev.bannerranker.bundle.Provenance("banner-ranker-model-trainer " + build.version(),
        build.commit(), System.getProperty("java.version"), build.dl4jVersion(), dev.bannerranker.BuildInfo.osArch(),
        o.data().toAbsolutePath().normalize().toString(), FORMAT, List.of(SessionLogReader.FILE)));
    Map<String, Object> hp = new LinkedHashMap<>();
    hp.put("item2vec", c);
    hp.put("item2vec_tuned", o.tune());
    hp.put(SCORING_KEY, scoring);
    hp.put("trained_on", "training and validation sessions");
    hp.put("valid_fraction", o.validFraction());
    hp.put("test_fraction", o.testFraction());
    m.put("hyperparameters", hp);
    if (!trials.isEmpty()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Trial t : trials) {
        Map<String, Object> r = new LinkedHashMap<>(tunedValues(t.config()));
        r.put("scoring", t.scoring());
        r.put("validation_hr_at_20", t.hitRate());
        r.put("validation_mrr_at_20", t.mrr());
        rows.add(r);
      }
      Map<String, Object> tuning = new LinkedHashMap<>();
      tuning.put("scored_by", "next-item HR@20 on the validation sessions, item2vec trained on the training sessions");
      tuning.put("trials", rows);
      tuning.put("chosen", trials.indexOf(best(trials)));
      m.put("tuning", tuning);
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("sessions", log.sessions().size());
    data.put("training_sessions", split.train().size());
    data.put("validation_sessions", split.validation().size());
    data.put("test_sessions", split.test().size());
    data.put("rows", ProblemReport.summary(log.problems()));
    m.put("data", data);
    return m;
  }

  static Map<String, Object> tunedValues(Item2VecConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epochs", c.epochs());
    m.put("window", c.window());
    m.put("negatives", c.negatives());
    m.put("subsampling", c.subsampling());
    return m;
  }

  static String fingerprint(Path data) throws IOException {
    return Checksums.sha256(data.resolve(SessionLogReader.FILE));
  }

  // ---------------------------------------------------------------- evaluate

  /** Writes {@code report.json} with the next-item figures of the bundle and both baselines on the test sessions. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> evaluate(Path data, Path bundleDir, Path reportDir, double maxBad, int knnWindow,
      PrintStream out, PrintStream err) throws IOException {
    ItemVectorBundle bundle = ItemVectorBundle.load(bundleDir);
    dev.bannerranker.cli.OutputPaths.checkDirectory("--report", reportDir);
    Files.createDirectories(reportDir);
    SessionLog log = read(data, maxBad, reportDir.resolve(PROBLEMS_FILE), reportDir.resolve(PROBLEMS_FILE), err);
    if (!fingerprint(data).equals(bundle.manifest().get("dataFingerprint"))) {
      err.println("note: " + data.resolve(SessionLogReader.FILE) + " is not the file the bundle was trained on; "
          + "the test sessions may have been seen in training");
    }
    Map<String, Object> hp = (Map<String, Object>) bundle.manifest().get("hyperparameters");
    if (!(hp.get("valid_fraction") instanceof Number valid) || !(hp.get("test_fraction") instanceof Number test)) {
      throw new dev.bannerranker.bundle.BundleException(bundleDir.resolve(ItemVectorBundle.MANIFEST)
          + ": hyperparameters.valid_fraction or test_fraction is missing");
    }
    Split split = split(log.sessions(), valid.doubleValue(), test.doubleValue());
    List<SessionLog.Session> fit = split.trainAndValidation();
    NextItem.Catalog catalog = new NextItem.Catalog(fit);
    Map<String, Integer> rows = bundle.indexById();
    float[][] vectors = new float[catalog.size()][];
    float[][] outputs = bundle.outputs() == null ? null : new float[catalog.size()][];
    for (int i = 0; i < vectors.length; i++) {
      Integer r = rows.get(catalog.id(i));
      vectors[i] = r == null ? null : bundle.vectors()[r];
      if (outputs != null) {
        outputs[i] = r == null ? null : bundle.outputs()[r];
      }
    }
    NextItem.Scoring scoring = scoring(bundle, bundleDir);
    Map<String, Object> report = report(catalog, fit, split.test(), vectors, outputs, scoring, knnWindow);
    Map<String, Object> next = (Map<String, Object>) report.get("next_item");
    next.put("bundle", bundle.manifest().get("modelVersion"));
    next.put("item2vec_hyperparameters", hp.get("item2vec"));
    next.put("item2vec_tuned", hp.get("item2vec_tuned"));
    BundleIOJson.write(reportDir.resolve("report.json"), report);
    Map<String, Object> hr = (Map<String, Object>) next.get("hr_at_20");
    Map<String, Object> mrr = (Map<String, Object>) next.get("mrr_at_20");
    out.printf(java.util.Locale.ROOT, "next item on %d test sessions (%d predictions):%n", split.test().size(),
        (Long) next.get("predictions"));
    for (String k : List.of("item2vec", "popularity", "item_knn")) {
      out.printf(java.util.Locale.ROOT, "  %-10s HR@20 %.4f  MRR@20 %.4f%n", k, (Double) hr.get(k), (Double) mrr.get(k));
    }
    Map<String, Object> diff = (Map<String, Object>) ((Map<String, Object>) next.get("item2vec_minus_item_knn"))
        .get("hr_at_20");
    out.printf(java.util.Locale.ROOT, "  item2vec - item_knn HR@20 %+.4f [%+.4f, %+.4f]%n", (Double) diff.get("estimate"),
        (Double) diff.get("low"), (Double) diff.get("high"));
    out.println("wrote " + reportDir.resolve("report.json"));
    return report;
  }

  /** The bundle's scoring: cosine for a format-1 bundle (input vectors only), else the one its manifest names. */
  @SuppressWarnings("unchecked")
  static NextItem.Scoring scoring(ItemVectorBundle bundle, Path bundleDir) {
    if (bundle.outputs() == null) {
      return NextItem.Scoring.COSINE;
    }
    Object hp = bundle.manifest().get("hyperparameters");
    Object s = hp instanceof Map<?, ?> m ? m.get(SCORING_KEY) : null;
    try {
      if (s instanceof Map<?, ?> m && m.get("method") instanceof String method
          && m.get("recent") instanceof Number recent && m.get("decay") instanceof Number decay) {
        return new NextItem.Scoring(method, recent.intValue(), decay.doubleValue());
      }
    } catch (IllegalArgumentException e) {
      throw new dev.bannerranker.bundle.BundleException(bundleDir.resolve(ItemVectorBundle.MANIFEST)
          + ": hyperparameters." + SCORING_KEY + ": " + e.getMessage());
    }
    throw new dev.bannerranker.bundle.BundleException(bundleDir.resolve(ItemVectorBundle.MANIFEST)
        + ": hyperparameters." + SCORING_KEY + " (method, recent, decay) is missing or malformed");
  }

  /** The {@code next_item} section: the figures of the three predictors and item2vec − item-KNN with its interval. */
  public static Map<String, Object> report(NextItem.Catalog catalog, List<SessionLog.Session> fit,
      List<SessionLog.Session> test, float[][] vectors, float[][] outputs, NextItem.Scoring scoring, int knnWindow) {
    NextItem.Scores i2v = NextItem.judge(NextItem.item2vec(catalog, vectors, outputs, scoring), catalog, test,
        NextItem.K);
    NextItem.Scores pop = NextItem.judge(NextItem.popularity(catalog), catalog, test, NextItem.K);
    NextItem.Scores knn = NextItem.judge(NextItem.itemKnn(catalog, fit, knnWindow), catalog, test, NextItem.K);
    if (i2v.predictions() == 0) {
      throw new BadInputException("the test sessions have no item to predict (each holds one item, or only repeats)");
    }
    Map<String, Object> hr = new LinkedHashMap<>();
    hr.put("item2vec", i2v.hitRate());
    hr.put("popularity", pop.hitRate());
    hr.put("item_knn", knn.hitRate());
    Map<String, Object> mrr = new LinkedHashMap<>();
    mrr.put("item2vec", i2v.mrr());
    mrr.put("popularity", pop.mrr());
    mrr.put("item_knn", knn.mrr());
    Map<String, Object> diff = new LinkedHashMap<>();
    diff.put("hr_at_20", interval(ClickMetrics.rateDifference(i2v.hits(), knn.hits(), i2v.judged(),
        BOOTSTRAP_RESAMPLES, 1)));
    diff.put("mrr_at_20", interval(ClickMetrics.rateDifference(i2v.reciprocalRanks(), knn.reciprocalRanks(),
        i2v.judged(), BOOTSTRAP_RESAMPLES, 2)));
    Map<String, Object> next = new LinkedHashMap<>();
    next.put("hr_at_20", hr);
    next.put("mrr_at_20", mrr);
    next.put("predictions", i2v.predictions());
    next.put("test_sessions", test.size());
    next.put("catalog_items", catalog.size());
    next.put("item_knn_window", knnWindow);
    next.put(SCORING_KEY, scoring);
    next.put("item2vec_minus_item_knn", diff);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("format", FORMAT);
    report.put("next_item", next);
    return report;
  }

  private static Map<String, Object> interval(ClickMetrics.AucDifference d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("estimate", d.estimate());
    m.put("low", d.low());
    m.put("high", d.high());
    m.put("resamples", d.resamples());
    m.put("clusters", "sessions");
    return m;
  }

  private static final class BundleIOJson {
    static void write(Path file, Object value) throws IOException {
      dev.bannerranker.bundle.BundleIO.json().writeValue(file.toFile(), value);
    }
  }
}
