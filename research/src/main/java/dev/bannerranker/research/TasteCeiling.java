package dev.bannerranker.research;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.trainer.dataset.ModelVocabulary;
import dev.bannerranker.trainer.eval.ClickMetrics;
import dev.bannerranker.trainer.foldin.FoldInTrainer;
import dev.bannerranker.trainer.generate.WorldTruth;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How much of the oracle's lead over the model is recoverable from the logs at all (the "history-informed
 * oracle"). It scores the test day with the world's true click formula and true brand and category styles, but
 * with each shopper's latent taste (style vector and per-category taste noise) <em>estimated</em> from the
 * behaviour that precedes the impression: the maximum a posteriori fit of exactly the generator's browsing model
 * (category choices, brand choices within a category, add-to-cart, dwell, and optionally past banner clicks) under
 * the generator's prior. No model that sees only the logs can estimate the taste better than this on average, so
 * its AUC bounds what taste features can add. Variants restrict the evidence (before the test day, point in time,
 * the last 50 events) and compare simple share features. With {@code --bundle}, {@code --train-fold-in} or
 * {@code --true-style-fold-in} it also measures a fold-in taste: a bundle's, freshly trained factors, or the fold-in
 * solved against the world's own styles (which separates what the learned factors lose from what the fold-in's
 * simpler choice model loses).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar research/target/banner-ranker-research.jar \
 *       --data work/demo/data --scale demo --seed 42
 * </pre>
 *
 * The data directory must be the world that {@code generate} wrote with the same scale and seed (checked: the
 * banner ids and the user count must match).
 */
public final class TasteCeiling {
  private static final long DAY = 86_400;
  /** A landing-page view follows its banner click within this many seconds (scroll + home dwell + delay). */
  private static final long LANDING_WINDOW = WorldTruth.MAX_CLICK_TO_LANDING_SECONDS;
  /** Events further apart than this start a new visit, as in the fold-in's choice model. */
  private static final long VISIT_GAP = FoldInFactors.SESSION_GAP_SECONDS;
  /** The trainer's default {@code --recent-events}. */
  private static final int RECENT_EVENTS = 50;
  /** The trainer's default {@code --half-life-hours}, for the decayed share features. */
  private static final double SHARE_HALF_LIFE_HOURS = 168;
  /** Longest Newton step of the taste fit. */
  private static final double MAX_STEP = 1.0;

  private final WorldTruth truth;
  private final int nb;
  private final int nc;
  private final int dims;
  private final double[][] brandStyle;
  private final double[][] catStyle;
  private final int[][] brandsByCategory;
  private final double brandCoef; // a = brandCoef · v·s_b
  private final double catCoef; // t = catCoef · v·s_c + CATEGORY_NOISE · η_c

  // evidence kinds
  static final int CAT = 0;
  static final int BRAND = 1;
  static final int CART = 2;
  static final int DWELL = 3;
  static final int CLICK = 4;

  /** One piece of evidence about a user's taste. */
  record Item(int kind, long time, int eventRow, int a, int b, int c, double y, double offset) {}

  /** Learned fold-in factors measured against the truth, and their vocabulary; null for none. */
  private FoldInFactors foldFactors;
  /**
   * How many leading dimensions of the fold-in factors are style; any after them are the fixed price-tier ones,
   * which make the brand score {@code brand_b · v} part price preference. The formula's {@code a} is
   * style only (its price match is a separate term), so the style part is what is compared with it.
   */
  private int foldStyleDims;
  private Vocabularies foldVocab;
  private String foldLabel;
  private final Map<String, UserProfile> foldProfiles = new HashMap<>();

  TasteCeiling(WorldTruth truth) {
    this.truth = truth;
    nb = truth.brands();
    nc = truth.categories();
    dims = WorldTruth.STYLE_DIM + nc;
    brandStyle = new double[nb][];
    for (int b = 0; b < nb; b++) {
      brandStyle[b] = truth.brandStyle(b);
    }
    catStyle = new double[nc][];
    brandsByCategory = new int[nc][];
    for (int c = 0; c < nc; c++) {
      catStyle[c] = truth.categoryStyle(c);
    }
    brandCoef = WorldTruth.BRAND_STYLE * WorldTruth.INV_SQRT_DIM;
    catCoef = WorldTruth.CATEGORY_STYLE * WorldTruth.INV_SQRT_DIM;
  }

  /** The command line; at most one fold-in source. */
  @Command(name = "taste-ceiling", sortOptions = false,
      description = "How much of the oracle's lead over the model is recoverable from the logs: the world's true click "
          + "formula with each shopper's taste estimated from the behaviour before each test impression.")
  static final class Options {
    @Option(names = "--data", defaultValue = "work/demo/data",
        description = "The world's data directory, as generate wrote it. Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--scale", defaultValue = "demo", description = "The scale generate used. Default: ${DEFAULT-VALUE}.")
    String scale;

    @Option(names = "--seed", defaultValue = "42", description = "The seed generate used. Default: ${DEFAULT-VALUE}.")
    long seed;

    @ArgGroup(exclusive = true)
    FoldIn foldIn = new FoldIn();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
  }

  static final class FoldIn {
    @Option(names = "--bundle", paramLabel = "DIR", description = "Also measure this bundle's fold-in taste.")
    Path bundle;

    @Option(names = "--train-fold-in", paramLabel = "DIM:ROUNDS",
        description = "Also measure fold-in factors trained here with DIM dimensions for ROUNDS rounds.")
    String train;

    @Option(names = "--true-style-fold-in",
        description = "Also measure the fold-in solved against the world's own styles.")
    boolean trueStyles;
  }

  public static void main(String[] args) {
    try {
      run(args, System.out);
    } catch (IllegalArgumentException | BadInputException | IOException e) {
      System.err.println("taste-ceiling: " + e.getMessage());
      System.exit(2);
    }
  }

  /** Runs the study the arguments describe (see the class comment), writing its tables to {@code out}. */
  static void run(String[] args, PrintStream out) throws IOException {
    Options o = new Options();
    CommandLine cl = new CommandLine(o);
    try {
      cl.parseArgs(args);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage() + " (see --help)", e);
    }
    if (cl.isUsageHelpRequested()) {
      cl.usage(out);
      return;
    }
    Path data = o.data;
    String scale = o.scale;
    long seed = o.seed;
    Path bundle = o.foldIn.bundle;
    boolean trueStyles = o.foldIn.trueStyles;
    int trainDim = 0;
    int trainRounds = 0;
    if (o.foldIn.train != null) {
      String[] dr = o.foldIn.train.split(":", -1);
      try {
        trainDim = Integer.parseInt(dr[0]);
        trainRounds = dr.length == 2 ? Integer.parseInt(dr[1]) : -1;
      } catch (NumberFormatException e) {
        trainDim = -1;
      }
      if (trainDim <= 0 || trainRounds <= 0) {
        throw new IllegalArgumentException("--train-fold-in must be DIM:ROUNDS, two positive integers");
      }
    }
    TasteCeiling c = new TasteCeiling(new WorldTruth(scale, seed));
    if (bundle != null) {
      Bundle b = BundleIO.load(bundle);
      if (b.vectors().foldIn() == null) {
        throw new IllegalArgumentException(bundle + " has no fold-in factors (train it with --fold-in-dim)");
      }
      c.foldLabel = "bundle " + b.modelVersion();
      c.foldVocab = b.vocab();
      c.foldFactors = b.vectors().foldIn();
      Object tierDims = b.manifest().hyperparameters().get("fold_in_price_tier_dims");
      c.foldStyleDims = c.foldFactors.dim() - (tierDims == null ? 0 : ((Number) tierDims).intValue());
    } else if (trueStyles) {
      c.foldVocab = ModelVocabulary.build(EventLogReader.read(data, 0.0));
      c.foldLabel = "the world's true styles";
      c.foldFactors = c.trueStyleFactors();
      c.foldStyleDims = WorldTruth.STYLE_DIM;
    } else if (trainDim > 0) {
      EventLog log = EventLogReader.read(data, 0.0);
      long last = log.impressions().stream().mapToLong(x -> x.timestamp()).max().orElseThrow();
      c.foldVocab = ModelVocabulary.build(log);
      FoldInTrainer.Result r = FoldInTrainer.train(log, c.foldVocab, last - Math.floorMod(last, DAY), trainDim,
          trainRounds, 7);
      out.printf(Locale.ROOT, "fold-in k=%d: %d rounds in %.1f s, loss per round %s%n", trainDim, trainRounds,
          r.seconds(), r.lossPerRound());
      c.foldLabel = "trained k=" + trainDim + ", " + trainRounds + " rounds";
      c.foldFactors = r.factors();
      c.foldStyleDims = trainDim;
    }
    for (UserProfile p : EventLogReader.readUsers(data, new DataProblems(0.0))) {
      c.foldProfiles.put(p.id(), p);
    }
    c.run(data, out);
  }

  /**
   * Fold-in factors made of the world's own browsing model instead of learned ones, in the trainer's layout (the
   * style dimensions, then the price-tier ones): brand factor
   * {@code BROWSE_BRAND_AFFINITY · BRAND_STYLE / √STYLE_DIM · style_b}, category factor
   * {@code BROWSE_CATEGORY_TASTE · CATEGORY_STYLE / √STYLE_DIM · style_c}, the true brand popularity as the brand bias and the true popularity and gender
   * skew as the category bias. Solving the fold-in against them separates what the learned factors lose from what
   * the fold-in's simpler choice model loses (no dwell, carts or per-category taste noise).
   */
  FoldInFactors trueStyleFactors() {
    int dim = FoldInTrainer.factorDim(WorldTruth.STYLE_DIM);
    int brands = foldVocab.brands().cardinality();
    int categories = foldVocab.categories().cardinality();
    float[][] brand = new float[brands][dim];
    float[] brandBias = new float[brands];
    float[][] category = new float[categories][dim];
    float[][] categoryBias = new float[FoldInFactors.GENDERS][categories];
    float[][] membership = new float[categories][brands];
    double brandScale = WorldTruth.BROWSE_BRAND_AFFINITY * brandCoef;
    double categoryScale = WorldTruth.BROWSE_CATEGORY_TASTE * catCoef;
    for (int b = 0; b < nb; b++) {
      int i = bundleBrand(b);
      if (i <= 0) {
        continue; // never browsed before the test day: no factor, as in training
      }
      for (int d = 0; d < WorldTruth.STYLE_DIM; d++) {
        brand[i][d] = (float) (brandScale * brandStyle[b][d]);
      }
      FoldInTrainer.setPriceTierDims(brand[i], WorldTruth.STYLE_DIM, truth.brandTier(b));
      brandBias[i] = (float) truth.brandPopularity(b);
    }
    for (int c = 0; c < nc; c++) {
      int i = bundleCategory(c);
      if (i <= 0) {
        continue;
      }
      for (int d = 0; d < WorldTruth.STYLE_DIM; d++) {
        category[i][d] = (float) (categoryScale * catStyle[c][d]);
      }
      for (dev.bannerranker.data.Gender g : dev.bannerranker.data.Gender.values()) {
        // the generator numbers genders F, M, U as the enum does
        categoryBias[g.ordinal()][i] = (float) (truth.categoryPopularity(c)
            + WorldTruth.BROWSE_CATEGORY_GENDER * WorldTruth.genderSignOf(g.ordinal()) * truth.categorySkew(c));
      }
      for (int b : truth.brandsOfCategory(c)) {
        if (bundleBrand(b) > 0) {
          membership[i][bundleBrand(b)] = 1f;
        }
      }
    }
    return new FoldInFactors(brand, brandBias, category, categoryBias, membership);
  }

  /** The style part of the fold-in brand score: {@code brand_b · v} over the style dimensions only. */
  private double styleScore(float[] taste, int brandIdx) {
    if (taste == null) {
      return 0;
    }
    float[] f = foldFactors.brandFactors()[brandIdx];
    double s = 0;
    for (int d = 0; d < foldStyleDims; d++) {
      s += (double) f[d] * taste[d];
    }
    return s;
  }

  // ------------------------------------------------------------------ data

  private static long time(String iso) {
    return Instant.parse(iso).getEpochSecond();
  }

  private int userIndex(String id) {
    return Integer.parseInt(id.substring(2)) - 1;
  }

  private static Map<String, Integer> index(int n, java.util.function.IntFunction<String> name) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < n; i++) {
      m.put(name.apply(i), i);
    }
    return m;
  }

  private static List<String[]> read(Path file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      r.readLine();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        rows.add(line.split(",", -1));
      }
    }
    return rows;
  }

  void run(Path data, PrintStream out) throws IOException {
    long t0 = System.nanoTime();
    Map<String, Integer> brandIdx = index(nb, truth::brandName);
    Map<String, Integer> catIdx = index(nc, truth::categoryName);
    Map<String, int[]> banners = new HashMap<>(); // brand, category
    List<String> ids = truth.bannerIds();
    boolean sameWorld = true;
    for (String[] r : read(data.resolve("banners.csv"))) {
      Integer brand = brandIdx.get(r[1]);
      Integer category = catIdx.get(r[2]);
      int k = ids.indexOf(r[0]);
      if (brand == null || category == null || k < 0 || truth.bannerBrand(k) != brand
          || truth.bannerCategory(k) != category) {
        sameWorld = false;
        break;
      }
      banners.put(r[0], new int[] {brand, category, k});
    }
    if (!sameWorld || banners.size() != ids.size()) {
      throw new IllegalArgumentException("banners.csv is not the world of this scale and seed");
    }
    int users = truth.users();
    // events per user: time, type, brand, category, tier, dwell*10
    List<List<long[]>> events = new ArrayList<>();
    List<List<long[]>> imps = new ArrayList<>(); // time, brand, category, clicked, test?, ctr*1e9
    for (int u = 0; u < users; u++) {
      events.add(new ArrayList<>());
      imps.add(new ArrayList<>());
    }
    long testStart = Long.MIN_VALUE;
    try (BufferedReader r = Files.newBufferedReader(data.resolve("events.csv"), StandardCharsets.UTF_8)) {
      r.readLine();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String[] f = line.split(",", -1);
        int type = switch (f[2]) {
          case "view" -> 0;
          case "add_to_cart" -> 1;
          case "purchase" -> 2;
          default -> throw new IllegalStateException(f[2]);
        };
        events.get(userIndex(f[0])).add(new long[] {time(f[1]), type, brandIdx.get(f[3]), catIdx.get(f[4]),
            f[5].isEmpty() ? 0 : Integer.parseInt(f[5]), Math.round(Double.parseDouble(f[6]) * 10)});
      }
    }
    Map<String, Double> ctr = new HashMap<>(1 << 21);
    for (String[] r : read(data.resolve("impressions_truth.csv"))) {
      ctr.put(r[0], Double.parseDouble(r[1]));
    }
    long last = Long.MIN_VALUE;
    List<String[]> impRows = read(data.resolve("impressions.csv"));
    for (String[] r : impRows) {
      last = Math.max(last, time(r[2]));
    }
    testStart = last - Math.floorMod(last, DAY);
    for (String[] r : impRows) {
      long t = time(r[2]);
      int[] bc = banners.get(r[3]);
      imps.get(userIndex(r[1])).add(new long[] {t, bc[0], bc[1], Long.parseLong(r[7]), t >= testStart ? 1 : 0,
          Math.round(ctr.get(r[0]) * 1e9), bc[2]});
    }
    impRows = null;
    out.printf(Locale.ROOT, "read the world in %.1f s; test day starts %s%n", (System.nanoTime() - t0) / 1e9,
        Instant.ofEpochSecond(testStart));

    // ---- per test impression: truth and every estimate
    List<Double> trueA = new ArrayList<>();
    List<Double> trueT = new ArrayList<>();
    List<Double> logit = new ArrayList<>();
    List<Boolean> clicked = new ArrayList<>();
    String[] variants = {"map_before_test_day", "map_point_in_time", "map_point_in_time_with_clicks",
        "map_last_50_events", "map_last_50_events_with_clicks", "map_point_in_time_choices_only",
        "map_last_50_events_choices_only"};
    List<List<double[]>> est = new ArrayList<>(); // per variant: {aHat, tHat}
    for (int v = 0; v < variants.length; v++) {
      est.add(new ArrayList<>());
    }
    String[] shares = {"share_last_50_decayed", "share_all_decayed", "share_all_raw", "logodds_all_raw"};
    List<List<double[]>> shareFeat = new ArrayList<>();
    for (int v = 0; v < shares.length; v++) {
      shareFeat.add(new ArrayList<>());
    }
    List<Integer> testBanner = new ArrayList<>();
    List<Integer> testUser = new ArrayList<>();
    List<double[]> bundleFeat = new ArrayList<>(); // {brand score, category score} of the bundle's fold-in
    long[] eventsBeforeTest = new long[users];
    double[] spanLast50Days = new double[users];
    int testUsers = 0;
    long fits = 0;
    for (int u = 0; u < users; u++) {
      List<long[]> im = imps.get(u);
      boolean any = false;
      for (long[] x : im) {
        any |= x[4] == 1;
      }
      if (!any) {
        continue;
      }
      testUsers++;
      List<long[]> ev = events.get(u);
      List<Item> items = evidence(u, ev, im);
      int before = 0;
      while (before < ev.size() && ev.get(before)[0] < testStart) {
        before++;
      }
      eventsBeforeTest[u] = before;
      if (before > 0) {
        spanLast50Days[u] = (testStart - ev.get(Math.max(0, before - RECENT_EVENTS))[0]) / (double) DAY;
      }
      UserHistory foldHistory = foldFactors == null ? null : new UserHistory(1, 1, true);
      int foldApplied = 0;
      float[] foldTaste = null;
      int foldTasteAt = -1;
      double[] prior = prior(u);
      currentPref = truth.preferredTier(u);
      currentGender = truth.genderSign(u);
      double[][] theta = new double[variants.length][];
      int[] fitKey = new int[variants.length];
      Arrays.fill(fitKey, -1);
      // variant 0: one fit on everything before the test day, browsing evidence only
      theta[0] = fit(prior, items, testStart, 0, false, false, null);
      fits++;
      for (long[] x : im) {
        if (x[4] != 1) {
          continue;
        }
        long t = x[0];
        int b = (int) x[1];
        int c = (int) x[2];
        int evBefore = 0;
        while (evBefore < ev.size() && ev.get(evBefore)[0] < t) {
          evBefore++;
        }
        int nItems = 0;
        while (nItems < items.size() && items.get(nItems).time() < t) {
          nItems++;
        }
        for (int v = 1; v < variants.length; v++) {
          if (fitKey[v] != nItems) {
            boolean clicks = variants[v].endsWith("with_clicks");
            int minRow = variants[v].startsWith("map_last_50") ? evBefore - RECENT_EVENTS : 0;
            boolean choicesOnly = variants[v].endsWith("choices_only");
            theta[v] = fit(prior, items, t, minRow, clicks, choicesOnly, theta[v]);
            fitKey[v] = nItems;
            fits++;
          }
        }
        if (foldHistory != null) {
          FoldInFactors f = foldFactors;
          while (foldApplied < evBefore) {
            long[] e = ev.get(foldApplied++);
            HistoryUpdates.productEvent(foldHistory, bundleBrand((int) e[2]), bundleCategory((int) e[3]),
                eventType((int) e[1]), (int) e[4], e[5] / 10f, e[0]);
          }
          UserProfile profile = foldProfiles.get(truth.userId(u));
          if (foldTasteAt != evBefore) {
            foldTaste = foldHistory.foldIn(f, profile);
            foldTasteAt = evBefore;
          }
          bundleFeat.add(new double[] {f.brandScore(foldTaste, bundleBrand(b)),
              f.categoryScore(foldTaste, bundleCategory(c)), styleScore(foldTaste, bundleBrand(b))});
        }
        double a = truth.brandAffinity(u, b);
        double ta = truth.categoryTaste(u, c);
        trueA.add(a);
        trueT.add(ta);
        double p = x[5] / 1e9;
        logit.add(Math.log(p / (1 - p)));
        clicked.add(x[3] == 1);
        testBanner.add((int) x[6]);
        testUser.add(u);
        for (int v = 0; v < variants.length; v++) {
          est.get(v).add(new double[] {aHat(theta[v], b), tHat(theta[v], c)});
        }
        shareFeat.get(0).add(shares(ev, Math.max(0, evBefore - RECENT_EVENTS), evBefore, t, true, b, c));
        shareFeat.get(1).add(shares(ev, 0, evBefore, t, true, b, c));
        shareFeat.get(2).add(shares(ev, 0, evBefore, t, false, b, c));
        shareFeat.get(3).add(logOdds(ev, evBefore, b, c));
      }
    }
    int n = logit.size();
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      y[i] = clicked.get(i);
    }
    out.printf(Locale.ROOT, "%d test impressions of %d users, %d taste fits, %.1f s%n%n", n, testUsers, fits,
        (System.nanoTime() - t0) / 1e9);

    out.println("## Evidence available before the test day (users with test impressions)");
    long[] counts = new long[testUsers];
    double[] spans = new double[testUsers];
    int k = 0;
    for (int u = 0; u < users; u++) {
      if (eventsBeforeTest[u] > 0 || spanLast50Days[u] > 0) {
        counts[k] = eventsBeforeTest[u];
        spans[k++] = spanLast50Days[u];
      }
    }
    counts = Arrays.copyOf(counts, k);
    spans = Arrays.copyOf(spans, k);
    Arrays.sort(counts);
    Arrays.sort(spans);
    long sum = 0;
    long kept = 0;
    for (long c0 : counts) {
      sum += c0;
      kept += Math.min(c0, RECENT_EVENTS);
    }
    out.printf(Locale.ROOT, "events per user: mean %.1f, p10 %d, median %d, p90 %d (users with none: %d)%n",
        sum / (double) Math.max(1, k), counts[k / 10], counts[k / 2], counts[k * 9 / 10], testUsers - k);
    out.printf(Locale.ROOT, "the last %d events hold %.1f%% of them; they span a median %.1f days (p90 %.1f)%n%n",
        RECENT_EVENTS, 100.0 * kept / Math.max(1, sum), spans[k / 2], spans[k * 9 / 10]);

    out.println("## Test-day AUC of the true click formula with the taste terms replaced");
    out.println("| scorer | AUC | corr(â, a) | corr(t̂, t) |");
    out.println("|---|---:|---:|---:|");
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = (float) (double) logit.get(i);
    }
    out.printf(Locale.ROOT, "| oracle (true taste) | %.4f | 1 | 1 |%n", ClickMetrics.auc(s, y));
    double[] zero = new double[n];
    out.printf(Locale.ROOT, "| no taste (a = t = 0) | %.4f | - | - |%n", auc(logit, trueA, trueT, zero, zero, y));
    double[] ta = toArray(trueA);
    double[] tt = toArray(trueT);
    out.printf(Locale.ROOT, "| true brand affinity only (t = 0) | %.4f | 1 | - |%n", auc(logit, trueA, trueT, ta, zero, y));
    out.printf(Locale.ROOT, "| true category taste only (a = 0) | %.4f | - | 1 |%n", auc(logit, trueA, trueT, zero, tt, y));
    for (int v = 0; v < variants.length; v++) {
      double[] ah = column(est.get(v), 0);
      double[] th = column(est.get(v), 1);
      out.printf(Locale.ROOT, "| history-informed oracle, %s | %.4f | %.3f | %.3f |%n", variants[v],
          auc(logit, trueA, trueT, ah, th, y), corr(ah, ta), corr(th, tt));
    }
    out.println();
    out.println("## Simple features: the true formula with the taste terms replaced by the best linear use of");
    out.printf(Locale.ROOT, "## the user's share of the banner's brand and category (least-squares fit of %sa + %st;%n",
        WorldTruth.CLICK_BRAND, WorldTruth.CLICK_CATEGORY);
    out.println("## uses the truth for the two coefficients, so it is an upper bound for these features)");
    out.println("| feature | AUC | corr(brand feature, a) | corr(category feature, t) |");
    out.println("|---|---:|---:|---:|");
    for (int v = 0; v < shares.length; v++) {
      double[] fb = column(shareFeat.get(v), 0);
      double[] fc = column(shareFeat.get(v), 1);
      double[] fitted = leastSquares(fb, fc, ta, tt);
      out.printf(Locale.ROOT, "| %s | %.4f | %.3f | %.3f |%n", shares[v],
          auc(logit, trueA, trueT, fitted, zero, y), corr(fb, ta), corr(fc, tt));
    }
    double[] foldFitted = null;
    if (foldFactors != null) {
      double[] fc = column(bundleFeat, 1);
      if (foldStyleDims < foldFactors.dim()) {
        // the whole brand score holds the preferred price tier too, which the formula has as a separate, true term
        double[] fb = column(bundleFeat, 0);
        out.printf(Locale.ROOT, "| fold-in (%s), whole history, whole brand score (style and price) | %.4f | %.3f | "
            + "%.3f |%n", foldLabel, auc(logit, trueA, trueT, leastSquares(fb, fc, ta, tt), zero, y), corr(fb, ta),
            corr(fc, tt));
      }
      double[] fb = column(bundleFeat, 2);
      double[] fitted = leastSquares(fb, fc, ta, tt);
      foldFitted = fitted;
      out.printf(Locale.ROOT, "| fold-in (%s), whole history, style part of the brand score | %.4f | %.3f | %.3f |%n",
          foldLabel, auc(logit, trueA, trueT, fitted, zero, y), corr(fb, ta), corr(fc, tt));
    }
    out.println();
    out.println("#### Banner quality and campaign appeal estimated from the days before the test day");
    out.println();
    out.println("The true formula with the banner's latent quality and its campaign's appeal to the shopper's gender "
        + "and age band replaced by their MAP estimates from the clicks before the test day (every other term true; "
        + "the campaign's shared offset, the banner's own, and the campaign's appeals, under the generator's priors, "
        + "around the format and colour effects the catalog reveals).");
    out.println();
    double[][] bannerHat = estimateBannerTerms(imps);
    double[] q = new double[n];
    double[] qh = new double[n];
    for (int i = 0; i < n; i++) {
      int banner = testBanner.get(i);
      int user = testUser.get(i);
      q[i] = truth.bannerQuality(banner) + truth.bannerAppeal(banner, user);
      qh[i] = bannerTerm(bannerHat[banner], user);
    }
    out.println("| scorer | AUC |");
    out.println("|---|---:|");
    float[] sq = new float[n];
    for (int i = 0; i < n; i++) {
      sq[i] = (float) (logit.get(i) - q[i] + qh[i]);
    }
    out.printf(Locale.ROOT, "| true taste, estimated quality and appeal | %.4f |%n", ClickMetrics.auc(sq, y));
    for (int v : new int[] {1, 6}) {
      double[] ah = column(est.get(v), 0);
      double[] th = column(est.get(v), 1);
      for (int i = 0; i < n; i++) {
        sq[i] = (float) (logit.get(i) - WorldTruth.CLICK_BRAND * (trueA.get(i) - ah[i])
            - WorldTruth.CLICK_CATEGORY * (trueT.get(i) - th[i]) - q[i] + qh[i]);
      }
      out.printf(Locale.ROOT, "| %s taste, estimated quality and appeal | %.4f |%n", variants[v],
          ClickMetrics.auc(sq, y));
    }
    if (foldFitted != null) {
      for (int i = 0; i < n; i++) {
        sq[i] = (float) (logit.get(i) - WorldTruth.CLICK_BRAND * (trueA.get(i) - foldFitted[i])
            - WorldTruth.CLICK_CATEGORY * trueT.get(i) - q[i] + qh[i]);
      }
      out.printf(Locale.ROOT, "| fold-in (%s) taste (style part), estimated quality and appeal | %.4f |%n", foldLabel,
          ClickMetrics.auc(sq, y));
    }
    out.printf(Locale.ROOT, "%ndone in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static EventType eventType(int kind) {
    return switch (kind) {
      case 0 -> EventType.VIEW;
      case 1 -> EventType.ADD_TO_CART;
      default -> EventType.PURCHASE;
    };
  }

  private int bundleBrand(int truthBrand) {
    return foldVocab.brands().indexOf(truth.brandName(truthBrand));
  }

  private int bundleCategory(int truthCategory) {
    return foldVocab.categories().indexOf(truth.categoryName(truthCategory));
  }

  /** Banner terms: {quality, appeal to genders 0..2, appeal to age bands 0..4}. */
  private double bannerTerm(double[] hat, int u) {
    return hat[0] + hat[1 + truth.gender(u)] + hat[1 + WorldTruth.GENDERS + truth.ageBand(u)];
  }

  /**
   * Per campaign, the MAP of the campaign offset, each banner's own quality and the campaign's appeal to each gender
   * and age band (the generator's priors, around the format and colour effects) from the impressions before the test
   * day, every other term of the true logit known: the best any model can know these terms from the logs.
   */
  private double[][] estimateBannerTerms(List<List<long[]>> imps) {
    int nk = truth.bannerIds().size();
    // per banner: offsets (true logit less the banner terms), clicks, gender and age band of its training impressions
    List<List<double[]>> obs = new ArrayList<>();
    for (int k = 0; k < nk; k++) {
      obs.add(new ArrayList<>());
    }
    for (int u = 0; u < imps.size(); u++) {
      for (long[] x : imps.get(u)) {
        if (x[4] == 0) {
          double p = x[5] / 1e9;
          int k = (int) x[6];
          obs.get(k).add(new double[] {Math.log(p / (1 - p)) - truth.bannerQuality(k) - truth.bannerAppeal(k, u), x[3],
              truth.gender(u), truth.ageBand(u)});
        }
      }
    }
    Map<String, List<Integer>> campaigns = new HashMap<>();
    for (int k = 0; k < nk; k++) {
      campaigns.computeIfAbsent(truth.bannerCampaign(k), c -> new ArrayList<>()).add(k);
    }
    int audiences = WorldTruth.GENDERS + WorldTruth.AGE_BANDS;
    double[][] hat = new double[nk][];
    List<String> names = new ArrayList<>(campaigns.keySet());
    names.sort(null);
    for (String name : names) {
      List<Integer> ks = campaigns.get(name);
      int m = ks.size();
      // parameters: campaign offset, each banner's own, then the appeals to genders and age bands
      int size = 1 + m + audiences;
      double[] prec = new double[size];
      prec[0] = 1 / sq(WorldTruth.CAMPAIGN_QUALITY_SD);
      for (int i = 0; i < size - 1; i++) {
        prec[i + 1] = 1 / sq(i < m ? WorldTruth.BANNER_QUALITY_SD
            : i < m + WorldTruth.GENDERS ? WorldTruth.GENDER_APPEAL_SD : WorldTruth.AGE_APPEAL_SD);
      }
      double[] theta = new double[size];
      int[] at = new int[4];
      for (int step = 0; step < 12; step++) {
        double[] g = new double[size];
        double[][] h = new double[size][size];
        for (int i = 0; i < size; i++) {
          g[i] = prec[i] * theta[i];
          h[i][i] = prec[i];
        }
        for (int j = 0; j < m; j++) {
          int k = ks.get(j);
          for (double[] o : obs.get(k)) {
            at[0] = 0;
            at[1] = 1 + j;
            at[2] = 1 + m + (int) o[2];
            at[3] = 1 + m + WorldTruth.GENDERS + (int) o[3];
            double z = o[0] + truth.bannerQualityPriorMean(k);
            for (int i : at) {
              z += theta[i];
            }
            double p = 1 / (1 + Math.exp(-z));
            double r = p - o[1];
            double w = p * (1 - p);
            for (int i : at) {
              g[i] += r;
              for (int l : at) {
                h[i][l] += w;
              }
            }
          }
        }
        double[] d = FoldInFactors.Cholesky.solve(h, g);
        for (int i = 0; i < size; i++) {
          theta[i] -= d[i];
        }
      }
      for (int j = 0; j < m; j++) {
        int k = ks.get(j);
        double[] e = new double[1 + audiences];
        e[0] = truth.bannerQualityPriorMean(k) + theta[0] + theta[1 + j];
        System.arraycopy(theta, 1 + m, e, 1, audiences);
        hat[k] = e;
      }
    }
    return hat;
  }

  private static double sq(double x) {
    return x * x;
  }

  // ------------------------------------------------------------------ evidence

  /** The user's evidence in time order, from their events and impressions (see the class comment). */
  List<Item> evidence(int u, List<long[]> ev, List<long[]> im) {
    List<Item> items = new ArrayList<>();
    // landing views: the first matching view after a clicked impression
    boolean[] landing = new boolean[ev.size()];
    for (long[] x : im) {
      if (x[3] != 1) {
        continue;
      }
      for (int i = 0; i < ev.size(); i++) {
        long[] e = ev.get(i);
        if (e[0] >= x[0] && e[0] <= x[0] + LANDING_WINDOW && e[1] == 0 && e[2] == x[1] && e[3] == x[2]
            && !landing[i]) {
          landing[i] = true;
          break;
        }
      }
    }
    int pref = truth.preferredTier(u);
    long prevTime = Long.MIN_VALUE / 2;
    int chosen1 = -1;
    boolean second = false;
    for (int i = 0; i < ev.size(); i++) {
      long[] e = ev.get(i);
      if (e[0] - prevTime > VISIT_GAP) {
        chosen1 = -1;
        second = false;
      }
      prevTime = e[0];
      int b = (int) e[2];
      int c = (int) e[3];
      if (e[1] != 0) {
        continue;
      }
      double dwell = e[5] / 10.0;
      items.add(new Item(DWELL, e[0], i, b, 0, 0,
          Math.log(Math.max(dwell, 1.0)) - Math.log(WorldTruth.DWELL_MEDIAN_SECONDS), 0));
      if (landing[i]) {
        continue;
      }
      if (chosen1 < 0) {
        chosen1 = c;
        items.add(new Item(CAT, e[0], i, c, -1, 0, 0, 0));
      } else if (c != chosen1 && !second) {
        second = true;
        items.add(new Item(CAT, e[0], i, c, chosen1, 0, 0, 0));
      }
      items.add(new Item(BRAND, e[0], i, b, c, 0, 0, 0));
      boolean carted = i + 1 < ev.size() && ev.get(i + 1)[1] == 1 && ev.get(i + 1)[2] == b;
      int match = -Math.abs(pref - (int) e[4]);
      items.add(new Item(CART, e[0], i, b, 0, 0, carted ? 1 : 0,
          WorldTruth.CART_BASE + WorldTruth.CART_PRICE * match));
    }
    for (long[] x : im) {
      double p = x[5] / 1e9;
      int b = (int) x[1];
      int c = (int) x[2];
      double lg = Math.log(p / (1 - p));
      double offset = lg - WorldTruth.CLICK_BRAND * truth.brandAffinity(u, b)
          - WorldTruth.CLICK_CATEGORY * truth.categoryTaste(u, c);
      items.add(new Item(CLICK, x[0], Integer.MAX_VALUE, b, c, 0, x[3], offset));
    }
    items.sort((p, q) -> Long.compare(p.time(), q.time()));
    return items;
  }

  private double[] prior(int u) {
    double[] mu = new double[dims];
    mu[0] = WorldTruth.ageStyleShift(truth.ageBand(u));
    return mu;
  }

  double aHat(double[] theta, int b) {
    return brandCoef * dot8(theta, brandStyle[b]);
  }

  double tHat(double[] theta, int c) {
    return catCoef * dot8(theta, catStyle[c]) + WorldTruth.CATEGORY_NOISE * theta[WorldTruth.STYLE_DIM + c];
  }

  private static double dot8(double[] theta, double[] s) {
    double d = 0;
    for (int i = 0; i < WorldTruth.STYLE_DIM; i++) {
      d += theta[i] * s[i];
    }
    return d;
  }

  /**
   * MAP estimate of (style vector, category noise) from the items before {@code until} whose event row is at
   * least {@code minRow} (click items always qualify when {@code clicks}; with {@code choicesOnly} only the
   * category and brand choices, no dwell or cart), by Newton's method on the convex negative log posterior.
   */
  double[] fit(double[] prior, List<Item> items, long until, int minRow, boolean clicks, boolean choicesOnly,
      double[] start) {
    double[] theta = start == null ? prior.clone() : start.clone();
    int s = WorldTruth.STYLE_DIM;
    double[] grad = new double[dims];
    double[][] h = new double[dims][dims];
    double[] x = new double[dims];
    for (int iter = 0; iter < 30; iter++) {
      for (int i = 0; i < dims; i++) {
        grad[i] = theta[i] - prior[i];
        Arrays.fill(h[i], 0);
        h[i][i] = 1;
      }
      for (Item it : items) {
        if (it.time() >= until) {
          break;
        }
        if (it.kind() == CLICK ? !clicks : it.eventRow() < minRow) {
          continue;
        }
        if (choicesOnly && (it.kind() == CART || it.kind() == DWELL)) {
          continue;
        }
        switch (it.kind()) {
          case BRAND -> brandChoice(theta, it, grad, h);
          case CAT -> categoryChoice(theta, it, grad, h);
          case CART -> {
            double[] st = brandStyle[it.a()];
            double coef = WorldTruth.CART_AFFINITY * brandCoef;
            Arrays.fill(x, 0);
            for (int d = 0; d < s; d++) {
              x[d] = coef * st[d];
            }
            bernoulli(theta, x, it.offset(), it.y(), grad, h, s);
          }
          case DWELL -> {
            double[] st = brandStyle[it.a()];
            double coef = WorldTruth.DWELL_AFFINITY * brandCoef;
            double var = WorldTruth.DWELL_LOG_SD * WorldTruth.DWELL_LOG_SD;
            double pred = 0;
            for (int d = 0; d < s; d++) {
              pred += coef * st[d] * theta[d];
            }
            double r = pred - it.y();
            for (int d = 0; d < s; d++) {
              grad[d] += r * coef * st[d] / var;
              for (int e = 0; e < s; e++) {
                h[d][e] += coef * st[d] * coef * st[e] / var;
              }
            }
          }
          case CLICK -> {
            Arrays.fill(x, 0);
            double[] sb = brandStyle[it.a()];
            double[] sc = catStyle[it.b()];
            for (int d = 0; d < s; d++) {
              x[d] = WorldTruth.CLICK_BRAND * brandCoef * sb[d] + WorldTruth.CLICK_CATEGORY * catCoef * sc[d];
            }
            x[s + it.b()] = WorldTruth.CLICK_CATEGORY * WorldTruth.CATEGORY_NOISE;
            bernoulli(theta, x, it.offset(), it.y(), grad, h, dims);
          }
          default -> throw new IllegalStateException();
        }
      }
      double[] step = FoldInFactors.Cholesky.solve(h, grad);
      double scale = FoldInFactors.stepScale(step, MAX_STEP); // damped: no overshoot
      double norm = 0;
      for (int i = 0; i < dims; i++) {
        theta[i] -= scale * step[i];
        norm += scale * step[i] * scale * step[i];
      }
      if (norm < 1e-10) {
        break;
      }
    }
    return theta;
  }

  private void bernoulli(double[] theta, double[] x, double offset, double y, double[] grad, double[][] h, int n) {
    double z = offset;
    for (int d = 0; d < n; d++) {
      z += x[d] * theta[d];
    }
    double p = 1 / (1 + Math.exp(-z));
    double w = p * (1 - p);
    for (int d = 0; d < n; d++) {
      if (x[d] == 0) {
        continue;
      }
      grad[d] += (p - y) * x[d];
      for (int e = 0; e < n; e++) {
        h[d][e] += w * x[d] * x[e];
      }
    }
  }

  /** Softmax over the category's brands of BROWSE_AFFINITY·a + BROWSE_PRICE·m + popularity. */
  private void brandChoice(double[] theta, Item it, double[] grad, double[][] h) {
    int s = WorldTruth.STYLE_DIM;
    int[] brands = brandsOf(it.b());
    double coef = WorldTruth.BROWSE_BRAND_AFFINITY * brandCoef;
    double[] util = new double[brands.length];
    double max = Double.NEGATIVE_INFINITY;
    int pref = currentPref;
    for (int i = 0; i < brands.length; i++) {
      int b = brands[i];
      util[i] = coef * dot8(theta, brandStyle[b])
          + WorldTruth.BROWSE_BRAND_PRICE * -Math.abs(pref - truth.brandTier(b)) + truth.brandPopularity(b);
      max = Math.max(max, util[i]);
    }
    double z = 0;
    for (int i = 0; i < brands.length; i++) {
      util[i] = Math.exp(util[i] - max);
      z += util[i];
    }
    double[] mean = new double[s];
    for (int i = 0; i < brands.length; i++) {
      double p = util[i] / z;
      double[] st = brandStyle[brands[i]];
      for (int d = 0; d < s; d++) {
        mean[d] += p * coef * st[d];
        for (int e = 0; e < s; e++) {
          h[d][e] += p * coef * st[d] * coef * st[e];
        }
      }
    }
    double[] chosen = brandStyle[it.a()];
    for (int d = 0; d < s; d++) {
      grad[d] += mean[d] - coef * chosen[d];
      for (int e = 0; e < s; e++) {
        h[d][e] -= mean[d] * mean[e];
      }
    }
  }

  private int[] brandsOf(int c) {
    if (brandsByCategory[c] == null) {
      brandsByCategory[c] = truth.brandsOfCategory(c);
    }
    return brandsByCategory[c];
  }

  private int currentPref;
  private int currentGender;

  /** Softmax over the categories (less an already chosen one) of popularity + gender term + taste. */
  private void categoryChoice(double[] theta, Item it, double[] grad, double[][] h) {
    int s = WorldTruth.STYLE_DIM;
    double[] util = new double[nc];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < nc; c++) {
      if (c == it.b()) {
        util[c] = Double.NEGATIVE_INFINITY;
        continue;
      }
      util[c] = truth.categoryPopularity(c)
          + WorldTruth.BROWSE_CATEGORY_GENDER * currentGender * truth.categorySkew(c)
          + WorldTruth.BROWSE_CATEGORY_TASTE * tHat(theta, c);
      max = Math.max(max, util[c]);
    }
    double z = 0;
    for (int c = 0; c < nc; c++) {
      util[c] = c == it.b() ? 0 : Math.exp(util[c] - max);
      z += util[c];
    }
    double[] mean = new double[dims];
    double noise = WorldTruth.BROWSE_CATEGORY_TASTE * WorldTruth.CATEGORY_NOISE;
    double coef = WorldTruth.BROWSE_CATEGORY_TASTE * catCoef;
    for (int c = 0; c < nc; c++) {
      double p = util[c] / z;
      if (p == 0) {
        continue;
      }
      double[] st = catStyle[c];
      for (int d = 0; d < s; d++) {
        mean[d] += p * coef * st[d];
        for (int e = 0; e < s; e++) {
          h[d][e] += p * coef * st[d] * coef * st[e];
        }
        h[d][s + c] += p * coef * st[d] * noise;
        h[s + c][d] += p * coef * st[d] * noise;
      }
      mean[s + c] = p * noise;
      h[s + c][s + c] += p * noise * noise;
    }
    double[] chosen = catStyle[it.a()];
    for (int d = 0; d < s; d++) {
      grad[d] -= coef * chosen[d];
    }
    grad[s + it.a()] -= noise;
    for (int d = 0; d < dims; d++) {
      grad[d] += mean[d];
      if (mean[d] == 0) {
        continue;
      }
      for (int e = 0; e < dims; e++) {
        h[d][e] -= mean[d] * mean[e];
      }
    }
  }

  // ------------------------------------------------------------------ simple features

  /** The user's weighted share of brand b and category c over events [from, to) before t. */
  private double[] shares(List<long[]> ev, int from, int to, long t, boolean decayed, int b, int c) {
    double total = 0;
    double wb = 0;
    double wc = 0;
    for (int i = from; i < to; i++) {
      long[] e = ev.get(i);
      double w = decayed ? Math.pow(2, -(t - e[0]) / (SHARE_HALF_LIFE_HOURS * 3600.0)) : 1;
      total += w;
      if (e[2] == b) {
        wb += w;
      }
      if (e[3] == c) {
        wc += w;
      }
    }
    return total == 0 ? new double[] {0, 0} : new double[] {wb / total, wc / total};
  }

  /**
   * Smoothed log-odds of the user's views of brand b against what popularity predicts: within the categories the
   * user browsed, log((n_b + 1) / (expected_b + 1)); the category likewise against the category's popularity.
   */
  private double[] logOdds(List<long[]> ev, int to, int b, int c) {
    double[] catViews = new double[nc];
    double nb0 = 0;
    double total = 0;
    for (int i = 0; i < to; i++) {
      long[] e = ev.get(i);
      if (e[1] != 0) {
        continue;
      }
      catViews[(int) e[3]]++;
      total++;
      if (e[2] == b) {
        nb0++;
      }
    }
    double expectedB = 0;
    for (int k = 0; k < nc; k++) {
      if (catViews[k] == 0) {
        continue;
      }
      int[] brands = brandsOf(k);
      double z = 0;
      double pb = 0;
      for (int x : brands) {
        z += Math.exp(truth.brandPopularity(x));
        if (x == b) {
          pb = Math.exp(truth.brandPopularity(x));
        }
      }
      expectedB += catViews[k] * pb / z;
    }
    double zc = 0;
    for (int k = 0; k < nc; k++) {
      zc += Math.exp(truth.categoryPopularity(k));
    }
    double expectedC = total * Math.exp(truth.categoryPopularity(c)) / zc;
    return new double[] {Math.log((nb0 + 1) / (expectedB + 1)), Math.log((catViews[c] + 1) / (expectedC + 1))};
  }

  // ------------------------------------------------------------------ metrics

  private static double[] column(List<double[]> rows, int j) {
    double[] a = new double[rows.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = rows.get(i)[j];
    }
    return a;
  }

  private static double[] toArray(List<Double> xs) {
    double[] a = new double[xs.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = xs.get(i);
    }
    return a;
  }

  /** AUC of the true logit with the taste terms (CLICK_BRAND a + CLICK_CATEGORY t) replaced by their estimates. */
  private static double auc(List<Double> logit, List<Double> a, List<Double> t, double[] ah, double[] th,
      boolean[] y) {
    float[] s = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      s[i] = (float) (logit.get(i) - WorldTruth.CLICK_BRAND * (a.get(i) - ah[i])
          - WorldTruth.CLICK_CATEGORY * (t.get(i) - th[i]));
    }
    return ClickMetrics.auc(s, y);
  }

  /** Least-squares fit of CLICK_BRAND a + CLICK_CATEGORY t on [1, fb, fc], divided by CLICK_BRAND (â with t̂ = 0). */
  private static double[] leastSquares(double[] fb, double[] fc, double[] a, double[] t) {
    int n = fb.length;
    double[][] xtx = new double[3][3];
    double[] xty = new double[3];
    for (int i = 0; i < n; i++) {
      double[] x = {1, fb[i], fc[i]};
      double target = WorldTruth.CLICK_BRAND * a[i] + WorldTruth.CLICK_CATEGORY * t[i];
      for (int p = 0; p < 3; p++) {
        xty[p] += x[p] * target;
        for (int q = 0; q < 3; q++) {
          xtx[p][q] += x[p] * x[q];
        }
      }
    }
    for (int p = 0; p < 3; p++) {
      xtx[p][p] += 1e-9;
    }
    double[] beta = FoldInFactors.Cholesky.solve(xtx, xty);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = (beta[0] + beta[1] * fb[i] + beta[2] * fc[i]) / WorldTruth.CLICK_BRAND;
    }
    return out;
  }

  private static double corr(double[] x, double[] y) {
    int n = x.length;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
