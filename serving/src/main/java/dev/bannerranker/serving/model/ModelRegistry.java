package dev.bannerranker.serving.model;

import dev.bannerranker.serving.catalog.LiveCatalog;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the serving models and swaps them. Loading and validation happen off to the side; the swap is one
 * reference write, so requests in flight finish on the generation they started with and none fails. Loads
 * are serialised; reads never block.
 */
public final class ModelRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  /** Why a bundle was refused, and when. */
  public record Refusal(Path dir, String reason, Instant at) {}

  private final AtomicReference<ServingModels> current;
  private final Map<Arm, Refusal> refusals = new ConcurrentHashMap<>();
  /** Each arm's model before its last swap, kept loaded so that {@link #rollback} is one reference write. */
  private final Map<Arm, ModelGeneration> previous = new ConcurrentHashMap<>();
  private final List<ModelListener> listeners = new CopyOnWriteArrayList<>();
  private final List<HistoryKey> knownKeys = new ArrayList<>();
  /** The live catalog every model serves; null until one is set, when each serves its bundle's own. */
  private LiveCatalog catalog;

  public ModelRegistry(int treatmentPercent, String salt) {
    current = new AtomicReference<>(new ServingModels(null, null, treatmentPercent, salt));
  }

  public void addListener(ModelListener listener) {
    listeners.add(listener);
  }

  /** The models serving now. */
  public ServingModels current() {
    return current.get();
  }

  /**
   * Loads, validates and swaps in the bundle at {@code dir} for {@code arm}. On refusal the arm keeps its
   * model, the refusal is logged, kept for {@link #lastRefusal} and passed to the listeners.
   */
  public synchronized ModelGeneration load(Arm arm, Path dir) throws ModelRefusedException {
    ModelGeneration next;
    try {
      ModelGeneration loaded = BundleValidator.load(dir, this::canonical);
      next = catalog == null ? loaded : loaded.withCatalog(catalog);
    } catch (ModelRefusedException e) {
      refusals.put(arm, new Refusal(dir, e.getMessage(), Instant.now()));
      ModelGeneration serving = current.get().generation(arm);
      LOG.atError().addKeyValue("arm", arm.label()).addKeyValue("bundle_dir", dir.toString())
          .addKeyValue("reason", e.getMessage())
          .addKeyValue("serving_version", serving == null ? "" : serving.version())
          .log("model bundle refused; the {} arm keeps serving {}", arm.label(),
              serving == null ? "no model" : serving.version());
      listeners.forEach(l -> l.refused(arm, dir, e.getMessage()));
      throw e;
    }
    ModelGeneration previous = current.getAndUpdate(m -> m.with(arm, next)).generation(arm);
    if (previous != null) {
      this.previous.put(arm, previous);
    }
    refusals.remove(arm);
    LOG.atInfo().addKeyValue("arm", arm.label()).addKeyValue("bundle_dir", dir.toString())
        .addKeyValue("model_version", next.version())
        .addKeyValue("previous_version", previous == null ? "" : previous.version())
        .addKeyValue("banners", next.bannerCount())
        .log("model {} now serves the {} arm", next.version(), arm.label());
    listeners.forEach(l -> l.loaded(arm, next, previous));
    return next;
  }

  /**
   * Switches the arm back to the model it served before its last swap (which stays loaded, so nothing is read or
   * validated); the model it leaves becomes the previous one, so a second call switches forward again. Requests in
   * flight finish on the model they started with. Returns the model that was serving.
   *
   * @throws NoPreviousModelException when the arm has had only one model (or none)
   */
  public synchronized ModelGeneration rollback(Arm arm) throws NoPreviousModelException {
    ModelGeneration kept = previous.get(arm);
    if (kept == null) {
      throw new NoPreviousModelException("the " + arm.label() + " arm has no previous model to roll back to");
    }
    ModelGeneration back = catalog == null || kept.catalogVersion() == catalog.version() ? kept
        : kept.withCatalog(catalog);
    ModelGeneration left = current.getAndUpdate(m -> m.with(arm, back)).generation(arm);
    previous.put(arm, left);
    LOG.atWarn().addKeyValue("arm", arm.label()).addKeyValue("model_version", back.version())
        .addKeyValue("bundle_dir", back.bundleDir().toString()).addKeyValue("rolled_back_version", left.version())
        .log("rolled back: model {} serves the {} arm again instead of {}", back.version(), arm.label(),
            left.version());
    listeners.forEach(l -> l.loaded(arm, back, left));
    return left;
  }

  /**
   * Makes every model serve {@code live} (a newer version than the one serving; an older one is ignored): each arm's
   * generation is rebuilt over it and swapped in with one reference write, so the next request sees the change.
   * Returns whether it was applied.
   */
  public synchronized boolean useCatalog(LiveCatalog live) {
    if (catalog != null && live.version() <= catalog.version()) {
      return false;
    }
    catalog = live;
    ServingModels now = current.updateAndGet(m -> new ServingModels(
        m.control() == null ? null : m.control().withCatalog(live),
        m.treatment() == null ? null : m.treatment().withCatalog(live), m.treatmentPercent(), m.salt()));
    listeners.forEach(l -> l.catalogChanged(now));
    return true;
  }

  /** The live catalog the models serve, or null. */
  public synchronized LiveCatalog catalog() {
    return catalog;
  }

  /** The model {@link #rollback} would switch the arm back to, or null. */
  public ModelGeneration previous(Arm arm) {
    return previous.get(arm);
  }

  /** The last refusal for the arm since its last successful load. */
  public Optional<Refusal> lastRefusal(Arm arm) {
    return Optional.ofNullable(refusals.get(arm));
  }

  /** An equal key that is already in use, so user states compare keys by reference in the common case. */
  private HistoryKey canonical(HistoryKey key) {
    for (HistoryKey k : knownKeys) {
      if (k.equals(key)) {
        return k;
      }
    }
    knownKeys.add(0, key);
    if (knownKeys.size() > 4) {
      knownKeys.remove(knownKeys.size() - 1);
    }
    return key;
  }
}
