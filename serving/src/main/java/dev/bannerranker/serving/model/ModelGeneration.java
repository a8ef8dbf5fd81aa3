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
  private final Map<String, List<BannerFeatures>> byPlacement;
  private final Map<String, List<BannerFeatures>> popularByPlacement;
  private final double[] popularity;
  private final int[] brandOfName;
  private final int[] categoryOfName;
  private final int[] bannerOfName;
  /** User id to the taste of their choice counts; null without fold-in. */
  private final Cache<String, CachedTaste> tastes;

  /**
   * A user's fold-in taste and what it was solved from: the packed choice counts (by name id) and the profile's
   * gender row (it shifts the category choices). Neither array is ever changed after it is cached.
   */
  public record CachedTaste(byte[] counts, int genderRow, float[] taste) {}

  /**
   * @param canonicalKey returns an equal key already in use, so user states can compare keys by reference
   */
  ModelGeneration(ScoringModel model, Path bundleDir, Instant loadedAt, UnaryOperator<HistoryKey> canonicalKey) {
    this.model = model;
    this.bundleDir = bundleDir;
    this.loadedAt = loadedAt;
    this.historyKey = canonicalKey.apply(HistoryKey.of(model.bundle().vocab(), model.spec()));
    this.popularity = new double[model.bundle().vocab().banners().cardinality()];
    Vocabularies vocab = model.bundle().vocab();
    this.brandOfName = NameDictionary.BRANDS.indexTable(vocab.brands().values());
    this.categoryOfName = NameDictionary.CATEGORIES.indexTable(vocab.categories().values());
    this.bannerOfName = NameDictionary.BANNERS.indexTable(vocab.banners().values());
    // Maintenance runs on the calling thread: read on every Rank, the cache would otherwise wake a pool thread for
    // its upkeep thousands of times a second, on a machine whose few cores serve the Ranks.
    this.tastes = model.spec().hasFoldIn()
        ? Caffeine.newBuilder().maximumSize(TASTE_CACHE_SIZE).executor(Runnable::run).build() : null;
    Map<String, List<BannerFeatures>> placements = new TreeMap<>();
    for (Banner b : model.bundle().catalog()) {
      BannerFeatures f = model.banner(b.id());
      // The shrunk CTR of the training window: the same prior the model's ctr_logit feature uses.
      popularity[f.index()] = DenseKernels.sigmoid((float) model.encoder().ctrLogit(f.clicks(), f.impressions()));
      placements.computeIfAbsent(b.placement(), p -> new ArrayList<>()).add(f);
    }
    Map<String, List<BannerFeatures>> popular = new TreeMap<>();
    placements.forEach((placement, list) -> {
      list.sort(Comparator.comparing(f -> f.banner().id()));
      List<BannerFeatures> byPopularity = new ArrayList<>(list);
      byPopularity.sort(popularityOrder());
      popular.put(placement, List.copyOf(byPopularity));
    });
    placements.replaceAll((placement, list) -> List.copyOf(list));
    this.byPlacement = Collections.unmodifiableMap(placements);
    this.popularByPlacement = Collections.unmodifiableMap(popular);
  }

  /** Highest popularity first; ties by banner id, so the order is stable. */
  public Comparator<BannerFeatures> popularityOrder() {
    return Comparator.<BannerFeatures>comparingDouble(f -> -popularity[f.index()]).thenComparing(f -> f.banner().id());
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
    return lookup(bannerOfName, nameId);
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

  /** Placements of the catalog, sorted. */
  public java.util.Set<String> placements() {
    return byPlacement.keySet();
  }

  /** The placement's banners by id; empty for an unknown placement. */
  public List<BannerFeatures> banners(String placement) {
    return byPlacement.getOrDefault(placement, List.of());
  }

  /** The placement's banners, most popular first. */
  public List<BannerFeatures> popular(String placement) {
    return popularByPlacement.getOrDefault(placement, List.of());
  }

  /** The banner, or null when it is not in this model's catalog. */
  public BannerFeatures banner(String id) {
    return model.banner(id);
  }

  /** The banner's shrunk training-window CTR, in (0, 1). */
  public double popularity(BannerFeatures b) {
    return popularity[b.index()];
  }

  public int bannerCount() {
    return model.bundle().catalog().size();
  }
}
