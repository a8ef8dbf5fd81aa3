package dev.bannerranker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.EventType;
import dev.bannerranker.features.ChoiceCounts;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.serving.cli.ServingCli;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.EventRecorder;
import dev.bannerranker.serving.store.MemoryUserStore;
import dev.bannerranker.serving.store.RocksDbUserStore;
import dev.bannerranker.serving.store.UserStore;
import dev.bannerranker.serving.users.StoreImport;
import dev.bannerranker.serving.users.UserStateStore;
import dev.bannerranker.testing.RandomBundles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Heap and resident memory of the service's state with a large catalog and many users: a valid bundle of
 * {@code --banners} banners loaded through the verifying loader ({@link ModelRegistry}), {@code --users}
 * profiles from a {@code users.csv} imported into the store of record ({@link StoreImport}, as {@code bin/ranker
 * import} does), and every user's recent activity recorded through {@link EventRecorder}, the code behind
 * RecordEvents, into the {@link UserStateStore}: by default, as the service runs, an embedded RocksDB behind a
 * Caffeine cache of {@code ranker.users.cache-max-size} users ({@code --store memory}: a store in the heap, every
 * user cached). Each user gets more events and impressions than the configured capacity, so every ring is full
 * (the worst case; {@code --activity mixed} leaves 60% of users with fewer). Heap figures are the used heap after
 * a full collection, measured after each stage; with RocksDB also the state directory's size.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
    description = "Measures heap and resident memory with a large catalog and many users' recent state loaded.")
public final class MemoryReport implements Callable<Integer> {
  static final long GIB = 1L << 30;
  static final long START = RandomBundles.START; // 2026-03-02T00:00:00Z, the bundle's banners fly from here

  @Option(names = "--banners", defaultValue = "10000", description = "Banners in the model. Default: ${DEFAULT-VALUE}.")
  int banners;

  @Option(names = "--users", defaultValue = "1000000", description = "Users loaded. Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(names = "--capacity", defaultValue = "64",
      description = "ranker.users.activity-capacity (application.yml's default). Default: ${DEFAULT-VALUE}.")
  int capacity;

  /** How much each user has done. */
  enum Activity { full, mixed }

  @Option(names = "--activity", defaultValue = "full", description = "full: every user's rings full (the worst case); "
      + "mixed: 30% of users with 1-10 events and impressions, 30% with 10-40, 40% full. Default: ${DEFAULT-VALUE}.")
  Activity activity;

  @Option(names = "--fold-in-dim", defaultValue = "0", description = "Fold-in taste size of the bundle (0: none). "
      + "With fold-in every user keeps choice counts, and gets a demo-world shopper's whole history (see activity) "
      + "so the counts are as large as there. Default: ${DEFAULT-VALUE}.")
  int foldInDim;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the bundle and the users' activity. Default: ${DEFAULT-VALUE}.")
  long seed;

  /** The store of record behind the cache. */
  enum Store { rocksdb, memory }

  @Option(names = "--store", defaultValue = "rocksdb", description = "rocksdb: the service's default, an embedded "
      + "RocksDB in the scratch directory behind the cache, whose heap is only the cache's; memory: a store in the "
      + "heap too (every user's value held twice). Default: ${DEFAULT-VALUE}.")
  Store storeKind;

  @Option(names = "--cache-max-size", defaultValue = "200000", description = "ranker.users.cache-max-size "
      + "(application.yml's default); with --store memory at least --users. Default: ${DEFAULT-VALUE}.")
  long cacheMaxSize;

  @Option(names = "--json", required = true, description = "Where to write the results.")
  Path json;

  @Option(names = "--work", description = "Scratch directory for the bundle and users.csv. Default: a new temporary one.")
  Path work;

  /** The bundle's sizes: the demo world's 200 brands and 30 categories, train's default network sizes. */
  static RandomBundles.Shape shape() {
    return new RandomBundles.Shape(200, 30, 32, 50, 32, 1 << 17, List.of(64, 32), 10, 8, 0.05f);
  }

  public static void main(String[] args) {
    // The same exit codes as every other bin/ranker command.
    System.exit(ServingCli.withExitCodes(new CommandLine(new MemoryReport())).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (banners < 10 || users < 1 || capacity < 1 || foldInDim < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--banners must be at least 10, --users and --capacity positive, --fold-in-dim not negative");
    }
    Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("ranker-memory");
    Map<String, Object> out = run(dir);
    if (work == null) {
      deleteTree(dir);
    }
    if (json.getParent() != null) {
      Files.createDirectories(json.getParent());
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
    System.out.println("wrote " + json);
    return 0;
  }

  Map<String, Object> run(Path dir) throws Exception {
    long t0 = System.nanoTime();
    long baseline = usedAfterGc();

    Path bundleDir = dir.resolve("bundle");
    BundleIO.write(RandomBundles.create(seed, banners, shape(), foldInDim), bundleDir, true);
    ModelRegistry registry = new ModelRegistry(0, "memory");
    ModelGeneration g = registry.load(Arm.CONTROL, bundleDir);
    long afterModel = usedAfterGc();
    log("model: %,d banners loaded and verified, %s", g.bannerCount(), mib(afterModel - baseline));

    Path data = Files.createDirectories(dir.resolve("data"));
    writeUsers(data.resolve("users.csv"));
    long cacheSize = storeKind == Store.memory ? Math.max(cacheMaxSize, users) : cacheMaxSize;
    UserSettings settings = new UserSettings("", false, capacity, cacheSize, Duration.ofHours(6));
    Path stateDir = dir.resolve("state");
    if (Files.exists(stateDir)) { // a previous run's, in a --work directory
      deleteTree(stateDir);
    }
    // The sync setting only decides when the write-ahead log reaches the disk, not what is held in memory or on it;
    // `interval` lets a million users' histories be written in minutes.
    UserStore userStore = storeKind == Store.memory ? new MemoryUserStore(UserStateStore.limits(settings))
        : new RocksDbUserStore(stateDir, UserStateStore.limits(settings), false, Duration.ofMillis(100),
        Duration.ZERO);
    UserStateStore store;
    try {
      // As `bin/ranker import` does: users.csv into the store; the loaded table is dropped afterwards.
      StoreImport.load(data, false, capacity, userStore, 10_000, n -> {});
      store = new UserStateStore(settings, userStore);
    } catch (RuntimeException e) {
      userStore.close();
      throw e;
    }
    long afterProfiles = usedAfterGc();
    log("profiles: %,d imported into the %s store, %s", users, storeKind, mib(afterProfiles - afterModel));

    RankerMetrics metrics = new RankerMetrics(new SimpleMeterRegistry());
    metrics.bindUserCache(store.cache());
    EventRecorder recorder = new EventRecorder(registry, store, metrics,
        new RequestSettings(128, 500, 50, 10, 1000, "", Duration.ofMillis(3)));
    List<String> bannerIds = g.model().bundle().catalog().stream().map(b -> b.id()).toList();
    Vocabularies vocab = g.model().bundle().vocab();
    List<String> brands = vocab.brands().values();
    List<String> categories = g.model().bundle().vocab().categories().values();
    long events = 0;
    long viewsTotal = 0;
    long[] countBytes = new long[Math.min(users, 10_000)];
    long loadStart = System.nanoTime();
    for (int u = 1; u <= users; u++) {
      SplittableRandom r = new SplittableRandom(seed * 1_000_003L + u);
      List<EventInput> batch = foldInDim > 0 ? history(userId(u), r, bannerIds, brands, categories, g)
          : activity(userId(u), r, bannerIds, brands, categories);
      for (int from = 0; from < batch.size(); from += 1_000) {
        events += recorder.record(batch.subList(from, Math.min(batch.size(), from + 1_000)));
      }
      if (foldInDim > 0 && u <= countBytes.length) {
        ChoiceCounts c = new ChoiceCounts();
        for (EventInput e : batch) {
          if (e.kind() == EventInput.Kind.PRODUCT) {
            c.add(vocab.brands().indexOf(e.brand()), vocab.categories().indexOf(e.category()), e.productType(),
                e.timeSeconds());
            viewsTotal += e.productType() == EventType.VIEW ? 1 : 0;
          }
        }
        countBytes[u - 1] = c.pack().length;
      }
      if (u % 100_000 == 0) {
        log("users: %,d recorded (%,.0f events/s)", u, events / ((System.nanoTime() - loadStart) / 1e9));
      }
    }
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    store.cache().cleanUp();
    long afterUsers = usedAfterGc();
    long held = store.cache().estimatedSize();
    long evicted = store.cache().stats().evictionCount();
    log("user state: %,d users held, %s", held, mib(afterUsers - afterProfiles));

    // Every ring full: check a sample of users through the path Rank uses (read from the store when not cached).
    int sample = Math.min(users, 1_000);
    int fullRings = 0;
    for (int i = 0; i < sample; i++) {
      UserHistory h = store.get(userId(1 + (int) ((long) i * users / sample))).snapshot(g).history();
      fullRings += h.eventCount() == g.spec().maxRecentEvents() && h.totalEvents() > capacity ? 1 : 0;
    }
    Map<String, Long> proc = procStatus();
    long diskAsWritten = 0;
    long diskCompacted = 0;
    if (userStore instanceof RocksDbUserStore rocks) {
      diskAsWritten = treeBytes(stateDir);
      rocks.compactAll();
      userStore.close();
      diskCompacted = treeBytes(stateDir);
      log("state directory: %s as written, %s compacted", mib(diskAsWritten), mib(diskCompacted));
    } else {
      userStore.close();
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("banners", g.bannerCount());
    o.put("users_loaded", users);
    o.put("users_held", held);
    o.put("evictions", evicted);
    o.put("store", storeKind.name());
    o.put("cache_max_size", settings.cacheMaxSize());
    o.put("activity", activity.name());
    o.put("activity_capacity", capacity);
    o.put("events_recorded", events);
    o.put("events_per_user", (double) events / users);
    o.put("fold_in_dim", foldInDim);
    if (foldInDim > 0) {
      long[] sorted = countBytes.clone();
      java.util.Arrays.sort(sorted);
      o.put("choice_counts_sampled_users", sorted.length);
      o.put("product_views_per_sampled_user", (double) viewsTotal / sorted.length);
      o.put("choice_counts_packed_bytes_median", sorted[sorted.length / 2]);
      o.put("choice_counts_packed_bytes_mean", java.util.Arrays.stream(sorted).average().orElse(0));
      o.put("choice_counts_packed_bytes_p90", sorted[sorted.length * 9 / 10]);
    }
    o.put("sampled_users_with_full_rings", fullRings);
    o.put("sampled_users", sample);
    o.put("model_rings", Map.of("events", g.spec().maxRecentEvents(), "impressions", g.spec().maxRecentImpressions()));
    o.put("heap_used_after_gc_bytes", afterUsers);
    o.put("heap_baseline_bytes", baseline);
    o.put("model_bytes", afterModel - baseline);
    o.put("profiles_bytes", afterProfiles - afterModel);
    o.put("user_state_bytes", afterUsers - afterProfiles);
    o.put("profile_bytes_per_user", (double) (afterProfiles - afterModel) / users);
    o.put("user_state_bytes_per_user", (double) (afterUsers - afterProfiles) / users);
    o.put("user_state_bytes_per_cached_user", (double) (afterUsers - afterProfiles) / held);
    if (storeKind == Store.rocksdb) {
      o.put("state_dir_bytes_as_written", diskAsWritten);
      o.put("state_dir_bytes_compacted", diskCompacted);
      o.put("state_dir_bytes_per_user_compacted", (double) diskCompacted / users);
    }
    o.put("all_bytes_per_user", (double) (afterUsers - afterModel) / users);
    o.put("heap_max_bytes", Runtime.getRuntime().maxMemory());
    o.put("heap_committed_bytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
    o.put("xmx", xmx());
    o.put("vm_rss_bytes", proc.get("VmRSS"));
    o.put("vm_hwm_bytes", proc.get("VmHWM"));
    o.put("load_seconds", loadSeconds);
    o.put("events_per_second", events / loadSeconds);
    o.put("total_seconds", (System.nanoTime() - t0) / 1e9);
    o.put("goal_heap_bytes", GIB);
    o.put("goal_met", afterUsers <= GIB && (storeKind == Store.rocksdb || held == users));
    o.put("machine", machine());
    o.put("jvm", jvm());
    o.put("measured_at", Instant.now().toString());
    print(o);
    return o;
  }

  /**
   * One user's recent activity, in time order: browsing sessions (a few seconds to two minutes between events,
   * hours between sessions) of views, some add-to-carts and purchases, mostly of eight favourite brands, with
   * dwell in tenths of a second; on about half the page views one to three banners are shown at once, and about
   * 4% of impressions are clicked. It stops once there are more events and more impressions than the capacity
   * (with {@code --activity mixed}, for 60% of users once there are 1 to 40 of each).
   */
  List<EventInput> activity(String user, SplittableRandom r, List<String> bannerIds, List<String> brands,
      List<String> categories) {
    String[] favourites = new String[8];
    for (int i = 0; i < favourites.length; i++) {
      favourites[i] = brands.get(r.nextInt(brands.size()));
    }
    double share = r.nextDouble();
    int target = activity == Activity.full || share >= 0.6 ? capacity + 8
        : share < 0.3 ? 1 + r.nextInt(10) : 10 + r.nextInt(31);
    List<EventInput> out = new ArrayList<>();
    long t = START + r.nextInt(10 * 86_400);
    int behaviour = 0;
    int impressions = 0;
    while (behaviour < target || impressions < target) {
      t += r.nextInt(8) == 0 ? 3_600L * (2 + r.nextInt(46)) : 5 + r.nextInt(115);
      double kind = r.nextDouble();
      EventType type = kind < 0.85 ? EventType.VIEW : kind < 0.95 ? EventType.ADD_TO_CART : EventType.PURCHASE;
      String brand = r.nextInt(10) < 7 ? favourites[r.nextInt(favourites.length)] : brands.get(r.nextInt(brands.size()));
      out.add(EventInput.product(user, t, type, brand, categories.get(r.nextInt(categories.size())),
          r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(4), r.nextInt(1_200) / 10f));
      behaviour++;
      if (r.nextBoolean()) {
        int shown = 1 + r.nextInt(3);
        behaviour += show(user, t, shown, r, bannerIds, out);
        impressions += shown;
      }
    }
    return out;
  }

  /** {@code n} impressions at {@code t}, about 4% of them clicked; returns the clicks. */
  private static int show(String user, long t, int n, SplittableRandom r, List<String> bannerIds,
      List<EventInput> out) {
    int clicks = 0;
    for (int k = n; k > 0; k--) {
      String banner = bannerIds.get(r.nextInt(bannerIds.size()));
      out.add(EventInput.impression(user, t, banner));
      if (r.nextInt(25) == 0) {
        out.add(EventInput.click(user, t + 1 + r.nextInt(20), banner));
        clicks++;
      }
    }
    return clicks;
  }

  /**
   * With fold-in, a demo-world shopper's whole history (docs/demo-world.md): Poisson(14 × activity) visits over 14
   * days (activity log-normal with mean 1 and log-SD 0.7), hours apart; 15% are bounces (banners only); the others
   * browse one category, or two with probability 0.6, drawn by the user's own tastes (log-weights N(0, 1.5²)), and
   * view 1 + Poisson(5) products there (at most 10), each of a brand that sells in the category (the bundle's
   * fold-in membership) drawn by the user's affinities (log-weights N(0, 1.3²)); 8% of views lead to a cart, a
   * third of those to a purchase. Every visit shows 5 to 10 banners, about 4% clicked. With {@code --activity full}
   * a user with fewer events or impressions than the capacity gets more visits, so the rings are full too.
   */
  List<EventInput> history(String user, SplittableRandom r, List<String> bannerIds, List<String> brands,
      List<String> categories, ModelGeneration g) {
    FoldInFactors f = g.model().vectors().foldIn();
    double[] categoryTaste = gaussian(r, categories.size(), 1.5);
    double[] brandTaste = gaussian(r, brands.size(), 1.3);
    double activityLevel = Math.exp(0.7 * r.nextGaussian() - 0.245);
    int visits = poisson(r, 14 * activityLevel);
    boolean topUp = activity == Activity.full;
    List<EventInput> out = new ArrayList<>();
    long t = START;
    int behaviour = 0;
    int impressions = 0;
    for (int v = 0; v < visits || topUp && (behaviour <= capacity || impressions <= capacity); v++) {
      t += 4 * 3_600L + r.nextInt(40 * 3_600);
      int shown = 5 + r.nextInt(6);
      behaviour += show(user, t, shown, r, bannerIds, out);
      impressions += shown;
      t += 30;
      if (r.nextInt(100) < 15) {
        continue;
      }
      for (int c = r.nextInt(10) < 6 ? 2 : 1; c > 0; c--) {
        int category = 1 + draw(r, categoryTaste, null);
        int[] sellers = f.brandsOf(category);
        for (int n = Math.min(10, 1 + poisson(r, 5)); n > 0; n--) {
          t += 10 + r.nextInt(110);
          int brand = sellers[draw(r, brandTaste, sellers)];
          float dwell = Math.round(10 * Math.min(300, Math.exp(Math.log(25) + 0.6 * r.nextGaussian()))) / 10f;
          out.add(EventInput.product(user, t, EventType.VIEW, brands.get(brand - 1), categories.get(category - 1),
              1 + r.nextInt(4), dwell));
          behaviour++;
          if (r.nextInt(100) < 8) {
            out.add(EventInput.product(user, t + 5, r.nextInt(3) == 0 ? EventType.PURCHASE : EventType.ADD_TO_CART,
                brands.get(brand - 1), categories.get(category - 1), 1 + r.nextInt(4), 0f));
            behaviour++;
          }
        }
      }
    }
    return out;
  }

  private static double[] gaussian(SplittableRandom r, int n, double sd) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = sd * r.nextGaussian();
    }
    return x;
  }

  /** An index drawn with weights exp(logWeights): of {@code logWeights}, or of {@code options} (1-based ids). */
  private static int draw(SplittableRandom r, double[] logWeights, int[] options) {
    int n = options == null ? logWeights.length : options.length;
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += Math.exp(logWeights[options == null ? i : options[i] - 1]);
    }
    double x = r.nextDouble() * total;
    for (int i = 0; i < n; i++) {
      x -= Math.exp(logWeights[options == null ? i : options[i] - 1]);
      if (x <= 0) {
        return i;
      }
    }
    return n - 1;
  }

  private static int poisson(SplittableRandom r, double mean) {
    double limit = Math.exp(-mean);
    double p = 1;
    int k = -1;
    do {
      k++;
      p *= r.nextDouble();
    } while (p > limit);
    return k;
  }

  static String userId(int u) {
    return String.format("u-%07d", u);
  }

  /** {@code users.csv} with a deterministic mix of genders, age bands and city tiers. */
  void writeUsers(Path file) throws IOException {
    String[] genders = {"F", "M", "U"};
    String[] ages = {"18-24", "25-34", "35-44", "45-54", "55+"};
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      w.write("user_id,gender,age_band,city_tier\n");
      for (int u = 1; u <= users; u++) {
        w.write(userId(u) + "," + genders[u % 3] + "," + ages[(u / 3) % 5] + "," + (1 + (u / 15) % 3) + "\n");
      }
    }
  }

  /** Used heap after full collections (two, so that what the first finalised is gone too). */
  static long usedAfterGc() {
    for (int i = 0; i < 2; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static String xmx() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("-Xmx"))
        .reduce((a, b) -> b).orElse("(not set)");
  }

  /** VmRSS and VmHWM of this process, in bytes (Linux). */
  static Map<String, Long> procStatus() {
    Map<String, Long> m = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
          m.put(line.substring(0, 5), 1024 * Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
    } catch (IOException e) {
      // not Linux: left out
    }
    return m;
  }

  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name"));
    m.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    return m;
  }

  static Map<String, Object> jvm() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    m.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
    m.put("args", ManagementFactory.getRuntimeMXBean().getInputArguments());
    return m;
  }

  private static String firstValue(Path file, String key) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(l -> l.startsWith(key)).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
    } catch (IOException e) {
      return "";
    }
  }

  private static void print(Map<String, Object> o) {
    long users = ((Number) o.get("users_loaded")).longValue();
    System.out.printf("%n%,d banners, %,d users (activity %s, capacity %d), heap %s (%s)%n",
        o.get("banners"), users, o.get("activity"), o.get("activity_capacity"), mib((Long) o.get("heap_max_bytes")), o.get("xmx"));
    System.out.printf("  %-40s %12s%n", "heap used after full GC", mib((Long) o.get("heap_used_after_gc_bytes")));
    System.out.printf("  %-40s %12s%n", "  JVM baseline", mib((Long) o.get("heap_baseline_bytes")));
    System.out.printf("  %-40s %12s%n", "  model", mib((Long) o.get("model_bytes")));
    System.out.printf("  %-40s %12s  (%.0f B/user)%n", "  profiles (imported)", mib((Long) o.get("profiles_bytes")),
        o.get("profile_bytes_per_user"));
    System.out.printf("  %-40s %12s  (%.0f B/cached user)%n", "  user state (cache, logs)",
        mib((Long) o.get("user_state_bytes")), o.get("user_state_bytes_per_cached_user"));
    if (o.containsKey("state_dir_bytes_compacted")) {
      System.out.printf("  %-40s %12s  (%.0f B/user)%n", "state directory on disk, compacted",
          mib((Long) o.get("state_dir_bytes_compacted")), o.get("state_dir_bytes_per_user_compacted"));
    }
    System.out.printf("  %-40s %12s%n", "resident (VmRSS / peak VmHWM)", mib(orZero(o.get("vm_rss_bytes"))) + " / "
        + mib(orZero(o.get("vm_hwm_bytes"))));
    System.out.printf("  users held %,d of %,d (evictions %d); sampled users with full rings %d of %d%n",
        o.get("users_held"), users, o.get("evictions"), o.get("sampled_users_with_full_rings"), o.get("sampled_users"));
    System.out.printf("goal: heap used ≤ 1 GiB with every user stored: %s%n",
        Boolean.TRUE.equals(o.get("goal_met")) ? "met" : "NOT met");
  }

  private static long orZero(Object v) {
    return v == null ? 0 : ((Number) v).longValue();
  }

  static String mib(long bytes) {
    return String.format("%,.1f MiB", bytes / (1024.0 * 1024.0));
  }

  private static void log(String format, Object... args) {
    System.err.printf(format + "%n", args);
  }

  /** Bytes of the regular files under {@code dir}. */
  static long treeBytes(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      long n = 0;
      for (Path p : paths.filter(Files::isRegularFile).toList()) {
        n += Files.size(p);
      }
      return n;
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
