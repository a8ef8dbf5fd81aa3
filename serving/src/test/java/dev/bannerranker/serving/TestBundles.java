package dev.bannerranker.serving;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.bundle.BundleManifest;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.scoring.ScoringModel;
import dev.bannerranker.scoring.WideDeepWeights;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRefusedException;
import dev.bannerranker.serving.model.ModelRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The checked-in tiny bundle (a format-1 model of the seed-1 tiny demo world by trainer 0.3, kept so the service's
 * tests also prove that an old bundle still serves) and variants of it for swap and refusal tests. See
 * serving/README.md, "Tests", for how to regenerate it.
 */
public final class TestBundles {
  public static final Path TINY = Path.of("src/test/resources/bundles/tiny");
  public static final Path USERS = Path.of("src/test/resources/bundles/tiny-users");
  /** Inside the world's two weeks: most banners are in flight. */
  public static final long T = Instant.parse("2026-03-10T12:00:00Z").getEpochSecond();
  /** A user of users.csv: F, 55+, city tier 1. */
  public static final String KNOWN_USER = "u-000001";

  private static Bundle tiny;

  private TestBundles() {}

  public static synchronized Bundle tiny() {
    if (tiny == null) {
      tiny = BundleIO.load(TINY);
    }
    return tiny;
  }

  /** A registry serving the tiny bundle in the control arm. */
  public static ModelRegistry registry() {
    ModelRegistry r = new ModelRegistry(0, "test");
    try {
      r.load(Arm.CONTROL, TINY);
    } catch (ModelRefusedException e) {
      throw new IllegalStateException(e);
    }
    return r;
  }

  public static ModelGeneration generation() {
    return registry().current().control();
  }

  /** The tiny bundle under another model version: a second, valid bundle to swap to. */
  public static Path withVersion(Path dir, String version) {
    Bundle b = tiny();
    return write(dir, new Bundle(manifest(b.manifest(), version, b.spec()), b.vocab(), b.vectors(), b.weights(),
        b.catalog(), b.bannerStats(), b.bannerFirstLayer()));
  }

  /** A checksum-valid bundle whose output bias is NaN: only the golden requests catch it. */
  public static Path nanScores(Path dir) {
    Bundle b = tiny();
    WideDeepWeights w = b.weights();
    return write(dir, new Bundle(manifest(b.manifest(), "wd-nan", b.spec()), b.vocab(), b.vectors(),
        new WideDeepWeights(w.wide(), w.embeddings(), w.hidden(), w.outputWeights(), Float.NaN, w.tasteUser(), w.tasteItem()), b.catalog(),
        b.bannerStats(), b.bannerFirstLayer()));
  }

  /** The tiny bundle with one byte appended to banners.csv, so its checksum no longer matches. */
  public static Path corruptChecksum(Path dir) {
    Path out = copy(TINY, dir);
    append(out.resolve(Bundle.BANNERS), "\n");
    return out;
  }

  /** The tiny bundle claiming a format version this build does not read. */
  public static Path futureFormat(Path dir) {
    Path out = copy(TINY, dir);
    Path manifest = out.resolve(Bundle.MANIFEST);
    try {
      String json = Files.readString(manifest);
      Files.writeString(manifest, json.replaceFirst("\"formatVersion\"\\s*:\\s*\\d+", "\"formatVersion\" : 99"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * The tiny model with a new brand inserted first in the brand vocabulary, so every brand index shifts by
   * one: the same model under other vocabulary indices, as a retrain with a new brand would give.
   */
  public static Path shiftedBrands(Path dir, String version) {
    return shiftedBrands(tiny(), dir, version);
  }

  /** {@code b} with a new brand inserted first in the brand vocabulary, as {@link #shiftedBrands(Path, String)}. */
  public static Path shiftedBrands(Bundle b, Path dir, String version) {
    List<String> brands = new ArrayList<>(b.vocab().brands().values());
    brands.add(0, "Aaa New Brand");
    Vocabularies v = b.vocab();
    Vocabularies vocab = new Vocabularies(Vocabulary.ofOrdered(brands), v.categories(), v.placements(),
        v.creativeFormats(), v.creativeColors(), v.banners());
    ItemVectors iv = b.vectors();
    float[][] brandVectors = insertZeroRow(rows(iv.brandCount(), iv::brand));
    FoldInFactors foldIn = null;
    if (iv.foldIn() != null) {
      FoldInFactors f = iv.foldIn();
      float[][] membership = f.membership();
      for (int c = 0; c < membership.length; c++) {
        membership[c] = insertZero(membership[c]);
      }
      foldIn = new FoldInFactors(insertZeroRow(f.brandFactors()), insertZero(f.brandBias()),
          f.categoryFactors(), f.categoryBias(), membership);
    }
    ItemVectors vectors = new ItemVectors(iv.dim(), brandVectors, rows(iv.categoryCount(), iv::category),
        rows(iv.bannerCount(), iv::banner), trained(iv), foldIn);
    WideDeepWeights w = b.weights();
    Map<String, float[][]> embeddings = new LinkedHashMap<>(w.embeddings());
    embeddings.put("brand", insertZeroRow(embeddings.get("brand")));
    Map<String, Integer> cards = new HashMap<>(b.spec().cardinalities());
    cards.put("brand", cards.get("brand") + 1);
    FeatureSpec s = b.spec();
    FeatureSpec spec = new FeatureSpec(s.itemVectorDim(), s.halfLifeHours(), s.maxRecentEvents(),
        s.maxRecentImpressions(), s.fatigueWindowHours(), s.typeWeights(), s.dwellCapSeconds(), s.topBrands(),
        s.wideBuckets(), s.neutralSlot(), s.maxSlot(), s.ctrPriorStrength(), s.globalCtr(), s.embeddingDims(),
        s.hiddenLayers(), cards, s.userScalars(), s.bannerScalars(), s.crossScalars(), s.tasteBrands(), s.tasteDim(),
        s.foldInDim(), s.wideCrosses());
    WideDeepWeights weights = new WideDeepWeights(w.wide(), embeddings, w.hidden(), w.outputWeights(), w.outputBias(),
        w.tasteUser() == null ? null : insertZeroRow(w.tasteUser()),
        w.tasteItem() == null ? null : insertZeroRow(w.tasteItem()));
    Bundle partial = new Bundle(manifest(b.manifest(), version, spec), vocab, vectors, weights, b.catalog(),
        b.bannerStats(), null);
    return write(dir, new Bundle(partial.manifest(), vocab, vectors, weights, b.catalog(), b.bannerStats(),
        ScoringModel.computeBannerFirstLayer(partial)));
  }

  /**
   * The tiny model without its fold-in taste: no factors, and the two fold-in scalars' rows dropped from the first
   * layer (they sit right after the other cross scalars), so it is what training with {@code --fold-in-dim 0} gives
   * in shape.
   */
  public static Path withoutFoldIn(Path dir) {
    Bundle b = tiny();
    FeatureSpec s = b.spec();
    int plainCross = FeatureEncoder.crossScalarNames(false).size();
    java.util.List<String> names = FeatureEncoder.crossScalarNames(false);
    FeatureSpec spec = new FeatureSpec(s.itemVectorDim(), s.halfLifeHours(), s.maxRecentEvents(),
        s.maxRecentImpressions(), s.fatigueWindowHours(), s.typeWeights(), s.dwellCapSeconds(), s.topBrands(),
        s.wideBuckets(), s.neutralSlot(), s.maxSlot(), s.ctrPriorStrength(), s.globalCtr(), s.embeddingDims(),
        s.hiddenLayers(), s.cardinalities(), s.userScalars(), s.bannerScalars(),
        new dev.bannerranker.features.Standardizer(names,
            java.util.Arrays.copyOf(s.crossScalars().mean(), plainCross),
            java.util.Arrays.copyOf(s.crossScalars().std(), plainCross)),
        s.tasteBrands(), s.tasteDim(), 0, s.wideCrosses());
    int crossOff = new dev.bannerranker.scoring.WideDeepScorer.Layout(s).inputWidth() - s.tasteDim()
        - new FeatureEncoder(s).crossSize();
    WideDeepWeights w = b.weights();
    float[][] w1 = w.hidden().get(0).w();
    float[][] narrowed = new float[w1.length - 2][];
    for (int row = 0, o = 0; row < w1.length; row++) {
      if (row != crossOff + plainCross && row != crossOff + plainCross + 1) {
        narrowed[o++] = w1[row];
      }
    }
    List<WideDeepWeights.DenseLayer> hidden = new ArrayList<>(w.hidden());
    hidden.set(0, new WideDeepWeights.DenseLayer(narrowed, w.hidden().get(0).b()));
    WideDeepWeights weights = new WideDeepWeights(w.wide(), w.embeddings(), hidden, w.outputWeights(),
        w.outputBias(), w.tasteUser(), w.tasteItem());
    ItemVectors iv = b.vectors();
    ItemVectors vectors = new ItemVectors(iv.dim(), rows(iv.brandCount(), iv::brand),
        rows(iv.categoryCount(), iv::category), rows(iv.bannerCount(), iv::banner), trained(iv), null);
    Bundle partial = new Bundle(manifest(b.manifest(), "wd-no-fold-in", spec), b.vocab(), vectors, weights,
        b.catalog(), b.bannerStats(), null);
    return write(dir, new Bundle(partial.manifest(), b.vocab(), vectors, weights, b.catalog(), b.bannerStats(),
        ScoringModel.computeBannerFirstLayer(partial)));
  }

  /** {@link #foldIn} with seed 1, written to {@code dir}. */
  public static Path withFoldIn(Path dir) {
    return write(dir, foldIn(1, false));
  }

  /** A fold-in bundle whose factors are NaN, which every other check lets through: the golden requests catch it. */
  public static Path nanFoldIn(Path dir) {
    return write(dir, foldIn(1, true));
  }

  /**
   * The tiny model (trained with fold-in) with its fold-in factors replaced by random ones of the same size (each
   * category sells a random half of the brands, at least two), or by NaN brand factors: the network is the trained
   * one, so the taste moves the scores, but no test depends on what training learned.
   */
  public static Bundle foldIn(long seed, boolean nanFactors) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    Bundle b = tiny();
    int dim = b.spec().foldInDim();
    if (dim == 0) {
      throw new IllegalStateException("the checked-in tiny bundle has no fold-in: regenerate it (serving/README.md)");
    }
    ItemVectors iv = b.vectors();
    int brands = iv.brandCount();
    int cats = iv.categoryCount();
    float[][] membership = new float[cats][brands];
    for (int c = 1; c < cats; c++) {
      for (int k = 1; k < brands; k++) {
        membership[c][k] = k == c || k == c + 1 || r.nextBoolean() ? 1f : 0f;
      }
    }
    float[][] brandFactors = new float[brands][];
    float[][] categoryFactors = new float[cats][];
    for (int k = 0; k < brands; k++) {
      brandFactors[k] = gaussian(r, dim, 1f);
      if (nanFactors) {
        java.util.Arrays.fill(brandFactors[k], Float.NaN);
      }
    }
    for (int c = 0; c < cats; c++) {
      categoryFactors[c] = gaussian(r, dim, 1f);
    }
    float[][] categoryBias = new float[FoldInFactors.GENDERS][];
    for (int g = 0; g < categoryBias.length; g++) {
      categoryBias[g] = gaussian(r, cats, 0.3f);
    }
    FoldInFactors foldIn = new FoldInFactors(brandFactors, gaussian(r, brands, 0.3f), categoryFactors, categoryBias,
        membership);
    ItemVectors vectors = new ItemVectors(iv.dim(), rows(brands, iv::brand), rows(cats, iv::category),
        rows(iv.bannerCount(), iv::banner), trained(iv), foldIn);
    Bundle partial = new Bundle(manifest(b.manifest(), "wd-fold-in", b.spec()), b.vocab(), vectors, b.weights(),
        b.catalog(), b.bannerStats(), null);
    return new Bundle(partial.manifest(), b.vocab(), vectors, b.weights(), b.catalog(), b.bannerStats(),
        ScoringModel.computeBannerFirstLayer(partial));
  }

  private static float[] gaussian(java.util.SplittableRandom r, int n, float sd) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * sd);
    }
    return v;
  }

  private static BundleManifest manifest(BundleManifest m, String version, FeatureSpec spec) {
    return new BundleManifest(m.formatVersion(), version, m.createdAt(), m.dataFingerprint(), m.provenance(),
        m.hyperparameters(), m.negativeRate(), spec, m.metrics(), m.training(), m.files());
  }

  private static float[][] rows(int n, java.util.function.IntFunction<float[]> row) {
    float[][] m = new float[n][];
    for (int i = 0; i < n; i++) {
      m[i] = row.apply(i);
    }
    return m;
  }

  private static boolean[] trained(ItemVectors iv) {
    boolean[] t = new boolean[iv.bannerCount()];
    for (int i = 0; i < t.length; i++) {
      t[i] = iv.bannerTrained(i);
    }
    return t;
  }

  /** Row 0 stays the unknown row; the new row goes at index 1. */
  /** The vector with a 0 inserted at index 1 (after the unknown entry). */
  private static float[] insertZero(float[] v) {
    float[] out = new float[v.length + 1];
    out[0] = v[0];
    System.arraycopy(v, 1, out, 2, v.length - 1);
    return out;
  }

  private static float[][] insertZeroRow(float[][] m) {
    float[][] out = new float[m.length + 1][];
    out[0] = m[0];
    out[1] = new float[m[0].length];
    System.arraycopy(m, 1, out, 2, m.length - 1);
    return out;
  }

  private static Path write(Path dir, Bundle b) {
    try {
      BundleIO.write(b, dir, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /**
   * The tiny bundle as a click-and-conversion model, written to {@code dir}: a seeded random conversion tower of the
   * click tower's shapes, and a bid per conversion of 20 × the bid on every other banner of the catalog.
   */
  public static Path withConversion(Path dir) {
    Bundle b = tiny();
    WideDeepWeights w = b.weights();
    java.util.SplittableRandom r = new java.util.SplittableRandom(11);
    List<WideDeepWeights.DenseLayer> hidden = new ArrayList<>();
    for (WideDeepWeights.DenseLayer l : w.hidden()) {
      float[][] m = new float[l.nIn()][];
      for (int i = 0; i < m.length; i++) {
        m[i] = gaussian(r, l.nOut(), 0.3f);
      }
      hidden.add(new WideDeepWeights.DenseLayer(m, gaussian(r, l.nOut(), 0.1f)));
    }
    WideDeepWeights.Tower tower = new WideDeepWeights.Tower(gaussian(r, w.wide().length, 0.2f), hidden,
        gaussian(r, w.outputWeights().length, 0.5f), -1.5f);
    WideDeepWeights weights = new WideDeepWeights(w.wide(), w.embeddings(), w.hidden(), w.outputWeights(),
        w.outputBias(), w.tasteUser(), w.tasteItem(), tower);
    List<dev.bannerranker.data.Banner> catalog = new ArrayList<>();
    for (int i = 0; i < b.catalog().size(); i++) {
      var x = b.catalog().get(i);
      catalog.add(new dev.bannerranker.data.Banner(x.id(), x.brand(), x.category(), x.placement(), x.creativeFormat(),
          x.creativeColor(), x.discountPct(), x.campaignId(), x.priceTier(), x.startTime(), x.endTime(), x.bid(),
          x.priority(), x.targetGenders(), x.targetAgeBands(), x.targetCityTiers(),
          i % 2 == 0 ? 20 * x.bid() : Double.NaN));
    }
    BundleManifest m = manifest(b.manifest(), "conversion-test", b.spec());
    return write(dir, new Bundle(m, b.vocab(), b.vectors(), weights, catalog, b.bannerStats(), b.bannerFirstLayer()));
  }

  /** Copies a bundle directory file by file. */
  /**
   * A data directory in {@code dir}: the tiny bundle's banners, the tiny world's users, and for u-000002 two events
   * (a view and a purchase of Nornor jeans) and two impressions of bn-00004, the second clicked.
   */
  public static Path smallWorld(Path dir) throws IOException {
    Files.copy(TINY.resolve("banners.csv"), dir.resolve("banners.csv"));
    Files.copy(USERS.resolve("users.csv"), dir.resolve("users.csv"));
    Files.writeString(dir.resolve("events.csv"), """
        user_id,timestamp,event_type,brand,category,price_tier,dwell_seconds
        u-000002,2026-03-09T10:00:00Z,view,Nornor,jeans,3,40.0
        u-000002,2026-03-09T10:01:00Z,purchase,Nornor,jeans,3,0.0
        """);
    Files.writeString(dir.resolve("impressions.csv"), """
        impression_id,user_id,timestamp,banner_id,placement,slot_position,platform,clicked
        im-1,u-000002,2026-03-09T09:00:00Z,bn-00004,home_hero,1,web,0
        im-2,u-000002,2026-03-09T11:00:00Z,bn-00004,home_hero,1,web,1
        """);
    return dir;
  }

  public static Path copy(Path from, Path to) {
    try {
      Files.createDirectories(to);
      try (Stream<Path> files = Files.list(from)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  private static void append(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
