package dev.bannerranker.serving.model;

import dev.bannerranker.bundle.ModelsRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control arm's models from a models root ({@link ModelsRoot}: {@code <root>/<version>/}). At start it serves
 * the pinned version, or the newest version that passes validation; unpinned, it then watches the root and swaps in
 * a version newer than any it has served or tried. A refused version is tried again only after its directory
 * changes. A version older than the newest seen is never swapped in on its own: only {@code ReloadModel} with that
 * version, or {@code RollbackModel}, brings one back, so a rollback is not undone by the watch.
 */
public final class ModelVersions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelVersions.class);

  private final ModelRegistry registry;
  private final Path root;
  private long newestSeen;
  /** Refused versions and the directory stamp they were refused with. */
  private final Map<Long, String> refused = new HashMap<>();
  private ScheduledExecutorService timer;

  /** @param root the models root; null when the service serves plain bundle directories */
  public ModelVersions(ModelRegistry registry, Path root) {
    this.registry = registry;
    this.root = root;
  }

  public boolean enabled() {
    return root != null;
  }

  /** The models root, or null. */
  public Path root() {
    return root;
  }

  /** The version directories on disk, oldest first. */
  public List<Long> onDisk() {
    requireRoot();
    try {
      return ModelsRoot.versions(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the models root " + root, e);
    }
  }

  /** The version of the models root that {@code g} was loaded from, or 0. */
  public long versionOf(ModelGeneration g) {
    if (root == null || g == null) {
      return 0;
    }
    Path dir = g.bundleDir().toAbsolutePath().normalize();
    Path parent = dir.getParent();
    return parent != null && parent.equals(root.toAbsolutePath().normalize()) ? ModelsRoot.versionOf(dir) : 0;
  }

  public Path dir(long version) {
    return ModelsRoot.dir(root, version);
  }

  /** Loads one version into an arm (ReloadModel with a version). */
  public synchronized ModelGeneration load(Arm arm, long version) throws ModelRefusedException {
    requireRoot();
    ModelGeneration g = registry.load(arm, dir(version));
    if (arm == Arm.CONTROL) {
      newestSeen = Math.max(newestSeen, version);
    }
    return g;
  }

  /**
   * Serves {@code pinned} (when positive) or the newest valid version in the control arm.
   *
   * @throws ModelRefusedException when the pinned version, or every version, is refused, or there is none
   */
  public synchronized ModelGeneration start(long pinned) throws ModelRefusedException {
    requireRoot();
    List<Long> versions = onDisk();
    if (pinned > 0) {
      if (!versions.contains(pinned)) {
        throw new ModelRefusedException("version " + pinned + " is not in the models root " + root
            + " (versions: " + describe(versions) + ")", null);
      }
      return load(Arm.CONTROL, pinned);
    }
    if (versions.isEmpty()) {
      throw new ModelRefusedException("the models root " + root + " holds no version directory (1, 2, ...)", null);
    }
    newestSeen = versions.get(versions.size() - 1);
    List<String> problems = new ArrayList<>();
    for (int i = versions.size() - 1; i >= 0; i--) {
      long v = versions.get(i);
      try {
        return registry.load(Arm.CONTROL, dir(v));
      } catch (ModelRefusedException e) {
        refused.put(v, BundleWatcher.stamp(dir(v)));
        problems.add("version " + v + ": " + e.getMessage());
      }
    }
    throw new ModelRefusedException("no version in " + root + " passes validation: " + String.join("; ", problems),
        null);
  }

  /** One look at the root: swaps in the newest valid version newer than any seen. Public for tests. */
  public synchronized void check() {
    List<Long> versions;
    try {
      versions = ModelsRoot.versions(root);
    } catch (IOException e) {
      LOG.atWarn().addKeyValue("models_root", root.toString()).addKeyValue("reason", e.getMessage())
          .log("cannot list the models root");
      return;
    }
    for (int i = versions.size() - 1; i >= 0 && versions.get(i) > newestSeen; i--) {
      long v = versions.get(i);
      String stamp = BundleWatcher.stamp(dir(v));
      if (refused.containsKey(v) && Objects.equals(refused.get(v), stamp)) {
        continue;
      }
      try {
        registry.load(Arm.CONTROL, dir(v));
        newestSeen = v;
        refused.keySet().removeIf(r -> r <= v);
        return;
      } catch (ModelRefusedException e) {
        refused.put(v, stamp); // logged by the registry; the serving model stays
      }
    }
  }

  /** Watches the root on a daemon thread. */
  public synchronized void watch(Duration interval) {
    requireRoot();
    if (timer != null) {
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "models-root-watcher");
      t.setDaemon(true);
      return t;
    });
    long ms = interval.toMillis();
    timer.scheduleWithFixedDelay(() -> {
      try {
        check();
      } catch (RuntimeException e) {
        LOG.atError().setCause(e).addKeyValue("models_root", root.toString()).log("models root watch failed");
      }
    }, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void requireRoot() {
    if (root == null) {
      throw new IllegalStateException("no models root is configured");
    }
  }

  private static String describe(List<Long> versions) {
    return versions.isEmpty() ? "none" : versions.toString();
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
