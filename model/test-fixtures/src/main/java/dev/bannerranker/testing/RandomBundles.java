package dev.bannerranker.testing;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleManifest;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.Gender;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.Standardizer;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.scoring.WideDeepScorer;
import dev.bannerranker.scoring.WideDeepWeights;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** Small bundles with random weights, built without DL4J, for runtime and service tests. */
public final class RandomBundles {
  private RandomBundles() {}

  public static final long START = 1_772_409_600L; // 2026-03-02T00:00:00Z

  /**
   * The sizes of a random bundle.
   *
   * @param brands distinct brands of the catalog
   * @param categories distinct categories of the catalog
   * @param dim item2vec dimension
   * @param maxEvents the feature spec's ring of recent events
   * @param maxImpressions the feature spec's ring of recent impressions
   * @param wideBuckets hashed wide buckets
   * @param hidden hidden layer sizes
   * @param tasteBrands taste-tower brands (0: none)
   * @param tasteDim taste-tower embedding size
   * @param hiddenScale standard deviation of the hidden layers' weights (keep scores inside (0, 1) for wide layers)
   */
  public record Shape(int brands, int categories, int dim, int maxEvents, int maxImpressions, int wideBuckets,
      List<Integer> hidden, int tasteBrands, int tasteDim, float hiddenScale) {}

  /** What tests use: 5 brands, 3 categories, dimension 8, small layers. */
  public static final Shape SMALL = new Shape(5, 3, 8, 20, 16, 1 << 10, List.of(16, 8), 4, 3, 0.3f);

  public static List<Banner> catalog(int n) {
    return catalog(n, SMALL);
  }

  public static List<Banner> catalog(int n, Shape shape) {
    List<Banner> out = new ArrayList<>();
    String[] placements = {"home_hero", "home_carousel"};
    for (int i = 0; i < n; i++) {
      out.add(new Banner(String.format("bn-%03d", i), "brand-" + (i % shape.brands()), "cat-" + (i % shape.categories()),
          placements[i % 2],
          i % 2 == 0 ? "image" : "video", i % 3 == 0 ? "dark" : "light", (i * 7) % 50, "cmp-" + (i % 4),
          1 + i % 4, START, START + 30 * 86_400L, 0.5 + i % 3, i % 5,
          i % 7 == 0 ? Set.of(Gender.F) : Set.of(), Set.of(), Set.of()));
    }
    return out;
  }

  public static Bundle create(long seed, int banners) {
    return create(seed, banners, SMALL);
  }

  public static Bundle create(long seed, int banners, Shape shape) {
    return create(seed, banners, shape, 0);
  }

  /**
   * A random bundle; with {@code foldInDim} above 0 also fold-in taste factors of that size (each category sold by
   * a random fifth of the brands, at least one) and their two cross scalars.
   */
  public static Bundle create(long seed, int banners, Shape shape, int foldInDim) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Banner> catalog = catalog(banners, shape);
    Vocabularies vocab = new Vocabularies(
        Vocabulary.ofDistinct(catalog.stream().map(Banner::brand).toList()),
        Vocabulary.ofDistinct(catalog.stream().map(Banner::category).toList()),
        Vocabulary.ofDistinct(catalog.stream().map(Banner::placement).toList()),
        Vocabulary.ofDistinct(catalog.stream().map(Banner::creativeFormat).toList()),
        Vocabulary.ofDistinct(catalog.stream().map(Banner::creativeColor).toList()),
        Vocabulary.ofDistinct(catalog.stream().map(Banner::id).toList()));
    int dim = shape.dim();
    ItemVectors vectors = new ItemVectors(dim, matrix(r, vocab.brands().cardinality(), dim, true),
        matrix(r, vocab.categories().cardinality(), dim, true), matrix(r, vocab.banners().cardinality(), dim, true),
        flags(r, vocab.banners().cardinality()), foldInDim == 0 ? null : foldIn(r, vocab, foldInDim));
    Map<String, Integer> cards = new HashMap<>();
    FeatureEncoder.putFixedCardinalities(cards, 4);
    cards.put("brand", vocab.brands().cardinality());
    cards.put("category", vocab.categories().cardinality());
    cards.put("placement", vocab.placements().cardinality());
    cards.put("creative_format", vocab.creativeFormats().cardinality());
    cards.put("creative_color", vocab.creativeColors().cardinality());
    Map<String, Integer> dims = new HashMap<>();
    cards.keySet().forEach(k -> dims.put(k, 2 + (k.length() % 3)));
    FeatureSpec spec = new FeatureSpec(dim, 72, shape.maxEvents(), shape.maxImpressions(), 72,
        List.of(1.0, 2.0, 3.0, 2.0), 60, 3, shape.wideBuckets(), 1, 4, 50, 0.04, dims, shape.hidden(), cards,
        standardizer(r, FeatureEncoder.USER_SCALARS), standardizer(r, FeatureEncoder.BANNER_SCALARS),
        standardizer(r, FeatureEncoder.crossScalarNames(foldInDim > 0)), shape.tasteBrands(), shape.tasteDim(),
        foldInDim, FeatureEncoder.WIDE_CROSSES);
    Map<String, float[][]> emb = new LinkedHashMap<>();
    for (String f : FeatureEncoder.USER_FIELDS) {
      emb.put(f, matrix(r, cards.get(f), dims.get(f), false));
    }
    for (String f : FeatureEncoder.BANNER_FIELDS) {
      emb.put(f, matrix(r, cards.get(f), dims.get(f), false));
    }
    int nIn = new WideDeepScorer.Layout(spec).inputWidth();
    List<WideDeepWeights.DenseLayer> hidden = new ArrayList<>();
    int in = nIn;
    for (int units : shape.hidden()) {
      hidden.add(new WideDeepWeights.DenseLayer(scaled(r, in, units, shape.hiddenScale()), vector(r, units, 0.1f)));
      in = units;
    }
    boolean taste = shape.tasteBrands() > 0;
    WideDeepWeights weights = new WideDeepWeights(vector(r, spec.wideBuckets(), 0.2f), emb, hidden, vector(r, in, 0.5f), -3f,
        taste ? matrix(r, vocab.brands().cardinality(), shape.tasteDim(), false) : null,
        taste ? matrix(r, vocab.brands().cardinality(), shape.tasteDim(), false) : null);
    Map<String, long[]> stats = new LinkedHashMap<>();
    for (Banner b : catalog) {
      long imps = 50 + r.nextInt(500);
      stats.put(b.id(), new long[] {imps, r.nextInt((int) imps / 10 + 1)});
    }
    BundleManifest m = new BundleManifest(Bundle.FORMAT_VERSION, "test-" + seed, "2026-03-20T00:00:00Z", "0".repeat(64),
        dev.bannerranker.bundle.Provenance.of("RandomBundles"), Map.of("seed", seed), 1.0, spec,
        dev.bannerranker.bundle.ModelMetrics.NONE, dev.bannerranker.bundle.TrainingRecord.ofSplit(
            new dev.bannerranker.bundle.TrainingRecord.Split("2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z")), Map.of());
    Bundle partial = new Bundle(m, vocab, vectors, weights, catalog, stats, null);
    return new Bundle(m, vocab, vectors, weights, catalog, stats, ScoringModel.computeBannerFirstLayer(partial));
  }

  private static FoldInFactors foldIn(SplittableRandom r, Vocabularies vocab, int dim) {
    int brands = vocab.brands().cardinality();
    int categories = vocab.categories().cardinality();
    float[][] membership = new float[categories][brands];
    for (int c = 1; c < categories; c++) {
      membership[c][1 + r.nextInt(brands - 1)] = 1f;
      for (int b = 1; b < brands; b++) {
        membership[c][b] = r.nextInt(5) == 0 ? 1f : membership[c][b];
      }
    }
    float[][] categoryBias = new float[FoldInFactors.GENDERS][];
    for (int g = 0; g < categoryBias.length; g++) {
      categoryBias[g] = vector(r, categories, 0.3f);
    }
    return new FoldInFactors(matrix(r, brands, dim, true), vector(r, brands, 0.3f), matrix(r, categories, dim, true),
        categoryBias, membership);
  }

  private static Standardizer standardizer(SplittableRandom r, List<String> names) {
    double[] mean = new double[names.size()];
    double[] std = new double[names.size()];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = r.nextDouble() - 0.5;
      std[i] = 0.5 + r.nextDouble();
    }
    return new Standardizer(names, mean, std);
  }

  private static float[][] matrix(SplittableRandom r, int rows, int cols, boolean zeroFirst) {
    float[][] m = new float[rows][];
    for (int i = 0; i < rows; i++) {
      m[i] = zeroFirst && i == 0 ? new float[cols] : vector(r, cols, 1f);
    }
    return m;
  }

  private static float[][] scaled(SplittableRandom r, int rows, int cols, float s) {
    float[][] m = new float[rows][];
    for (int i = 0; i < rows; i++) {
      m[i] = vector(r, cols, s);
    }
    return m;
  }

  private static float[] vector(SplittableRandom r, int n, float s) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * s);
    }
    return v;
  }

  private static boolean[] flags(SplittableRandom r, int n) {
    boolean[] b = new boolean[n];
    for (int i = 1; i < n; i++) {
      b[i] = r.nextBoolean();
    }
    return b;
  }

  /**
   * {@code b} with {@code train --sequence-attention on}'s attention and seeded random weights for it (its projections,
   * and the first hidden layer's rows for its output): the shapes, and so the cost, of a trained one, without a
   * second training run. Its scores are not a trained model's.
   */
  public static Bundle withSequenceAttention(Bundle b, long seed) {
    if (b.weights().conversion() != null) {
      throw new IllegalArgumentException("sequence attention is added to click models only");
    }
    var attention = dev.bannerranker.features.SequenceAttention.defaults();
    var spec = b.spec().withSequenceAttention(attention);
    SplittableRandom rng = new SplittableRandom(seed);
    int d = spec.itemVectorDim();
    int events = attention.eventWidth(d);
    var w = b.weights();
    var first = w.hidden().get(0);
    float[][] w1 = java.util.Arrays.copyOf(first.w(), first.w().length + attention.dim());
    for (int r = first.w().length; r < w1.length; r++) {
      w1[r] = uniform(rng, 1, first.nOut(), 0.2)[0];
    }
    List<WideDeepWeights.DenseLayer> hidden = new ArrayList<>(w.hidden());
    hidden.set(0, new WideDeepWeights.DenseLayer(w1, first.b()));
    var weights = new WideDeepWeights(w.wide(), w.embeddings(), hidden, w.outputWeights(),
        w.outputBias(), w.tasteUser(), w.tasteItem(), null, new WideDeepWeights.Attention(
            uniform(rng, d, attention.dim(), 0.5), uniform(rng, events, attention.dim(), 0.3),
            uniform(rng, events, attention.dim(), 0.3)));
    var m = b.manifest();
    var manifest = new BundleManifest(m.formatVersion(), m.modelVersion() + "-attention",
        m.createdAt(), m.dataFingerprint(), m.provenance(), m.hyperparameters(), m.negativeRate(), spec, m.metrics(),
        m.training(), m.files());
    Bundle partial = new Bundle(manifest, b.vocab(), b.vectors(), weights, b.catalog(), b.bannerStats(), null);
    return new Bundle(manifest, b.vocab(), b.vectors(), weights, b.catalog(), b.bannerStats(),
        ScoringModel.computeBannerFirstLayer(partial));
  }

  private static float[][] uniform(SplittableRandom rng, int rows, int cols, double scale) {
    float[][] m = new float[rows][cols];
    for (float[] row : m) {
      for (int j = 0; j < cols; j++) {
        row[j] = (float) ((rng.nextDouble() * 2 - 1) * scale);
      }
    }
    return m;
  }

}
