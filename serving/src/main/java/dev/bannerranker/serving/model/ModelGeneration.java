package dev.bannerranker.serving.model;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bannerranker.data.Banner;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.scoring.DenseKernels;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.serving.catalog.LiveBanner;
import dev.bannerranker.serving.catalog.LiveCatalog;
import dev.bannerranker.serving.catalog.PlacementRules;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * One loaded model and the tables the service derives from it: banners by placement and the popularity order.
 * Immutable but for a cache of the users' fold-in tastes: a hot swap builds a new generation and switches a
 * reference, so a request keeps the generation it started with, and the cache goes with the generation.
 */
public final class ModelGeneration {
  /**
   * Users whose fold-in taste is cached. Solving it takes up to a few hundred µs for a heavy shopper, several times
   * a whole Rank, and it changes only with the user's browsing; at about 300 bytes an entry this is 6 MB.
   */
  static final int TASTE_CACHE_SIZE = 20_000;

  private final ScoringModel model;
  private final Path bundleDir;
  private final Instant loadedAt;
  private final HistoryKey historyKey;
  private final int[] brandOfName;
  private final int[] categoryOfName;
  /** User id to the taste of their choice counts; null without fold-in. Shared by the catalog views of a model. */
  private final Cache<String, CachedTaste> tastes;
  private final CatalogView catalog;

  /**
   * A user's fold-in taste and what it was solved from: the packed choice counts (by name id) and the profile's
   * gender row (it shifts the category choices). Neither array is ever changed after it is cached.
   */
  public record CachedTaste(byte[] counts, int genderRow, float[] taste) {}

  /**
   * The catalog as this model serves it: every banner resolved (a banner the model has never seen by the cold rule,
   * in a slot past its vocabulary), its first-layer part, the placements' lists and the popularity order. Built
   * from the bundle's catalog, or from the live catalog whenever that or the model changes.
   *
   * @param catalogVersion the live catalog's version; 0 while serving the bundle's own catalog
   * @param rules the placements' rules set at run time; a placement missing here has the configured ones
   */
  private record CatalogView(long catalogVersion, Map<String, BannerFeatures> byId, float[][] parts,
      float[][] conversionParts,
      boolean[] paused, double[] popularity, int[] bannerOfName, java.util.Set<String> placements,
      Map<String, List<BannerFeatures>> byPlacement, Map<String, List<BannerFeatures>> popularByPlacement,
      Map<String, PlacementRules> rules, int bannerCount) {}

  /**
   * @param canonicalKey returns an equal key already in use, so user states can compare keys by reference
   */
  ModelGeneration(ScoringModel model, Path bundleDir, Instant loadedAt, UnaryOperator<HistoryKey> canonicalKey) {
    this.model = model;
    this.bundleDir = bundleDir;
    this.loadedAt = loadedAt;
    this.historyKey = canonicalKey.apply(HistoryKey.of(model.bundle().vocab(), model.spec()));
    Vocabularies vocab = model.bundle().vocab();
    this.brandOfName = NameDictionary.BRANDS.indexTable(vocab.brands().values());
    this.categoryOfName = NameDictionary.CATEGORIES.indexTable(vocab.categories().values());
    // Maintenance runs on the calling thread: read on every Rank, the cache would otherwise wake a pool thread for
    // its upkeep thousands of times a second, on a machine whose few cores serve the Ranks.
    this.tastes = model.spec().hasFoldIn()
        ? Caffeine.newBuilder().maximumSize(TASTE_CACHE_SIZE).executor(Runnable::run).build() : null;
    List<LiveBanner> banners = new ArrayList<>();
    model.bundle().catalog().forEach(b -> banners.add(new LiveBanner(b, false)));
    this.catalog = view(model, 0, banners, Map.of());
  }

  /**
   * {@code model} serving its bundle's own catalog, outside a registry: for a replay of the service's decisions
   * offline (the off-policy replay), which must build user states and score as the service does.
   */
  public static ModelGeneration of(ScoringModel model, Path bundleDir) {
    return new ModelGeneration(model, bundleDir, Instant.now(), UnaryOperator.identity());
  }

  private ModelGeneration(ModelGeneration base, CatalogView catalog) {
    this.model = base.model;
    this.bundleDir = base.bundleDir;
    this.loadedAt = base.loadedAt;
    this.historyKey = base.historyKey;
    this.brandOfName = base.brandOfName;
    this.categoryOfName = base.categoryOfName;
    this.tastes = base.tastes;
    this.catalog = catalog;
  }

  /**
   * This model serving the live catalog {@code live} instead of its bundle's: the live banners win, and the model's
   * features fill in for the banners it knows; the others are scored by the cold rule.
   */
  public ModelGeneration withCatalog(LiveCatalog live) {
    return new ModelGeneration(this, view(model, live.version(), live.banners().values(), live.rules()));
  }

  private static CatalogView view(ScoringModel model, long version, java.util.Collection<LiveBanner> banners,
      Map<String, PlacementRules> rules) {
    Vocabularies vocab = model.bundle().vocab();
    int known = vocab.banners().cardinality();
    int slots = known;
    for (LiveBanner lb : banners) {
      slots += vocab.banners().indexOf(lb.id()) == Vocabulary.UNKNOWN ? 1 : 0;
    }
    float[][] parts = new float[slots][];
    float[][] conversionParts = model.hasConversion() ? new float[slots][] : null;
    boolean[] paused = new boolean[slots];
    double[] popularity = new double[slots];
    Map<String, BannerFeatures> byId = new java.util.HashMap<>();
    Map<String, List<BannerFeatures>> placements = new TreeMap<>();
    java.util.Set<String> placementNames = new java.util.TreeSet<>();
    int[] bannerOfName = NameDictionary.BANNERS.indexTable(vocab.banners().values());
    int next = known;
    for (LiveBanner lb : banners) {
      Banner b = lb.banner();
      BannerFeatures bundled = model.banner(b.id());
      BannerFeatures f;
      if (bundled != null && bundled.banner().equals(b)) {
        f = bundled;
        parts[f.index()] = model.bannerPart(f);
        if (conversionParts != null) {
          conversionParts[f.index()] = model.conversionPart(f);
        }
      } else {
        if (vocab.banners().indexOf(b.id()) != Vocabulary.UNKNOWN) {
          long[] s = model.bundle().bannerStats().getOrDefault(b.id(), new long[2]);
          f = BannerFeatures.resolve(b, vocab, model.vectors(), s[0], s[1]);
        } else {
          f = BannerFeatures.cold(b, vocab, model.vectors(), next++);
          int name = NameDictionary.BANNERS.register(b.id());
          if (name >= bannerOfName.length) {
            bannerOfName = java.util.Arrays.copyOf(bannerOfName, Math.max(name + 1, bannerOfName.length * 2));
          }
          bannerOfName[name] = f.index();
        }
        parts[f.index()] = model.scorer().bannerFirstLayer(f);
        if (conversionParts != null) {
          conversionParts[f.index()] = model.conversionScorer().bannerFirstLayer(f);
        }
      }
      byId.put(b.id(), f);
      paused[f.index()] = lb.paused();
      // The shrunk CTR of the training window: the same prior the model's ctr_logit feature uses.
      popularity[f.index()] = DenseKernels.sigmoid((float) model.encoder().ctrLogit(f.clicks(), f.impressions()));
      placementNames.add(b.placement());
      if (!lb.paused()) {
        placements.computeIfAbsent(b.placement(), p -> new ArrayList<>()).add(f);
      }
    }
    Comparator<BannerFeatures> byPopularity = popularityOrder(popularity);
    Map<String, List<BannerFeatures>> popular = new TreeMap<>();
    placements.forEach((placement, list) -> {
      list.sort(Comparator.comparing(f -> f.banner().id()));
      List<BannerFeatures> ordered = new ArrayList<>(list);
      ordered.sort(byPopularity);
      popular.put(placement, List.copyOf(ordered));
    });
    placements.replaceAll((placement, list) -> List.copyOf(list));
    return new CatalogView(version, Collections.unmodifiableMap(byId), parts, conversionParts, paused, popularity, bannerOfName,
        Collections.unmodifiableSet(placementNames), Collections.unmodifiableMap(placements),
        Collections.unmodifiableMap(popular), Map.copyOf(rules), banners.size());
  }

  private static Comparator<BannerFeatures> popularityOrder(double[] popularity) {
    return Comparator.<BannerFeatures>comparingDouble(f -> -popularity[f.index()]).thenComparing(f -> f.banner().id());
  }

  /** Highest popularity first; ties by banner id, so the order is stable. */
  public Comparator<BannerFeatures> popularityOrder() {
    return popularityOrder(catalog.popularity());
  }

  public ScoringModel model() {
    return model;
  }

  public FeatureSpec spec() {
    return model.spec();
  }

  public String version() {
    return model.bundle().modelVersion();
  }

  public Path bundleDir() {
    return bundleDir;
  }

  public Instant loadedAt() {
    return loadedAt;
  }

  public HistoryKey historyKey() {
    return historyKey;
  }

  /** This model's brand index of a {@link NameDictionary#BRANDS} id; 0 (unknown) when it has no such brand. */
  public int brandIndex(int nameId) {
    return lookup(brandOfName, nameId);
  }

  /** This model's category index of a {@link NameDictionary#CATEGORIES} id; 0 when unknown. */
  public int categoryIndex(int nameId) {
    return lookup(categoryOfName, nameId);
  }

  /** This model's banner index of a {@link NameDictionary#BANNERS} id; 0 when unknown. */
  public int bannerIndex(int nameId) {
    return lookup(catalog.bannerOfName(), nameId);
  }

  private static int lookup(int[] table, int nameId) {
    return nameId < table.length ? table[nameId] : Vocabulary.UNKNOWN;
  }

  /** The user's cached fold-in taste, or null. */
  public CachedTaste cachedTaste(String userId) {
    return tastes == null ? null : tastes.getIfPresent(userId);
  }

  /** Caches a user's fold-in taste (this model's) of the choice counts {@code counts}; a no-op without fold-in. */
  public void cacheTaste(String userId, byte[] counts, int genderRow, float[] taste) {
    if (tastes != null) {
      tastes.put(userId, new CachedTaste(counts, genderRow, taste));
    }
  }

  /** Forgets the user's cached taste (a deleted user). */
  public void forgetTaste(String userId) {
    if (tastes != null) {
      tastes.invalidate(userId);
    }
  }

  /** Placements of the catalog, sorted (a placement whose banners are all paused too). */
  public java.util.Set<String> placements() {
    return catalog.placements();
  }

  /** The placement's banners that are not paused, by id; empty for an unknown placement. */
  public List<BannerFeatures> banners(String placement) {
    return catalog.byPlacement().getOrDefault(placement, List.of());
  }

  /** The placement's banners that are not paused, most popular first. */
  public List<BannerFeatures> popular(String placement) {
    return catalog.popularByPlacement().getOrDefault(placement, List.of());
  }

  /** The banner (paused ones too), or null when it is not in the catalog this generation serves. */
  public BannerFeatures banner(String id) {
    return catalog.byId().get(id);
  }

  /** Whether ad ops paused the banner: it is never shown. */
  public boolean paused(BannerFeatures b) {
    return catalog.paused()[b.index()];
  }

  /** The placement's rules set at run time, or null when it has the configured ones. */
  public PlacementRules rules(String placement) {
    return catalog.rules().get(placement);
  }

  /** The live catalog version this generation serves; 0 while it serves its bundle's own catalog. */
  public long catalogVersion() {
    return catalog.catalogVersion();
  }

  /** The catalog served, for messages: {@code the catalog (version 7)} or {@code the catalog of model v1}. */
  public String catalogName() {
    return catalogVersion() > 0 ? "the catalog (version " + catalogVersion() + ")" : "the catalog of model " + version();
  }

  /** The banner's shrunk training-window CTR, in (0, 1); the prior for a banner the model has never seen. */
  public double popularity(BannerFeatures b) {
    return catalog.popularity()[b.index()];
  }

  /** Click probabilities of {@code n} candidates of this generation's catalog, in order. */
  public void predict(dev.bannerranker.features.UserFeatures u, dev.bannerranker.features.ScoringContext ctx,
      BannerFeatures[] candidates, int n, float[] out) {
    predict(u, ctx, candidates, new float[n][], n, out);
  }

  /** As above, with {@code parts} (at least {@code n} long) the caller's array for the banners' stored parts. */
  public void predict(dev.bannerranker.features.UserFeatures u, dev.bannerranker.features.ScoringContext ctx,
      BannerFeatures[] candidates, float[][] parts, int n, float[] out) {
    float[][] all = catalog.parts();
    for (int i = 0; i < n; i++) {
      parts[i] = all[candidates[i].index()];
    }
    model.predict(u, ctx, candidates, parts, n, out);
  }

  /**
   * The probability that a click converts, of {@code n} candidates of this generation's catalog, in order; needs a
   * click-and-conversion model ({@link ScoringModel#hasConversion()}).
   */
  public void predictConversion(dev.bannerranker.features.UserFeatures u, dev.bannerranker.features.ScoringContext ctx,
      BannerFeatures[] candidates, int n, float[] out) {
    predictConversion(u, ctx, candidates, new float[n][], n, out);
  }

  /** As above, with {@code parts} (at least {@code n} long) the caller's array for the banners' stored parts. */
  public void predictConversion(dev.bannerranker.features.UserFeatures u, dev.bannerranker.features.ScoringContext ctx,
      BannerFeatures[] candidates, float[][] parts, int n, float[] out) {
    float[][] all = catalog.conversionParts();
    for (int i = 0; i < n; i++) {
      parts[i] = all[candidates[i].index()];
    }
    model.predictConversion(u, ctx, candidates, parts, n, out);
  }

  /** The banners of the catalog this generation serves, paused ones too, by id. */
  public List<Banner> catalogBanners() {
    List<Banner> out = new ArrayList<>(catalog.byId().size());
    catalog.byId().values().forEach(f -> out.add(f.banner()));
    out.sort(Comparator.comparing(Banner::id));
    return out;
  }

  /** Banners of the catalog this generation serves, paused ones too. */
  public int bannerCount() {
    return catalog.bannerCount();
  }
}
