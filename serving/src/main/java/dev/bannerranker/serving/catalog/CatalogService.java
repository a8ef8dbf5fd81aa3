package dev.bannerranker.serving.catalog;

import dev.bannerranker.data.BadCellException;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.serving.metrics.RankerMetrics;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelListener;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import dev.bannerranker.serving.ranking.NoModelException;
import dev.bannerranker.serving.security.ClientText;
import dev.bannerranker.serving.store.CatalogStore;
import dev.bannerranker.serving.store.StoreUnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live catalog of record and its changes, free of gRPC. It is seeded from the first model bundle the service
 * loads when the store holds none, kept in the user state's store, and every change is one new {@link LiveCatalog}
 * version written to the store (only if no other replica wrote meanwhile: else it is redone on the newer version)
 * and then handed to the {@link ModelRegistry}, which swaps in generations serving it. Replicas sharing a store see a
 * change when the store announces it (Redis pub/sub) or at the next poll, whichever comes first.
 */
public final class CatalogService implements ModelListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogService.class);
  /** Most banners one UpsertBanners call may carry. */
  public static final int MAX_BANNERS_PER_CALL = 10_000;
  /** Most characters of one banner cell, and of a placement name or banner id in the rules. */
  public static final int MAX_CELL_LENGTH = 200;
  /** Most pinned, and most blocked, banners of one placement. */
  public static final int MAX_RULE_IDS = 1_000;
  public static final int DEFAULT_PAGE_SIZE = 100;
  public static final int MAX_PAGE_SIZE = 1_000;
  private static final int WRITE_ATTEMPTS = 8;

  private final ModelRegistry registry;
  private final CatalogStore store;
  private final PlacementRules configured;
  private final RankerMetrics metrics;
  private final ScheduledExecutorService refresher;
  private volatile LiveCatalog current;
  /**
   * The registry's own monitor: a model load seeds the catalog from inside the registry, and a catalog change swaps
   * the registry's generations, so one lock (taken registry first) leaves no order to deadlock on.
   */
  private final Object lock;

  /** The outcome of an upsert: the catalog version holding it, and how many banners were new or replaced. */
  public record Upserted(long version, int created, int replaced) {}

  /** A placement's rules now, whether they were set at run time, and the catalog version read. */
  public record Rules(PlacementRules rules, boolean setAtRunTime, long version) {}

  /** A page of banners, by id, and the token of the next page ("" after the last). */
  public record Page(List<LiveBanner> banners, String nextPageToken, long version) {}

  /**
   * Reads the stored catalog (serving it at once when there is one) and starts following the store's changes.
   *
   * @param configured the rules of every placement none were set for at run time ({@code ranker.eligibility})
   * @param pollInterval how often to check the store's version when other processes share it; zero: never
   */
  public CatalogService(ModelRegistry registry, CatalogStore store, PlacementRules configured, RankerMetrics metrics,
      java.util.function.LongSupplier now, boolean shared, Duration pollInterval) {
    this.registry = registry;
    this.lock = registry;
    this.store = store;
    this.configured = configured;
    this.metrics = metrics;
    CatalogStore.StoredCatalog stored = store.read();
    if (stored != null) {
      install(LiveCatalog.decode(stored.encoded()));
    }
    registry.addListener(this);
    ModelGeneration serving = registry.current().control();
    if (current == null && serving != null) {
      seed(serving);
    }
    if (shared) {
      refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "catalog-refresh");
        t.setDaemon(true);
        return t;
      });
      // The announcement arrives on the client's I/O thread, which must not wait on the store itself.
      store.subscribe(() -> {
        try {
          refresher.execute(this::refreshQuietly);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
          // the service is closing; nothing to follow any more
        }
      });
      if (!pollInterval.isZero()) {
        long ms = Math.max(1, pollInterval.toMillis());
        refresher.scheduleWithFixedDelay(this::refreshQuietly, ms, ms, TimeUnit.MILLISECONDS);
      }
    } else {
      refresher = null;
    }
    if (metrics != null) {
      metrics.bindCatalog(() -> current, now);
    }
  }

  /** The catalog of record now; null before the first bundle seeded it. */
  public LiveCatalog current() {
    return current;
  }

  @Override
  public void loaded(Arm arm, ModelGeneration generation, ModelGeneration previous) {
    if (current == null) {
      seed(generation);
    }
  }

  @Override
  public void refused(Arm arm, Path dir, String reason) {}

  /** Version 1 from the bundle's catalog, unless another replica stored one first. */
  private void seed(ModelGeneration g) {
    synchronized (lock) {
      if (current != null) {
        return;
      }
      LiveCatalog seeded = LiveCatalog.seed(g.model().bundle().catalog());
      if (store.write(0, seeded.version(), seeded.encode())) {
        LOG.atInfo().addKeyValue("catalog_version", seeded.version()).addKeyValue("banners", seeded.banners().size())
            .addKeyValue("model_version", g.version()).log("live catalog seeded from the bundle of model {}",
                g.version());
        count("seed", 1);
        install(seeded);
      } else {
        refresh();
      }
    }
  }

  /** Takes the stored catalog when it is newer than the one serving. */
  public void refresh() {
    synchronized (lock) {
      long stored = store.version();
      if (current != null && stored <= current.version()) {
        return;
      }
      CatalogStore.StoredCatalog s = store.read();
      if (s != null) {
        install(LiveCatalog.decode(s.encoded()));
      }
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.atWarn().log("catalog refresh failed; the next poll retries: {}", e.getMessage());
    }
  }

  private void install(LiveCatalog c) {
    synchronized (lock) {
      if (current != null && c.version() <= current.version()) {
        return;
      }
      current = c;
      registry.useCatalog(c);
      LOG.atDebug().addKeyValue("catalog_version", c.version()).log("catalog version {} serving", c.version());
    }
  }

  /**
   * Creates or replaces these banners whole, all of them or none: each is checked as a {@code banners.csv} row
   * first. Returns the new catalog version.
   *
   * @throws InvalidRequestException naming {@code banners[i].column} and the banner
   */
  public Upserted upsert(List<BannerInput> inputs) {
    if (inputs.isEmpty()) {
      throw new InvalidRequestException("banners", "banners must not be empty");
    }
    if (inputs.size() > MAX_BANNERS_PER_CALL) {
      throw new InvalidRequestException("banners", "banners has " + inputs.size() + " items, more than the limit of "
          + MAX_BANNERS_PER_CALL);
    }
    List<LiveBanner> parsed = new ArrayList<>(inputs.size());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < inputs.size(); i++) {
      LiveBanner b = parse("banners[" + i + "]", inputs.get(i));
      if (!ids.add(b.id())) {
        throw new InvalidRequestException("banners[" + i + "].banner_id", "banners[" + i + "].banner_id "
            + ClientText.quote(b.id()) + " appears twice in the call");
      }
      parsed.add(b);
    }
    int[] created = new int[1];
    LiveCatalog next = change(c -> {
      created[0] = 0;
      parsed.forEach(b -> created[0] += c.banner(b.id()) == null ? 1 : 0);
      return c.withBanners(parsed);
    });
    count("create", created[0]);
    count("replace", parsed.size() - created[0]);
    LOG.atInfo().addKeyValue("catalog_version", next.version()).addKeyValue("created", created[0])
        .addKeyValue("replaced", parsed.size() - created[0]).log("banners upserted");
    return new Upserted(next.version(), created[0], parsed.size() - created[0]);
  }

  /**
   * One banner checked by the rules of a {@code banners.csv} row and this service's length limit.
   *
   * @param at where the banner is, for the field names: {@code banners[i]}
   */
  public static LiveBanner parse(String at, BannerInput input) {
    String id = input.cells().getOrDefault("banner_id", "");
    for (String column : CsvSchemas.BANNERS_COLUMNS) {
      String v = input.cells().getOrDefault(column, "");
      if (v.length() > MAX_CELL_LENGTH) {
        throw new InvalidRequestException(at + "." + column, at + "." + column + " of banner " + ClientText.quote(id)
            + " has " + v.length() + " characters, more than the limit of " + MAX_CELL_LENGTH);
      }
    }
    try {
      Banner b = BannerCsv.parse(input.cells());
      return new LiveBanner(b, input.paused());
    } catch (BadCellException e) {
      throw new InvalidRequestException(at + "." + e.column(), at + "." + e.column() + " of banner "
          + ClientText.quote(id) + ": " + e.getMessage());
    }
  }

  /** The banner, or null. */
  public LiveBanner banner(String id) {
    return catalog().banner(id);
  }

  /**
   * Banners in id order after {@code pageToken} (a token from the previous page, or "" for the first).
   *
   * @param pageSize 0 for {@link #DEFAULT_PAGE_SIZE}; at most {@link #MAX_PAGE_SIZE}
   */
  public Page list(int pageSize, String pageToken) {
    if (pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
      throw new InvalidRequestException("page_size", "page_size must be 0 (the default, " + DEFAULT_PAGE_SIZE
          + ") to " + MAX_PAGE_SIZE + ", got " + pageSize);
    }
    int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : pageSize;
    LiveCatalog c = catalog();
    SortedMap<String, LiveBanner> rest = pageToken.isEmpty() ? c.banners() : c.banners().tailMap(pageToken + "\0");
    List<LiveBanner> page = new ArrayList<>(Math.min(size, rest.size()));
    for (LiveBanner b : rest.values()) {
      if (page.size() == size) {
        break;
      }
      page.add(b);
    }
    String next = rest.size() > page.size() ? page.get(page.size() - 1).id() : "";
    return new Page(page, next, c.version());
  }

  /** The placement's rules now: those set at run time, else the configured ones. */
  public Rules rules(String placement) {
    LiveCatalog c = catalog();
    PlacementRules r = c.rules().get(placement);
    return new Rules(r != null ? r : configured, r != null, c.version());
  }

  /**
   * Replaces the placement's pinned and blocked banners; each must be a banner of that placement in the catalog.
   * Returns the new catalog version.
   */
  public long setRules(String placement, List<String> pinned, List<String> blocked) {
    if (placement.isEmpty()) {
      throw new InvalidRequestException("placement", "placement must not be empty");
    }
    if (placement.length() > MAX_CELL_LENGTH) {
      throw new InvalidRequestException("placement", "placement has " + placement.length()
          + " characters, more than the limit of " + MAX_CELL_LENGTH);
    }
    LiveCatalog next = change(c -> {
      checkIds(c, placement, "pinned_banner_ids", pinned);
      checkIds(c, placement, "blocked_banner_ids", blocked);
      return c.withRules(placement, new PlacementRules(pinned, blocked));
    });
    count("placement_rules", 1);
    LOG.atInfo().addKeyValue("catalog_version", next.version()).addKeyValue("placement", placement)
        .addKeyValue("pinned", pinned.size()).addKeyValue("blocked", blocked.size()).log("placement rules set");
    return next.version();
  }

  private static void checkIds(LiveCatalog c, String placement, String field, List<String> ids) {
    if (ids.size() > MAX_RULE_IDS) {
      throw new InvalidRequestException(field, field + " has " + ids.size() + " ids, more than the limit of "
          + MAX_RULE_IDS);
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      LiveBanner b = c.banner(id);
      String at = field + "[" + i + "]";
      if (b == null) {
        throw new InvalidRequestException(at, at + " " + ClientText.quote(id) + " is not in the catalog");
      }
      if (!b.banner().placement().equals(placement)) {
        throw new InvalidRequestException(at, at + " " + ClientText.quote(id) + " is a banner of placement "
            + ClientText.quote(b.banner().placement()) + ", not of " + ClientText.quote(placement));
      }
      if (!seen.add(id)) {
        throw new InvalidRequestException(at, at + " " + ClientText.quote(id) + " is repeated");
      }
    }
  }

  private LiveCatalog catalog() {
    LiveCatalog c = current;
    if (c == null) {
      throw new NoModelException("the catalog is seeded from the first model bundle, and none is loaded yet; "
          + "retry later");
    }
    return c;
  }

  /**
   * Writes {@code change} of the newest catalog as the next version; when another replica wrote first, takes its
   * version and applies the change again.
   */
  private LiveCatalog change(UnaryOperator<LiveCatalog> change) {
    synchronized (lock) {
      for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        LiveCatalog base = catalog();
        LiveCatalog next = change.apply(base);
        if (store.write(base.version(), next.version(), next.encode())) {
          install(next);
          return next;
        }
        refresh();
      }
      throw new StoreUnavailableException("the catalog changed under this write " + WRITE_ATTEMPTS
          + " times in a row; retry");
    }
  }

  private void count(String type, int n) {
    if (metrics != null && n > 0) {
      metrics.catalogChanges(type, n);
    }
  }

  @Override
  public void close() {
    if (refresher != null) {
      refresher.shutdownNow();
    }
  }
}
