package dev.bannerranker.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bannerranker.bundle.TensorFile.Tensor;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.CsvTable;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.scoring.WideDeepWeights;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Writes bundles atomically and loads them with format and checksum checks. */
public final class BundleIO {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private BundleIO() {}

  public static ObjectMapper json() {
    return JSON;
  }

  /**
   * Writes the bundle to a temporary sibling of {@code target} and renames it into place, so readers
   * never see a half-written bundle. With {@code replace}, an existing bundle is swapped out after the
   * new one is complete.
   */
  public static void write(Bundle bundle, Path target, boolean replace) throws IOException {
    write(bundle, target, replace, Map.of());
  }

  /** As {@link #write(Bundle, Path, boolean)}, adding extra files (such as the data-problem list) by name. */
  public static void write(Bundle bundle, Path target, boolean replace, Map<String, Path> extraFiles) throws IOException {
    writeSealed(target, replace, extraFiles, new Contents() {
      @Override
      public void writeFiles(Path dir) throws IOException {
        BundleIO.writeFiles(bundle, dir);
      }

      @Override
      public byte[] manifest(Map<String, String> checksums) throws IOException {
        return JSON.writeValueAsBytes(bundle.manifest().withFiles(checksums));
      }
    });
  }

  /** What a sealed directory holds besides its checksums and seal: every kind of bundle writes through this. */
  public interface Contents {
    /** Writes the files (not the manifest) into {@code dir}. */
    void writeFiles(Path dir) throws IOException;

    /** The manifest's JSON bytes, given the sha256 of every file written. */
    byte[] manifest(Map<String, String> checksums) throws IOException;
  }

  /**
   * Writes {@code contents} and {@code extraFiles} to a temporary sibling of {@code target}, adds the manifest with
   * every file's checksum and its seal, and renames the directory into place, so readers never see half a bundle.
   * With {@code replace}, an existing bundle is swapped out after the new one is complete.
   */
  public static void writeSealed(Path target, boolean replace, Map<String, Path> extraFiles, Contents contents)
      throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    String problem = dev.bannerranker.cli.OutputPaths.bundleTargetProblem(target, replace);
    if (problem != null) {
      throw new FileAlreadyExistsException(target.toString(), null, problem);
    }
    Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
    try {
      // Temporary directories are private (700); a bundle must be readable by the service's user.
      if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      contents.writeFiles(tmp);
      for (Map.Entry<String, Path> e : extraFiles.entrySet()) {
        Files.copy(e.getValue(), tmp.resolve(e.getKey()));
      }
      Map<String, String> sums = new TreeMap<>();
      try (Stream<Path> files = Files.list(tmp)) {
        for (Path f : (Iterable<Path>) files.sorted()::iterator) {
          sums.put(f.getFileName().toString(), Checksums.sha256(f));
        }
      }
      byte[] manifest = contents.manifest(sums);
      Files.write(tmp.resolve(Bundle.MANIFEST), manifest);
      Files.writeString(tmp.resolve(Bundle.MANIFEST_CHECKSUM), sealLine(manifest), StandardCharsets.UTF_8);
      Path old = null;
      if (Files.exists(target)) {
        old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
        Files.delete(old);
        move(target, old);
      }
      move(tmp, target);
      if (old != null) {
        deleteTree(old);
      }
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + from + " to " + to + " atomically: " + e.getMessage(), e);
    }
  }

  private static void writeFiles(Bundle b, Path dir) throws IOException {
    Map<String, List<String>> vocab = new LinkedHashMap<>();
    vocab.put("brands", b.vocab().brands().values());
    vocab.put("categories", b.vocab().categories().values());
    vocab.put("placements", b.vocab().placements().values());
    vocab.put("creative_formats", b.vocab().creativeFormats().values());
    vocab.put("creative_colors", b.vocab().creativeColors().values());
    vocab.put("banners", b.vocab().banners().values());
    JSON.writeValue(dir.resolve(Bundle.VOCAB).toFile(), vocab);

    ItemVectors v = b.vectors();
    Map<String, Tensor> emb = new LinkedHashMap<>();
    emb.put("item2vec.brand", Tensor.matrix(rows(v.brandCount(), v::brand)));
    emb.put("item2vec.category", Tensor.matrix(rows(v.categoryCount(), v::category)));
    emb.put("item2vec.banner", Tensor.matrix(rows(v.bannerCount(), v::banner)));
    float[] trained = new float[v.bannerCount()];
    for (int i = 0; i < trained.length; i++) {
      trained[i] = v.bannerTrained(i) ? 1f : 0f;
    }
    emb.put("item2vec.banner_trained", Tensor.vector(trained));
    if (v.foldIn() != null) {
      FoldInFactors f = v.foldIn();
      emb.put("foldin.brand", Tensor.matrix(f.brandFactors()));
      emb.put("foldin.brand_bias", Tensor.vector(f.brandBias()));
      emb.put("foldin.category", Tensor.matrix(f.categoryFactors()));
      emb.put("foldin.category_bias", Tensor.matrix(f.categoryBias()));
      emb.put("foldin.membership", Tensor.matrix(f.membership()));
    }
    TensorFile.write(dir.resolve(Bundle.EMBEDDINGS), emb);

    TensorFile.write(dir.resolve(Bundle.NETWORK), b.weights().toTensors());
    TensorFile.write(dir.resolve(Bundle.BANNER_FIRST_LAYER), Map.of("first_layer.banner", Tensor.matrix(b.bannerFirstLayer())));
    BannerCsv.write(dir.resolve(Bundle.BANNERS), b.catalog());
    try (Writer w = Files.newBufferedWriter(dir.resolve(Bundle.BANNER_STATS), StandardCharsets.UTF_8)) {
      w.write("banner_id,impressions,clicks\n");
      for (Banner banner : b.catalog()) {
        long[] s = b.bannerStats().getOrDefault(banner.id(), new long[2]);
        w.write(banner.id() + "," + s[0] + "," + s[1] + "\n");
      }
    }
  }

  private static float[][] rows(int n, java.util.function.IntFunction<float[]> row) {
    float[][] m = new float[n][];
    for (int i = 0; i < n; i++) {
      m[i] = row.apply(i);
    }
    return m;
  }

  /**
   * The manifest's seal: its SHA-256 and name in the {@code sha256sum} format ({@code <hex>  manifest.json}), so
   * the standard tool can check it.
   */
  public static String sealLine(byte[] manifest) {
    return Checksums.sha256(manifest) + "  " + Bundle.MANIFEST + "\n";
  }

  /**
   * Reads only the manifest: checks its seal (when the bundle has one) and format version, migrates an older format to
   * the current form ({@link ManifestMigration}) and maps it to records; a field of the wrong type or shape is named.
   */
  public static BundleManifest readManifest(Path dir) {
    Path file = dir.resolve(Bundle.MANIFEST);
    if (Files.isRegularFile(dir)) {
      throw new BundleException(dir + ": is a file; a bundle is a directory (the one that holds " + Bundle.MANIFEST + ")");
    }
    if (!Files.isDirectory(dir)) {
      throw new BundleException(dir + ": bundle directory not found");
    }
    if (!Files.exists(file)) {
      throw new BundleException(dir + ": not a bundle (no " + Bundle.MANIFEST + ")");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new BundleException(file + ": cannot read: " + e.getMessage(), e);
    }
    Path sealFile = dir.resolve(Bundle.MANIFEST_CHECKSUM);
    boolean sealed = Files.exists(sealFile);
    if (sealed) {
      checkSeal(sealFile, bytes);
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new BundleException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    if (!(tree instanceof ObjectNode node)) {
      throw new BundleException(file + ": not a JSON object");
    }
    int v = formatVersion(node, file);
    if (v < Bundle.OLDEST_READABLE_FORMAT_VERSION || v > Bundle.FORMAT_VERSION) {
      throw new BundleException(file + ": bundle format version " + v + " is not supported; this build reads versions "
          + Bundle.OLDEST_READABLE_FORMAT_VERSION + " to " + Bundle.FORMAT_VERSION);
    }
    if (v >= Bundle.MANIFEST_SEALED_SINCE && !sealed) {
      throw new BundleException(sealFile + ": missing; a format version " + v
          + " bundle seals its manifest with it, so the manifest cannot be checked");
    }
    for (String field : List.of("modelVersion", "featureSpec")) {
      if (node.get(field) == null || node.get(field).isNull()) {
        throw new BundleException(file + ": " + field + " is missing");
      }
    }
    JsonNode crosses = node.path("featureSpec").get("wideCrosses");
    if (v >= ManifestMigration.WIDE_CROSSES_LISTED_SINCE && (crosses == null || !crosses.isArray())) {
      throw new BundleException(file + ": featureSpec.wideCrosses is missing; a format version " + v
          + " manifest must list its wide crosses");
    }
    ManifestMigration.toCurrent(node, v);
    try {
      return JSON.treeToValue(node, BundleManifest.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new BundleException(file + ": " + ManifestMigration.describe(e), e);
    }
  }

  private static int formatVersion(ObjectNode node, Path file) {
    JsonNode version = node.get("formatVersion");
    if (version == null || version.isNull()) {
      throw new BundleException(file + ": formatVersion is missing");
    }
    if (!version.isIntegralNumber() || !version.canConvertToInt()) {
      throw new BundleException(file + ": formatVersion has the wrong type (expected an integer, found "
          + version.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + ")");
    }
    return version.asInt();
  }

  private static void checkSeal(Path sealFile, byte[] manifest) {
    String line;
    try {
      line = Files.readString(sealFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BundleException(sealFile + ": cannot read: " + e.getMessage(), e);
    }
    String[] parts = line.strip().split("\\s+\\*?", 2);
    if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}") || !parts[1].equals(Bundle.MANIFEST)) {
      throw new BundleException(sealFile + ": expected '<sha256 hex>  " + Bundle.MANIFEST + "', found '"
          + line.strip() + "'");
    }
    String actual = Checksums.sha256(manifest);
    if (!actual.equals(parts[0])) {
      throw new BundleException(sealFile.resolveSibling(Bundle.MANIFEST) + ": checksum mismatch (" + Bundle.MANIFEST_CHECKSUM
          + " " + parts[0] + ", file " + actual + "); the manifest was changed after it was written");
    }
  }

  /** Loads and verifies a bundle: format version, every checksum, and the shapes of every tensor. */
  public static Bundle load(Path dir) {
    BundleManifest m = readManifest(dir);
    if (m.files() == null) {
      throw new BundleException(dir.resolve(Bundle.MANIFEST) + ": no file checksums");
    }
    for (String f : Bundle.DATA_FILES) {
      if (!m.files().containsKey(f)) {
        throw new BundleException(dir + ": manifest has no checksum for " + f);
      }
    }
    for (String f : m.files().keySet()) {
      if (f.contains("/") || f.contains("\\") || f.startsWith(".")) {
        throw new BundleException(dir.resolve(Bundle.MANIFEST) + ": file name '" + f + "' leaves the bundle directory");
      }
      Path p = dir.resolve(f);
      String expected = m.files().get(f);
      if (!Files.exists(p)) {
        throw new BundleException(p + ": missing bundle file");
      }
      String actual;
      try {
        actual = Checksums.sha256(p);
      } catch (IOException e) {
        throw new BundleException(p + ": cannot read: " + e.getMessage(), e);
      }
      if (!actual.equals(expected)) {
        throw new BundleException(p + ": checksum mismatch (manifest " + expected + ", file " + actual + "); the bundle is corrupt");
      }
    }
    try {
      return parse(dir, m);
    } catch (BadInputException | IllegalArgumentException | IllegalStateException e) {
      throw new BundleException(dir + ": inconsistent bundle: " + e.getMessage(), e);
    }
  }

  private static Bundle parse(Path dir, BundleManifest m) {
    Vocabularies vocab = readVocab(dir.resolve(Bundle.VOCAB));
    Map<String, Tensor> emb = TensorFile.read(dir.resolve(Bundle.EMBEDDINGS));
    int dim = m.featureSpec().itemVectorDim();
    float[][] brands = matrix(emb, "item2vec.brand", vocab.brands().cardinality(), dim, Bundle.EMBEDDINGS);
    float[][] cats = matrix(emb, "item2vec.category", vocab.categories().cardinality(), dim, Bundle.EMBEDDINGS);
    float[][] banners = matrix(emb, "item2vec.banner", vocab.banners().cardinality(), dim, Bundle.EMBEDDINGS);
    float[] trainedF = matrix(emb, "item2vec.banner_trained", 1, vocab.banners().cardinality(), Bundle.EMBEDDINGS,
        true)[0];
    boolean[] trained = new boolean[trainedF.length];
    for (int i = 0; i < trained.length; i++) {
      trained[i] = trainedF[i] != 0f;
    }
    FoldInFactors foldIn = null;
    int k = m.featureSpec().foldInDim();
    if (k > 0) {
      int nb = vocab.brands().cardinality();
      int nc = vocab.categories().cardinality();
      foldIn = new FoldInFactors(matrix(emb, "foldin.brand", nb, k, Bundle.EMBEDDINGS),
          matrix(emb, "foldin.brand_bias", 1, nb, Bundle.EMBEDDINGS, true)[0],
          matrix(emb, "foldin.category", nc, k, Bundle.EMBEDDINGS),
          matrix(emb, "foldin.category_bias", FoldInFactors.GENDERS, nc, Bundle.EMBEDDINGS),
          matrix(emb, "foldin.membership", nc, nb, Bundle.EMBEDDINGS));
    }
    ItemVectors vectors = new ItemVectors(dim, brands, cats, banners, trained, foldIn);

    List<String> fields = new ArrayList<>(FeatureEncoder.USER_FIELDS);
    fields.addAll(FeatureEncoder.BANNER_FIELDS);
    WideDeepWeights weights = WideDeepWeights.fromTensors(TensorFile.read(dir.resolve(Bundle.NETWORK)), fields,
        m.featureSpec().hiddenLayers().size(), Bundle.NETWORK);
    checkShapes(m, weights);
    // each banner's first-layer part, then with sequence attention its query
    int partWidth = m.featureSpec().hiddenLayers().get(0) + m.featureSpec().attentionDim();
    float[][] firstLayer = matrix(TensorFile.read(dir.resolve(Bundle.BANNER_FIRST_LAYER)), "first_layer.banner",
        vocab.banners().cardinality(), partWidth, Bundle.BANNER_FIRST_LAYER);

    DataProblems strict = new DataProblems(0.0);
    List<Banner> catalog = EventLogReader.readBanners(dir, strict);
    Map<String, long[]> stats = new LinkedHashMap<>();
    CsvTable.read(dir, Bundle.BANNER_STATS, List.of("banner_id", "impressions", "clicks"),
        row -> Map.entry(row.text("banner_id"), new long[] {row.integer("impressions", 0, Integer.MAX_VALUE),
            row.integer("clicks", 0, Integer.MAX_VALUE)}),
        e -> stats.put(e.getKey(), e.getValue()), strict);
    return new Bundle(m, vocab, vectors, weights, catalog, stats, firstLayer);
  }

  private static boolean shape(float[][] m, int rows, int cols) {
    return m.length == rows && (rows == 0 || m[0].length == cols);
  }

  private static void checkShapes(BundleManifest m, WideDeepWeights w) {
    var spec = m.featureSpec();
    if (w.wide().length != spec.wideBuckets()) {
      throw new BundleException(Bundle.NETWORK + ": wide has " + w.wide().length + " weights, spec says " + spec.wideBuckets());
    }
    w.embeddings().forEach((field, table) -> {
      if (table.length != spec.cardinality(field) || (table.length > 0 && table[0].length != spec.embeddingDim(field))) {
        throw new BundleException(Bundle.NETWORK + ": embedding." + field + " shape does not match the feature spec");
      }
    });
    int crossScalars = new FeatureEncoder(spec).crossScalarCount();
    if (spec.crossScalars().size() != crossScalars) {
      throw new BundleException(Bundle.MANIFEST + ": featureSpec.crossScalars has " + spec.crossScalars().size()
          + " entries, the feature spec uses " + crossScalars);
    }
    int inputs = new dev.bannerranker.scoring.WideDeepScorer.Layout(spec).inputWidth();
    if (w.hidden().isEmpty() || w.hidden().get(0).nIn() != inputs) {
      throw new BundleException(Bundle.NETWORK + ": hidden.0 has " + (w.hidden().isEmpty() ? 0 : w.hidden().get(0).nIn())
          + " inputs, the feature spec defines " + inputs + " (a bundle from an incompatible build)");
    }
    if (spec.hasSequenceAttention() != (w.attention() != null)) {
      throw new BundleException(Bundle.NETWORK + ": the feature spec " + (spec.hasSequenceAttention()
          ? "has sequence attention but attention.query/key/value are missing" : "has no sequence attention but the network has attention.* tensors"));
    }
    if (w.attention() != null) {
      var a = spec.sequenceAttention();
      int events = a.eventWidth(spec.itemVectorDim());
      if (!shape(w.attention().query(), spec.itemVectorDim(), a.dim()) || !shape(w.attention().key(), events, a.dim())
          || !shape(w.attention().value(), events, a.dim())) {
        throw new BundleException(Bundle.NETWORK + ": attention.query/key/value shapes do not match the feature spec"
            + " (expected [" + spec.itemVectorDim() + "][" + a.dim() + "] and [" + events + "][" + a.dim() + "])");
      }
    }
    if (spec.hasTasteTower() && (w.tasteUser() == null || w.tasteItem() == null)) {
      throw new BundleException(Bundle.NETWORK + ": the feature spec has a taste tower but taste.user/taste.item are missing");
    }
    for (int i = 0; i < w.hidden().size(); i++) {
      if (w.hidden().get(i).nOut() != spec.hiddenLayers().get(i)) {
        throw new BundleException(Bundle.NETWORK + ": hidden." + i + " has " + w.hidden().get(i).nOut()
            + " units, spec says " + spec.hiddenLayers().get(i));
      }
    }
  }

  private static float[][] matrix(Map<String, Tensor> t, String name, int rows, int cols, String file) {
    return matrix(t, name, rows, cols, file, false);
  }

  /** A rank-2 tensor of this shape, or with {@code vector} a rank-1 tensor of {@code cols} values as one row. */
  private static float[][] matrix(Map<String, Tensor> t, String name, int rows, int cols, String file, boolean vector) {
    Tensor x = t.get(name);
    if (x == null) {
      throw new BundleException(file + ": missing tensor '" + name + "'");
    }
    if (vector) {
      if (x.shape().length != 1 || x.shape()[0] != cols) {
        throw new BundleException(file + ": tensor '" + name + "' has shape " + java.util.Arrays.toString(x.shape())
            + ", expected [" + cols + "]");
      }
      return new float[][] {x.values()};
    }
    if (x.shape().length != 2 || x.shape()[0] != rows || x.shape()[1] != cols) {
      throw new BundleException(file + ": tensor '" + name + "' has shape " + java.util.Arrays.toString(x.shape())
          + ", expected [" + rows + ", " + cols + "]");
    }
    return x.asMatrix();
  }

  private static Vocabularies readVocab(Path file) {
    try {
      JsonNode n = JSON.readTree(file.toFile());
      return new Vocabularies(vocab(n, "brands", file), vocab(n, "categories", file), vocab(n, "placements", file),
          vocab(n, "creative_formats", file), vocab(n, "creative_colors", file), vocab(n, "banners", file));
    } catch (IOException e) {
      throw new BundleException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  private static Vocabulary vocab(JsonNode n, String key, Path file) {
    JsonNode arr = n.get(key);
    if (arr == null || !arr.isArray()) {
      throw new BundleException(file + ": missing list '" + key + "'");
    }
    List<String> values = new ArrayList<>();
    arr.forEach(v -> values.add(v.asText()));
    return Vocabulary.ofOrdered(values);
  }

  /** Deletes a directory tree of our own (a temporary bundle, a test's world), best effort. */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort clean-up of our own temporary directory
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
