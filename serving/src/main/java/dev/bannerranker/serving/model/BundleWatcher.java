package dev.bannerranker.serving.model;

import dev.bannerranker.bundle.BundleIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches each arm's bundle directory and hot-swaps a bundle with a new model version. It polls a stamp of
 * the directory (file names, sizes and modification times) rather than using inotify, which does not fire on
 * many mounted volumes. A refused bundle is tried again only after the directory changes again.
 */
public final class BundleWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BundleWatcher.class);

  private final ModelRegistry registry;
  private final Map<Arm, Path> dirs;
  private final Map<Arm, String> seen = new EnumMap<>(Arm.class);
  private ScheduledExecutorService timer;

  public BundleWatcher(ModelRegistry registry, Map<Arm, Path> dirs) {
    this.registry = registry;
    this.dirs = Map.copyOf(dirs);
    dirs.forEach((arm, dir) -> seen.put(arm, stamp(dir)));
  }

  /** Starts polling on a daemon thread. */
  public synchronized void start(Duration interval) {
    if (timer != null) {
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bundle-watcher");
      t.setDaemon(true);
      return t;
    });
    long ms = interval.toMillis();
    timer.scheduleWithFixedDelay(this::checkAll, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** One look at every directory; loads what changed. Public so tests need not wait for the timer. */
  public synchronized void checkAll() {
    dirs.forEach((arm, dir) -> {
      try {
        check(arm, dir);
      } catch (RuntimeException e) {
        LOG.atError().setCause(e).addKeyValue("arm", arm.label()).addKeyValue("bundle_dir", dir.toString())
            .log("bundle watch failed");
      }
    });
  }

  private void check(Arm arm, Path dir) {
    String stamp = stamp(dir);
    if (stamp == null || Objects.equals(stamp, seen.get(arm))) {
      return;
    }
    seen.put(arm, stamp);
    String version;
    try {
      version = BundleIO.readManifest(dir).modelVersion();
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("arm", arm.label()).addKeyValue("bundle_dir", dir.toString())
          .addKeyValue("reason", e.getMessage()).log("bundle directory changed but has no readable manifest");
      return;
    }
    ModelGeneration serving = registry.current().generation(arm);
    if (serving != null && serving.version().equals(version) && serving.bundleDir().equals(dir)) {
      return;
    }
    try {
      registry.load(arm, dir);
    } catch (ModelRefusedException e) {
      // logged and counted by the registry; the old model keeps serving
    }
  }

  /** Names, sizes and modification times of the directory's files; null when it does not exist. */
  static String stamp(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      StringBuilder sb = new StringBuilder();
      files.sorted().forEach(f -> {
        try {
          BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
          sb.append(f.getFileName()).append(':').append(a.size()).append(':')
              .append(a.lastModifiedTime().toMillis()).append(':').append(a.fileKey()).append('\n');
        } catch (IOException e) {
          sb.append(f.getFileName()).append(":?\n");
        }
      });
      return sb.toString();
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
