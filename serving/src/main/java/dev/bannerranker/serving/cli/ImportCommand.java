package dev.bannerranker.serving.cli;

import dev.bannerranker.serving.config.StateSettings;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.store.UserStore;
import dev.bannerranker.serving.store.UserStores;
import dev.bannerranker.serving.users.ProfileStore;
import dev.bannerranker.serving.users.StoreImport;
import dev.bannerranker.serving.users.UserStateStore;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Loads a data directory's users into the user store once, rather than replaying the tables at every start. Each
 * user's stored state is replaced by the one the tables give, so running it twice leaves the same state.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Load users.csv, events.csv and impressions.csv into the user store (the embedded one in "
        + "--state-dir, or Redis). Users in the data get their state from it, replacing what was stored; others are "
        + "left as they are. Stop the service on that --state-dir first.")
final class ImportCommand implements Callable<Integer> {
  private static final int BATCH = 5_000;
  private static final Duration BULK_TIMEOUT = Duration.ofSeconds(5);

  @Option(names = "--data", required = true, description = "Directory with users.csv, and optionally events.csv and "
      + "impressions.csv (with banners.csv beside them).")
  Path data;

  @Mixin
  StoreOptions store;

  @Option(names = "--no-progress", description = "Do not draw a progress bar.")
  boolean noProgress;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Map<String, Object> props = new HashMap<>();
    store.apply(spec.commandLine(), props);
    if (!Files.isDirectory(data)) {
      throw new ParameterException(spec.commandLine(), "--data " + data + " is not a directory");
    }
    StateSettings state;
    int capacity;
    // The service's own configuration (application.yml and RANKER_* variables), so the import keeps what it keeps;
    // read without starting the service's beans.
    try (ApplicationContext ctx = ApplicationContext.builder().properties(props).deduceEnvironment(false).build()) {
      Environment env = ctx.getEnvironment();
      env.start();
      state = new StateSettings(env.getProperty("ranker.state.store", String.class).orElse(null),
          env.getProperty("ranker.state.dir", String.class).orElse(null),
          env.getProperty("ranker.state.sync", String.class).orElse(null),
          env.getProperty("ranker.state.sync-interval", Duration.class).orElse(null),
          env.getProperty("ranker.state.retention", Duration.class).orElse(null),
          env.getProperty("ranker.state.redis-uri", String.class).orElse(null),
          env.getProperty("ranker.state.timeout", Duration.class).orElse(null));
      capacity = env.getProperty("ranker.users.activity-capacity", Integer.class).orElse(64);
    }
    // Off the request path every operation may wait at least 5 s (a new name's id too), as a busy server needs.
    if (state.timeout().compareTo(BULK_TIMEOUT) < 0) {
      state = new StateSettings(state.store(), state.dir(), state.sync(), state.syncInterval(), state.retention(),
          state.redisUri(), BULK_TIMEOUT);
    }
    UserSettings users = new UserSettings("", false, capacity, 1, Duration.ofHours(1));
    if (state.store().equals(StateSettings.MEMORY)) {
      throw new ParameterException(spec.commandLine(), "ranker.state.store is memory, which keeps nothing after the "
          + "import; give --state-dir or --redis");
    }
    long start = System.nanoTime();
    System.out.println("reading " + data + " ...");
    ProfileStore profiles = ProfileStore.load(data, true, users.activityCapacity());
    int total = StoreImport.userCount(profiles);
    StoreImport.Result r;
    try (UserStore target = UserStores.open(state, UserStateStore.limits(users))) {
      if (noProgress) {
        r = StoreImport.write(profiles, target, BATCH, n -> {});
      } else {
        try (ProgressBar pb = new ProgressBarBuilder().setTaskName("import").setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII).setUnit(" users", 1).setUpdateIntervalMillis(500).build()) {
          r = StoreImport.write(profiles, target, BATCH, pb::stepBy);
        }
      }
      double s = (System.nanoTime() - start) / 1e9;
      System.out.printf("imported %d users (%d with activity) into %s in %.1f s (%.0f users/s)%n", r.users(),
          r.withActivity(), target.describe(), s, r.users() / Math.max(s, 1e-9));
    }
    return 0;
  }
}
