package dev.bannerranker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.serving.cli.ServingCli;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.ranking.EventRecorder;
import dev.bannerranker.serving.store.RedisUserStore;
import dev.bannerranker.serving.users.UserStateStore;
import dev.bannerranker.testing.RandomBundles;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Redis memory per user: fills an empty Redis database through the service's own write path (profiles upserted,
 * each user's activity recorded by {@link EventRecorder} into a {@link UserStateStore} over {@link RedisUserStore},
 * compacted as the service compacts) with {@link MemoryReport}'s users, and reads {@code used_memory} before and
 * after. By default each user gets a demo-world shopper's history (fold-in on, {@code --activity mixed}).
 */
@Command(name = "redis-memory", mixinStandardHelpOptions = true,
    description = "Measures Redis used_memory per user with many users' state written through the service's path.")
public final class RedisMemoryReport implements Callable<Integer> {
  @Option(names = "--redis", required = true, paramLabel = "URI", description = "An EMPTY Redis database, e.g. "
      + "redis://127.0.0.1:6379/0.")
  String redis;

  @Option(names = "--users", defaultValue = "1000000", description = "Users written. Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(names = "--banners", defaultValue = "10000", description = "Banners in the model. Default: ${DEFAULT-VALUE}.")
  int banners;

  @Option(names = "--capacity", defaultValue = "64", description = "ranker.users.activity-capacity. Default: "
      + "${DEFAULT-VALUE}.")
  int capacity;

  @Option(names = "--activity", defaultValue = "mixed", description = "As the memory report's: full (every user past "
      + "the capacity) or mixed. Default: ${DEFAULT-VALUE}.")
  MemoryReport.Activity activity;

  @Option(names = "--fold-in-dim", defaultValue = "8", description = "As the memory report's; above 0, users get a "
      + "demo-world shopper's history. Default: ${DEFAULT-VALUE}.")
  int foldInDim;

  @Option(names = "--retention-days", defaultValue = "0", description = "ranker.state.retention in days, 0 for none "
      + "(an expiry on every user costs memory too). Default: ${DEFAULT-VALUE}.")
  int retentionDays;

  @Option(names = "--threads", defaultValue = "2", description = "Writers. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the bundle and the users. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--json", required = true, description = "Where to write the results.")
  Path json;

  public static void main(String[] args) {
    System.exit(ServingCli.withExitCodes(new CommandLine(new RedisMemoryReport())).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (users < 1 || threads < 1 || banners < 10 || retentionDays < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--users and --threads must be positive, --banners at least 10, --retention-days not negative");
    }
    RedisClient client = RedisClient.create(redis);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> admin = c.sync();
      if (admin.dbsize() > 0) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--redis " + redis + " holds "
            + admin.dbsize() + " keys; give an empty database (redis://HOST:PORT/N picks one)");
      }
      long before = usedMemory(admin);
      Map<String, Object> out = fill();
      long after = usedMemory(admin);
      long keys = admin.dbsize();
      out.put("redis_keys", keys);
      out.put("used_memory_before", before);
      out.put("used_memory_after", after);
      out.put("used_memory_per_user", (double) (after - before) / users);
      out.put("redis_version", field(admin.info("server"), "redis_version"));
      out.put("mem_allocator", field(admin.info("memory"), "mem_allocator"));
      System.err.printf("used_memory: %,d -> %,d bytes, %.0f bytes per user (%,d keys)%n", before, after,
          (double) (after - before) / users, keys);
      if (json.getParent() != null) {
        Files.createDirectories(json.getParent());
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
      System.out.println("wrote " + json);
    } finally {
      client.shutdown();
    }
    return 0;
  }

  private Map<String, Object> fill() throws Exception {
    Path dir = Files.createTempDirectory("ranker-redis-memory");
    MemoryReport users = new MemoryReport();
    users.capacity = capacity;
    users.activity = activity;
    users.foldInDim = foldInDim;
    users.seed = seed;
    Path bundleDir = dir.resolve("bundle");
    BundleIO.write(RandomBundles.create(seed, banners, MemoryReport.shape(), foldInDim), bundleDir, true);
    ModelRegistry registry = new ModelRegistry(0, "memory");
    ModelGeneration g = registry.load(Arm.CONTROL, bundleDir);
    MemoryReport.deleteTree(dir);
    List<String> bannerIds = g.model().bundle().catalog().stream().map(b -> b.id()).toList();
    List<String> brands = g.model().bundle().vocab().brands().values();
    List<String> categories = g.model().bundle().vocab().categories().values();

    UserSettings settings = new UserSettings("", false, capacity, 1_000, Duration.ofHours(6));
    AtomicLong events = new AtomicLong();
    long start = System.nanoTime();
    try (RedisUserStore store = new RedisUserStore(redis, UserStateStore.limits(settings), Duration.ofSeconds(5),
        Duration.ofDays(retentionDays))) {
      UserStateStore state = new UserStateStore(settings, store);
      EventRecorder recorder = new EventRecorder(registry, state, new RankerMetrics(new SimpleMeterRegistry()),
          new RequestSettings(128, 500, 50, 10, 1000, "", Duration.ofMillis(3)));
      Gender[] genders = Gender.values();
      String[] ages = {"18-24", "25-34", "35-44", "45-54", "55+"};
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int first = 1 + t;
          work.add(pool.submit(() -> {
            List<UserProfile> profiles = new ArrayList<>();
            for (int u = first; u <= this.users; u += threads) {
              String id = MemoryReport.userId(u);
              profiles.add(new UserProfile(id, genders[u % genders.length], ages[(u / 3) % 5], 1 + (u / 15) % 3));
              SplittableRandom r = new SplittableRandom(seed * 1_000_003L + u);
              List<EventInput> batch = foldInDim > 0 ? users.history(id, r, bannerIds, brands, categories, g)
                  : users.activity(id, r, bannerIds, brands, categories);
              for (int from = 0; from < batch.size(); from += 1_000) {
                events.addAndGet(recorder.record(batch.subList(from, Math.min(batch.size(), from + 1_000))));
              }
              if (profiles.size() == 500) {
                state.upsertProfiles(profiles);
                profiles.clear();
              }
              if (u % 100_000 < threads) {
                System.err.printf("users: %,d written (%,.0f events/s)%n", u,
                    events.get() / ((System.nanoTime() - start) / 1e9));
              }
            }
            state.upsertProfiles(profiles);
            return null;
          }));
        }
        for (Future<?> f : work) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("users", this.users);
    o.put("activity", activity.name());
    o.put("fold_in_dim", foldInDim);
    o.put("capacity", capacity);
    o.put("retention_days", retentionDays);
    o.put("events_recorded", events.get());
    o.put("events_per_user", (double) events.get() / this.users);
    o.put("seconds", seconds);
    o.put("events_per_second", events.get() / seconds);
    o.put("measured_at", Instant.now().toString());
    return o;
  }

  private static long usedMemory(RedisCommands<String, String> admin) {
    return Long.parseLong(field(admin.info("memory"), "used_memory"));
  }

  private static String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    throw new IllegalStateException("INFO has no " + name);
  }
}
