package dev.bannerranker.bundle;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.testing.RandomBundles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleIOTest {
  @TempDir Path dir;

  private Path written() throws IOException {
    Path target = dir.resolve("bundle");
    BundleIO.write(RandomBundles.create(3, 24), target, false);
    return target;
  }

  /** Re-seals a manifest a test edited on purpose, so that the check under test is the one that fires. */
  private static void reseal(Path target) throws IOException {
    Files.writeString(target.resolve(Bundle.MANIFEST_CHECKSUM),
        BundleIO.sealLine(Files.readAllBytes(target.resolve(Bundle.MANIFEST))));
  }

  private static String sha256Hex(byte[] bytes) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void manifestIsSealedInSha256sumFormat() throws Exception {
    Path target = written();
    String seal = Files.readString(target.resolve(Bundle.MANIFEST_CHECKSUM));
    assertEquals(sha256Hex(Files.readAllBytes(target.resolve(Bundle.MANIFEST))) + "  manifest.json\n", seal);
    assertEquals(Bundle.FORMAT_VERSION, BundleIO.readManifest(target).formatVersion());
  }

  /** An edit that keeps the JSON valid (here a metric) is caught by the seal, not read as the truth. */
  @Test
  void editedManifestIsRefused() throws IOException {
    Path target = written();
    Path manifest = target.resolve(Bundle.MANIFEST);
    var json = (com.fasterxml.jackson.databind.node.ObjectNode) BundleIO.json().readTree(manifest.toFile());
    json.put("modelVersion", "someone-else");
    BundleIO.json().writeValue(manifest.toFile(), json);
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(target));
    assertTrue(e.getMessage().startsWith(manifest + ": checksum mismatch (manifest.sha256 "), e.getMessage());
    assertThrows(BundleException.class, () -> BundleIO.readManifest(target));
  }

  @Test
  void missingSealIsRefusedInASealedFormatBundle() throws IOException {
    Path target = written();
    Files.delete(target.resolve(Bundle.MANIFEST_CHECKSUM));
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(target));
    assertTrue(e.getMessage().contains("manifest.sha256: missing; a format version " + Bundle.FORMAT_VERSION
        + " bundle seals its manifest"), e.getMessage());
  }

  @Test
  void malformedSealIsRefusedByName() throws IOException {
    Path target = written();
    Files.writeString(target.resolve(Bundle.MANIFEST_CHECKSUM), "not a checksum\n");
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(target));
    assertTrue(e.getMessage().contains("manifest.sha256: expected '<sha256 hex>  manifest.json', found 'not a checksum'"),
        e.getMessage());
  }

  /** Bundles written before the seal (format 2) have none and still load. */
  @Test
  void version2BundleWithoutASealLoads() throws IOException {
    Path target = written();
    Path manifest = target.resolve(Bundle.MANIFEST);
    Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"formatVersion\"\\s*:\\s*\\d+", "\"formatVersion\" : 2"));
    Files.delete(target.resolve(Bundle.MANIFEST_CHECKSUM));
    Bundle loaded = BundleIO.load(target);
    assertEquals(2, loaded.manifest().formatVersion());
    assertEquals("test-3", loaded.modelVersion());
  }

  @Test
  void roundTripKeepsEveryArray() throws IOException {
    Bundle original = RandomBundles.create(3, 24);
    Path target = dir.resolve("bundle");
    BundleIO.write(original, target, false);
    Bundle loaded = BundleIO.load(target);
    assertEquals(original.modelVersion(), loaded.modelVersion());
    assertEquals(original.spec(), loaded.spec());
    assertEquals(original.catalog(), loaded.catalog());
    assertArrayEquals(original.weights().wide(), loaded.weights().wide());
    assertArrayEquals(original.weights().hidden().get(0).w()[5], loaded.weights().hidden().get(0).w()[5]);
    assertArrayEquals(original.vectors().brand(2), loaded.vectors().brand(2));
    assertArrayEquals(original.bannerFirstLayer()[7], loaded.bannerFirstLayer()[7]);
    assertArrayEquals(original.bannerStats().get("bn-004"), loaded.bannerStats().get("bn-004"));
    assertEquals(original.vocab().banners().values(), loaded.vocab().banners().values());
    assertTrue(loaded.manifest().files().keySet().containsAll(Bundle.DATA_FILES));
  }

  @Test
  void writeLeavesNoTemporaryDirectoryAndRefusesToOverwrite() throws IOException {
    Path target = written();
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count(), "only the bundle itself remains next to it");
    }
    assertThrows(java.nio.file.FileAlreadyExistsException.class,
        () -> BundleIO.write(RandomBundles.create(4, 24), target, false));
    BundleIO.write(RandomBundles.create(4, 24), target, true);
    assertEquals("test-4", BundleIO.load(target).modelVersion());
  }

  @Test
  void corruptFileIsRefusedByName() throws IOException {
    Path target = written();
    byte[] bytes = Files.readAllBytes(target.resolve(Bundle.NETWORK));
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(target.resolve(Bundle.NETWORK), bytes);
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(target));
    assertTrue(e.getMessage().contains(Bundle.NETWORK) && e.getMessage().contains("checksum mismatch"), e.getMessage());
  }

  @Test
  void missingFileIsRefusedByName() throws IOException {
    Path target = written();
    Files.delete(target.resolve(Bundle.EMBEDDINGS));
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(target));
    assertTrue(e.getMessage().contains(Bundle.EMBEDDINGS), e.getMessage());
  }

  @Test
  void wrongFormatVersionIsRefused() throws IOException {
    Path target = written();
    Path manifest = target.resolve(Bundle.MANIFEST);
    String json = Files.readString(manifest).replaceFirst("\"formatVersion\"\\s*:\\s*\\d+", "\"formatVersion\" : 99");
    Files.writeString(manifest, json);
    reseal(target);
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(target));
    assertTrue(e.getMessage().contains("format version 99 is not supported"), e.getMessage());
  }

  /** A version 2 manifest must list its wide crosses: without the list it would silently score with the older ones. */
  @Test
  void version2ManifestWithoutItsWideCrossesIsRefused() throws IOException {
    Path target = written();
    Path manifest = target.resolve(Bundle.MANIFEST);
    var json = (com.fasterxml.jackson.databind.node.ObjectNode) BundleIO.json().readTree(manifest.toFile());
    json.put("formatVersion", 2);
    ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("featureSpec")).remove("wideCrosses");
    Files.writeString(manifest, BundleIO.json().writeValueAsString(json));
    Files.delete(target.resolve(Bundle.MANIFEST_CHECKSUM));
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.readManifest(target));
    assertTrue(e.getMessage().contains("featureSpec.wideCrosses is missing"), e.getMessage());
  }

  @Test
  void notABundleIsRefused() {
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(dir));
    assertTrue(e.getMessage().contains("no manifest.json"), e.getMessage());
    assertThrows(BundleException.class, () -> BundleIO.load(dir.resolve("absent")));
  }

  @Test
  void manifestCannotPointOutsideTheBundle() throws IOException {
    Path target = written();
    Path manifest = target.resolve(Bundle.MANIFEST);
    String json = Files.readString(manifest).replace("\"files\" : {", "\"files\" : { \"../evil\" : \"00\",");
    Files.writeString(manifest, json);
    reseal(target);
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(target));
    assertTrue(e.getMessage().contains("leaves the bundle directory"), e.getMessage());
  }

  @Test
  void networkThatDoesNotFitTheFeatureSpecIsRefused() throws IOException {
    Bundle b = RandomBundles.create(5, 12);
    var w = b.weights();
    var first = w.hidden().get(0);
    float[][] fewerInputs = java.util.Arrays.copyOf(first.w(), first.nIn() - 3);
    var hidden = new java.util.ArrayList<>(w.hidden());
    hidden.set(0, new dev.bannerranker.scoring.WideDeepWeights.DenseLayer(fewerInputs, first.b()));
    var bad = new dev.bannerranker.scoring.WideDeepWeights(w.wide(), w.embeddings(), hidden, w.outputWeights(),
        w.outputBias(), w.tasteUser(), w.tasteItem());
    Path target = dir.resolve("bundle");
    BundleIO.write(new Bundle(b.manifest(), b.vocab(), b.vectors(), bad, b.catalog(), b.bannerStats(),
        b.bannerFirstLayer()), target, false);
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(target));
    assertTrue(e.getMessage().contains("network.bin: hidden.0 has " + (first.nIn() - 3) + " inputs"), e.getMessage());
  }

  @Test
  void truncatedTensorFileIsReported() throws IOException {
    Path f = dir.resolve("t.bin");
    TensorFile.write(f, Map.of("x", TensorFile.Tensor.vector(new float[] {1, 2, 3})));
    byte[] b = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(b, b.length - 4));
    BundleException e = assertThrows(BundleException.class, () -> TensorFile.read(f));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }
  /** A well-formed, correctly checksummed embeddings file that lacks a tensor is refused by the tensor's name. */
  @Test
  void missingTensorIsRefusedByName() throws Exception {
    Path target = written();
    Path emb = target.resolve(Bundle.EMBEDDINGS);
    Map<String, TensorFile.Tensor> tensors = new java.util.LinkedHashMap<>(TensorFile.read(emb));
    assertNotNull(tensors.remove("item2vec.banner_trained"));
    TensorFile.write(emb, tensors);
    var json = BundleIO.json();
    var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(target.resolve(Bundle.MANIFEST).toFile());
    String sha = java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(emb)));
    ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.get("files")).put(Bundle.EMBEDDINGS, sha);
    json.writeValue(target.resolve(Bundle.MANIFEST).toFile(), manifest);
    reseal(target);
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.load(target));
    assertEquals("embeddings.bin: missing tensor 'item2vec.banner_trained'", e.getMessage());
  }

  /** Edits the written manifest's JSON and re-seals it, so the check under test is the one that fires. */
  private Path withManifest(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit)
      throws IOException {
    Path target = Files.createTempDirectory(dir, "edited").resolve("bundle");
    BundleIO.write(RandomBundles.create(3, 24), target, false);
    Path manifest = target.resolve(Bundle.MANIFEST);
    var json = (com.fasterxml.jackson.databind.node.ObjectNode) BundleIO.json().readTree(manifest.toFile());
    edit.accept(json);
    Files.writeString(manifest, BundleIO.json().writeValueAsString(json));
    reseal(target);
    return target;
  }

  private static String reason(Path bundle, Runnable load) {
    BundleException e = assertThrows(BundleException.class, load::run);
    assertTrue(e.getMessage().contains(bundle.toString()), e.getMessage());
    return e.getMessage().replace(bundle.toString(), "");
  }

  /** A formatVersion that is text is a wrong type, not a missing field: the two get different errors. */
  @Test
  void formatVersionOfTheWrongTypeIsNotReadAsMissing() throws IOException {
    Path text = withManifest(m -> m.put("formatVersion", "three"));
    Path missing = dir.resolve("missing");
    Files.createDirectories(missing);
    Files.write(missing.resolve(Bundle.MANIFEST), "{}".getBytes());
    String wrongType = reason(text, () -> BundleIO.readManifest(text));
    String absent = reason(missing, () -> BundleIO.readManifest(missing));
    assertTrue(wrongType.contains("formatVersion"), wrongType);
    assertTrue(absent.contains("formatVersion"), absent);
    assertNotEquals(wrongType.replaceAll("^.*?formatVersion", ""), absent.replaceAll("^.*?formatVersion", ""));
  }

  /** A negative rate outside (0, 1], or a current-format manifest without one, is refused naming the field. */
  @Test
  void aNegativeRateOutsideZeroToOneIsRefusedNamingIt() throws IOException {
    for (var edit : java.util.List.<java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>>of(
        m -> m.put("negativeRate", 0), m -> m.put("negativeRate", 1.5), m -> m.remove("negativeRate"))) {
      Path target = withManifest(edit);
      BundleException e = assertThrows(BundleException.class, () -> BundleIO.readManifest(target));
      assertTrue(e.getMessage().contains("negativeRate"), e.getMessage());
    }
  }

  /** Manifests older than format 4 trained on every row: they read with a negative rate of 1. */
  @Test
  void anOlderManifestReadsWithNegativeRateOne() throws IOException {
    Path target = withManifest(m -> {
      m.put("formatVersion", 3);
      m.remove("negativeRate");
    });
    assertEquals(1.0, BundleIO.readManifest(target).negativeRate());
  }

  /** --bundle naming a regular file gets its own error, not the one for a directory that does not exist. */
  @Test
  void aFileIsNotReportedAsAMissingDirectory() throws IOException {
    Path file = Files.writeString(dir.resolve("manifest-copy.json"), "{}");
    Path absent = dir.resolve("absent");
    assertNotEquals(reason(file, () -> BundleIO.load(file)), reason(absent, () -> BundleIO.load(absent)));
  }

  /** A malformed nested field is named by its path in the manifest. */
  @Test
  void aNestedFieldOfTheWrongTypeIsNamed() throws IOException {
    Path target = withManifest(m -> ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("training"))
        .put("best_epoch", "many"));
    BundleException e = assertThrows(BundleException.class, () -> BundleIO.readManifest(target));
    assertTrue(e.getMessage().contains("training.best_epoch"), e.getMessage());
    Path badSplit = withManifest(m -> ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("training").get("split"))
        .put("test_start", "yesterday"));
    e = assertThrows(BundleException.class, () -> BundleIO.readManifest(badSplit));
    assertTrue(e.getMessage().contains("training.split") && e.getMessage().contains("test_start"), e.getMessage());
    Path noVersion = withManifest(m -> m.remove("modelVersion"));
    e = assertThrows(BundleException.class, () -> BundleIO.readManifest(noVersion));
    assertTrue(e.getMessage().contains("modelVersion"), e.getMessage());
  }

  /**
   * A format 2 manifest without the validation schedule or the wide learning rate reads with them written out, the
   * values its trainer used; a format 3 manifest is read as written.
   */
  @Test
  void olderManifestsAreMigratedAtLoad() throws IOException {
    Map<String, Object> wideDeep = Map.of("learningRate", 0.003, "hidden", java.util.List.of(8));
    Path v2 = withManifest(m -> {
      m.put("formatVersion", 2);
      m.putPOJO("hyperparameters", Map.of("wide_deep", wideDeep));
    });
    Files.delete(v2.resolve(Bundle.MANIFEST_CHECKSUM));
    BundleManifest old = BundleIO.readManifest(v2);
    assertEquals(2, old.formatVersion());
    assertEquals(1, old.training().validationsPerEpoch());
    Map<?, ?> migrated = (Map<?, ?>) old.hyperparameters().get("wide_deep");
    assertEquals(1, migrated.get("validationsPerEpoch"));
    assertEquals(0, migrated.get("weightAverageDecay"));
    assertEquals(0, migrated.get("wideLearningRate"));
    assertEquals(0.003, migrated.get("learningRate"));

    Path v3 = withManifest(m -> m.putPOJO("hyperparameters", Map.of("wide_deep", wideDeep)));
    BundleManifest current = BundleIO.readManifest(v3);
    assertNull(current.training().validationsPerEpoch());
    assertEquals(wideDeep.keySet(), ((Map<?, ?>) current.hyperparameters().get("wide_deep")).keySet());
  }

  /** The typed records keep the manifest's keys: what is written reads back equal. */
  @Test
  void typedManifestRoundTrips() throws IOException {
    Bundle b = RandomBundles.create(3, 24);
    Provenance p = new Provenance("trainer 1.0", "0123456789ab", "17", "1.0.0-M2.1", "amd64", "/data", "own",
        java.util.List.of("banners.csv"));
    ModelMetrics metrics = new ModelMetrics(new ModelMetrics.SplitMetrics(0.7, 0.2, 10),
        new ModelMetrics.SplitMetrics(0.75, 0.19, 12), new ModelMetrics.RowCounts(100, 10, 12),
        Map.of("events.csv", new ModelMetrics.FileRows(50, 1)));
    BundleManifest m = b.manifest();
    BundleManifest typed = new BundleManifest(m.formatVersion(), m.modelVersion(), m.createdAt(), m.dataFingerprint(), p,
        m.hyperparameters(), m.negativeRate(), m.featureSpec(), metrics, m.training(), m.files());
    Path target = dir.resolve("typed");
    BundleIO.write(new Bundle(typed, b.vocab(), b.vectors(), b.weights(), b.catalog(), b.bannerStats(),
        b.bannerFirstLayer()), target, false);
    BundleManifest back = BundleIO.readManifest(target);
    assertEquals(p, back.provenance());
    assertEquals(metrics, back.metrics());
    assertEquals(m.training(), back.training());
    var json = BundleIO.json().readTree(target.resolve(Bundle.MANIFEST).toFile());
    assertEquals("0123456789ab", json.get("provenance").get("git_commit").asText());
    assertEquals(1, json.get("metrics").get("data_problems").get("events.csv").get("bad_rows").asInt());
    assertEquals("2026-03-15T00:00:00Z", json.get("training").get("split").get("test_start").asText());
  }
}
