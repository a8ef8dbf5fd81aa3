package dev.bannerranker.bench;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.trainer.generate.Scale;
import dev.bannerranker.trainer.generate.WorldGenerator;
import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.pipeline.DataFormat;
import dev.bannerranker.trainer.pipeline.TrainOptions;
import dev.bannerranker.trainer.pipeline.TrainingPipeline;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model every scoring benchmark runs: a demo world and a bundle trained on it with the default network sizes
 * (hidden 64,32; item2vec dimension 32; the default embedding sizes; 2^17 wide buckets; taste tower of 10 brands ×
 * 8), but only one epoch of each
 * trainer, since the benchmarks need the shapes and realistic weights, not the best AUC. Both are cached under
 * {@link #defaultDir()} and reused by every fork; a cache that no longer loads with the current code (the feature
 * layout changed, say) is rebuilt.
 *
 * <p>The request scored is fixed: the user with the most behaviour events, with the whole history in the data
 * replayed into a {@link UserHistory}, scored at the end of the data on the platform of their last impression and
 * at the spec's neutral slot. Candidates are the first N banners of the catalog.
 */
public final class BenchModel {
  /** What the cache holds; a different recipe rebuilds it. */
  public record Recipe(Scale scale, long seed, int epochs, int item2vecEpochs, List<Integer> hidden, int itemDim,
      int tasteBrands, int tasteDim, int foldInDim) {
    /**
     * The demo world with train's default sizes (TrainCommand: --hidden 64,32 --dim 32 --taste-brands 10
     * --taste-dim 8 --fold-in-dim 8).
     */
    public static Recipe benchmark() {
      return new Recipe(Scale.DEMO, 42, 1, 1, List.of(64, 32), 32, 10, 8, 8);
    }

    /** The smallest world at the same network sizes, for the smoke test. */
    public static Recipe tiny() {
      return new Recipe(Scale.TINY, 5, 1, 1, List.of(64, 32), 32, 10, 8, 8);
    }

    String key() {
      return scale.code() + " seed=" + seed + " epochs=" + epochs + " i2v-epochs=" + item2vecEpochs + " hidden="
          + hidden + " dim=" + itemDim + " taste=" + tasteBrands + "x" + tasteDim + " fold-in=" + foldInDim + " trainer="
          + dev.bannerranker.BuildInfo.current().describe();
    }
  }

  private final Path dir;
  private final Path bundleDir;
  private final Bundle bundle;
  private final ScoringModel model;
  private final UserFeatures user;
  private final ScoringContext context;
  private final BannerFeatures[] catalogOrder;
  private final String userId;
  private final int userEvents;
  private final UserLog userLog;

  /** The benchmark user's rows of the event tables, in time order: what the service would be sent for them. */
  public record UserLog(UserProfile profile, List<BehaviourEvent> events, List<Impression> impressions) {}

  private BenchModel(Path dir, Bundle bundle, EventLog log) {
    this(dir, dir.resolve("bundle"), bundle, log);
  }

  private BenchModel(Path dir, Path bundleDir, Bundle bundle, EventLog log) {
    this.dir = dir;
    this.bundleDir = bundleDir;
    this.bundle = bundle;
    this.model = ScoringModel.of(bundle);
    List<Banner> catalog = bundle.catalog();
    this.catalogOrder = new BannerFeatures[catalog.size()];
    for (int i = 0; i < catalog.size(); i++) {
      catalogOrder[i] = model.banner(catalog.get(i).id());
    }
    Map<String, Integer> counts = new HashMap<>();
    for (BehaviourEvent e : log.events()) {
      counts.merge(e.userId(), 1, Integer::sum);
    }
    this.userId = counts.entrySet().stream()
        .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
        .orElseThrow(() -> new IllegalStateException("the benchmark world has no behaviour events")).getKey();
    this.userEvents = counts.get(userId);
    long now = 0;
    Platform platform = Platform.WEB;
    for (Impression imp : log.impressions()) {
      now = Math.max(now, imp.timestamp());
      if (imp.userId().equals(userId)) {
        platform = imp.platform();
      }
    }
    for (BehaviourEvent e : log.events()) {
      now = Math.max(now, e.timestamp());
    }
    now += 1;
    UserProfile profile = log.users().stream().filter(u -> u.id().equals(userId)).findFirst()
        .orElse(UserProfile.unknown(userId));
    this.userLog = new UserLog(profile, log.events().stream().filter(e -> e.userId().equals(userId)).toList(),
        log.impressions().stream().filter(i -> i.userId().equals(userId)).toList());
    UserHistory history = replay(log, bundle, model, userId);
    this.user = model.userFeatures(profile, history, now);
    this.context = new ScoringContext(now, platform, bundle.spec().neutralSlot());
  }

  /** The user's events, impressions and clicks in time order, through the same update rules as training. */
  private static UserHistory replay(EventLog log, Bundle bundle, ScoringModel m, String userId) {
    record Update(long time, int order, Object what) {}
    List<Update> updates = new ArrayList<>();
    int order = 0;
    for (BehaviourEvent e : log.events()) {
      if (e.userId().equals(userId)) {
        updates.add(new Update(e.timestamp(), order++, e));
      }
    }
    for (Impression i : log.impressions()) {
      if (i.userId().equals(userId)) {
        updates.add(new Update(i.timestamp(), order++, i));
      }
    }
    updates.sort(Comparator.comparingLong(Update::time).thenComparingInt(Update::order));
    Vocabularies vocab = bundle.vocab();
    UserHistory h = UserHistory.forSpec(bundle.spec());
    for (Update u : updates) {
      if (u.what() instanceof BehaviourEvent e) {
        HistoryUpdates.productEvent(h, vocab.brands().indexOf(e.brand()), vocab.categories().indexOf(e.category()),
            e.type(), e.priceTier(), e.dwellSeconds(), e.timestamp());
      } else {
        Impression i = (Impression) u.what();
        BannerFeatures b = m.banner(i.bannerId());
        if (b == null) {
          continue;
        }
        HistoryUpdates.impression(h, b.index(), i.timestamp());
        if (i.clicked()) {
          HistoryUpdates.click(h, b.brandIdx(), b.categoryIdx(), b.banner().priceTier(), i.timestamp());
        }
      }
    }
    return h;
  }

  /** {@code -Dbench.dir}, else {@code benchmarks/target/bench-model} from the repository root, else {@code target/bench-model}. */
  public static Path defaultDir() {
    String p = System.getProperty("bench.dir");
    if (p != null && !p.isBlank()) {
      return Paths.get(p);
    }
    return Files.isDirectory(Paths.get("benchmarks")) ? Paths.get("benchmarks", "target", "bench-model")
        : Paths.get("target", "bench-model");
  }

  /** The cached benchmark model, built first if needed. */
  public static BenchModel load() {
    return load(defaultDir(), Recipe.benchmark(), System.err);
  }

  private static BenchModel cached;
  private static BenchModel cachedConversion;

  /**
   * The same recipe trained with {@code --objective click+conversion} on the same world, in {@code bundle-conversion}
   * beside the click bundle: the click tower plus the conversion tower. One instance per JVM.
   */
  public static synchronized BenchModel sharedConversion() {
    if (cachedConversion == null) {
      cachedConversion = loadConversion(shared(), Recipe.benchmark(), System.err);
    }
    return cachedConversion;
  }

  static BenchModel loadConversion(BenchModel click, Recipe recipe, PrintStream log) {
    try {
      Path data = click.dir.resolve("data");
      Path bundleDir = click.dir.resolve("bundle-conversion");
      Path keyFile = click.dir.resolve("conversion-recipe.txt");
      if (matches(keyFile, recipe.key()) && Files.isRegularFile(bundleDir.resolve(Bundle.MANIFEST))) {
        try {
          return new BenchModel(click.dir, bundleDir, BundleIO.load(bundleDir), EventLogReader.read(data, 0.01));
        } catch (RuntimeException e) {
          log.println("bench model: cached bundle in " + bundleDir + " no longer loads (" + e.getMessage()
              + "); rebuilding");
        }
      }
      long t0 = System.nanoTime();
      Files.deleteIfExists(keyFile);
      log.printf("bench model: training click+conversion (%d epoch(s), hidden %s) into %s%n", recipe.epochs(),
          recipe.hidden(), bundleDir);
      if (Files.isDirectory(bundleDir) && !Files.isRegularFile(bundleDir.resolve(Bundle.MANIFEST))) {
        MemoryReport.deleteTree(bundleDir);
      }
      TrainingPipeline.run(options(data, bundleDir, recipe).withObjective(
          dev.bannerranker.trainer.pipeline.Objective.CLICK_CONVERSION), quiet(), log);
      Files.writeString(keyFile, recipe.key(), StandardCharsets.UTF_8);
      log.printf("bench model: click+conversion ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      return new BenchModel(click.dir, bundleDir, BundleIO.load(bundleDir), EventLogReader.read(data, 0.01));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One instance per JVM: every trial of a fork shares it. */
  public static synchronized BenchModel shared() {
    if (cached == null) {
      cached = load();
    }
    return cached;
  }

  public static BenchModel load(Path dir, Recipe recipe, PrintStream log) {
    try {
      Path data = dir.resolve("data");
      Path bundleDir = dir.resolve("bundle");
      Path keyFile = dir.resolve("recipe.txt");
      Path dataKeyFile = dir.resolve("data-recipe.txt");
      String dataKey = recipe.scale().code() + " seed=" + recipe.seed();
      boolean fresh = matches(keyFile, recipe.key()) && Files.isRegularFile(bundleDir.resolve(Bundle.MANIFEST));
      if (fresh) {
        try {
          return new BenchModel(dir, BundleIO.load(bundleDir), EventLogReader.read(data, 0.01));
        } catch (RuntimeException e) {
          log.println("bench model: cached bundle in " + bundleDir + " no longer loads (" + e.getMessage() + "); rebuilding");
        }
      }
      long t0 = System.nanoTime();
      Files.deleteIfExists(keyFile);
      if (!matches(dataKeyFile, dataKey) || !Files.isRegularFile(data.resolve("impressions.csv"))) {
        log.printf("bench model: generating the %s world (seed %d) into %s%n", recipe.scale().code(), recipe.seed(), data);
        Files.deleteIfExists(dataKeyFile);
        new WorldGenerator(recipe.scale(), recipe.seed()).generate(data, null);
        Files.writeString(dataKeyFile, dataKey, StandardCharsets.UTF_8);
      }
      log.printf("bench model: training (%d epoch(s), hidden %s, dim %d) into %s%n", recipe.epochs(), recipe.hidden(),
          recipe.itemDim(), bundleDir);
      if (Files.isDirectory(bundleDir) && !Files.isRegularFile(bundleDir.resolve(Bundle.MANIFEST))) {
        // a cache left half-made by hand: --force (rightly) replaces only a bundle
        MemoryReport.deleteTree(bundleDir);
      }
      TrainingPipeline.run(options(data, bundleDir, recipe), quiet(), log);
      Files.writeString(keyFile, recipe.key(), StandardCharsets.UTF_8);
      log.printf("bench model: ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      return new BenchModel(dir, BundleIO.load(bundleDir), EventLogReader.read(data, 0.01));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BenchModel cachedWithAttention;

  /**
   * The shared model with sequence attention added, seeded random weights for it ({@code
   * RandomBundles.withSequenceAttention}): what scoring costs with it.
   * The same network otherwise, so on and off compare in one JMH run.
   */
  public static synchronized BenchModel sharedWithSequenceAttention() {
    if (cachedWithAttention == null) {
      cachedWithAttention = withSequenceAttention(shared());
    }
    return cachedWithAttention;
  }

  /** {@code base} with sequence attention added (seeded random weights), in {@code bundle-attention} beside it. */
  static BenchModel withSequenceAttention(BenchModel base) {
    Path data = base.dir.resolve("data");
    Path bundleDir = base.dir.resolve("bundle-attention");
    try {
      BundleIO.write(dev.bannerranker.testing.RandomBundles.withSequenceAttention(base.bundle, 7), bundleDir, true);
      return new BenchModel(base.dir, bundleDir, BundleIO.load(bundleDir), EventLogReader.read(data, 0.01));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The benchmark user as if only their first {@code events} behaviour events had happened (no impressions), scored
   * at the same moment: a user with fewer events than sequence attention's slots, or none.
   */
  public UserFeatures userWithFirstEvents(int events) {
    Vocabularies vocab = bundle.vocab();
    UserHistory h = UserHistory.forSpec(bundle.spec());
    List<BehaviourEvent> sorted = userLog.events().stream().sorted(Comparator.comparingLong(BehaviourEvent::timestamp))
        .limit(events).toList();
    for (BehaviourEvent e : sorted) {
      HistoryUpdates.productEvent(h, vocab.brands().indexOf(e.brand()), vocab.categories().indexOf(e.category()),
          e.type(), e.priceTier(), e.dwellSeconds(), e.timestamp());
    }
    return model.userFeatures(userLog.profile(), h, context.time());
  }

  private static boolean matches(Path keyFile, String key) throws IOException {
    return Files.isRegularFile(keyFile) && Files.readString(keyFile, StandardCharsets.UTF_8).equals(key);
  }

  /** {@code train}'s defaults (see TrainCommand) but for the epochs and sizes of the recipe. */
  static TrainOptions options(Path data, Path out, Recipe r) {
    Item2VecConfig i2v = new Item2VecConfig(r.itemDim(), 5, 5, r.item2vecEpochs(), 5, 1e-3, 0.025, 30, 1, 7);
    WideDeepConfig wd = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, r.hidden(),
        WideDeepConfig.defaultEmbeddingDims(), 2048, r.epochs(), 0.5, 4, 0.003, 0.05, 1e-4, 0.99, 7);
    return new TrainOptions(data, DataFormat.OWN, out, true, 0.01, i2v, wd, 168, 50, 3, 17, r.tasteBrands(), r.tasteDim(),
        1, 1, 0.1, 0.1, false, r.foldInDim(),
        dev.bannerranker.features.FeatureEncoder.WIDE_CROSSES, 1.0);
  }

  static PrintStream quiet() {
    return new PrintStream(OutputStream.nullOutputStream());
  }

  public Path dir() {
    return dir;
  }

  public Bundle bundle() {
    return bundle;
  }

  /** Where {@link #bundle} is on disk. */
  public Path bundleDir() {
    return bundleDir;
  }

  public ScoringModel model() {
    return model;
  }

  public UserFeatures user() {
    return user;
  }

  public ScoringContext context() {
    return context;
  }

  public String userId() {
    return userId;
  }

  public int userEvents() {
    return userEvents;
  }

  public UserLog userLog() {
    return userLog;
  }

  public int bannerCount() {
    return catalogOrder.length;
  }

  /** The first {@code n} banners of the catalog (cycling if the catalog is smaller). */
  public BannerFeatures[] candidates(int n) {
    BannerFeatures[] c = new BannerFeatures[n];
    for (int i = 0; i < n; i++) {
      c[i] = catalogOrder[i % catalogOrder.length];
    }
    return c;
  }

  /**
   * Builds the cache ahead of a JMH run, so that no trial pays for training; with {@code --conversion} the
   * click-and-conversion bundle of {@link ConversionBenchmark} too.
   */
  public static void main(String[] args) {
    BenchModel m = java.util.Arrays.asList(args).contains("--conversion") ? sharedConversion() : load();
    System.out.printf("bench model in %s: %d banners, user %s (%d events), model %s%n", m.dir().toAbsolutePath(),
        m.bannerCount(), m.userId(), m.userEvents(), m.bundle().modelVersion());
  }
}
