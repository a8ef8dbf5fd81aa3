package dev.bannerranker.trainer.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bannerranker.bundle.BundleException;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.bundle.Checksums;
import dev.bannerranker.bundle.TensorFile;
import dev.bannerranker.bundle.TensorFile.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bundle {@code train --format sessions} writes: item vectors only, no click model. Files:
 * <ul>
 *   <li>{@code manifest.json} ({@code kind} {@value #KIND}): provenance, the item2vec hyperparameters (tuned or
 *       not), the time split, the tuning trials and the validation figures, and the other files' SHA-256;
 *   <li>{@code manifest.sha256}: the manifest's own SHA-256, as in the click-model bundle;
 *   <li>{@code items.json}: {@code {"items": [...], "categories": [...]}}, the items with a vector, in row order, and
 *       each one's category ("" when the log named none);
 *   <li>{@code item_vectors.bin}: the tensors {@code item2vec.item} (the input vectors, items × dimension) and
 *       {@code item2vec.item_out} (the output, or context, vectors, same shape) in the bundle's tensor format.
 * </ul>
 * Format 1 had no output vectors; such a bundle still loads, with {@code outputs} null, and is scored by cosine.
 */
public record ItemVectorBundle(Map<String, Object> manifest, List<String> items, List<String> categories,
    float[][] vectors, float[][] outputs) {

  public static final String KIND = "item_vectors";
  public static final int FORMAT_VERSION = 2;
  /** The format without output vectors, still read. */
  public static final int INPUT_ONLY_FORMAT_VERSION = 1;
  public static final String MANIFEST = "manifest.json";
  public static final String MANIFEST_CHECKSUM = "manifest.sha256";
  public static final String ITEMS = "items.json";
  public static final String VECTORS = "item_vectors.bin";
  static final String TENSOR = "item2vec.item";
  static final String OUTPUT_TENSOR = "item2vec.item_out";

  /** Whether {@code dir} holds an item-vector bundle rather than a click-model one. */
  public static boolean isOne(Path dir) {
    return Files.isRegularFile(dir.resolve(ITEMS)) && Files.isRegularFile(dir.resolve(MANIFEST));
  }

  public Map<String, Integer> indexById() {
    Map<String, Integer> m = new java.util.HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      m.put(items.get(i), i);
    }
    return m;
  }

  /** Writes to a temporary sibling and renames it into place, so readers never see half a bundle. */
  public void write(Path target, boolean replace, Map<String, Path> extraFiles) throws IOException {
    BundleIO.writeSealed(target, replace, extraFiles, new BundleIO.Contents() {
      @Override
      public void writeFiles(Path dir) throws IOException {
        Map<String, Object> names = new LinkedHashMap<>();
        names.put("items", items);
        names.put("categories", categories);
        BundleIO.json().writeValue(dir.resolve(ITEMS).toFile(), names);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put(TENSOR, Tensor.matrix(vectors));
        if (outputs != null) {
          tensors.put(OUTPUT_TENSOR, Tensor.matrix(outputs));
        }
        TensorFile.write(dir.resolve(VECTORS), tensors);
      }

      @Override
      public byte[] manifest(Map<String, String> checksums) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>(manifest);
        m.put("files", checksums);
        return BundleIO.json().writeValueAsBytes(m);
      }
    });
  }

  /** Loads and checks the seal, every checksum and the tensor's shape. */
  @SuppressWarnings("unchecked")
  public static ItemVectorBundle load(Path dir) {
    Path file = dir.resolve(MANIFEST);
    try {
      byte[] bytes = Files.readAllBytes(file);
      String seal = Files.readString(dir.resolve(MANIFEST_CHECKSUM), StandardCharsets.UTF_8);
      if (!seal.equals(BundleIO.sealLine(bytes))) {
        throw new BundleException(file + ": checksum mismatch with " + MANIFEST_CHECKSUM
            + "; the manifest was changed after it was written");
      }
      Map<String, Object> m = BundleIO.json().readValue(bytes, Map.class);
      if (!KIND.equals(m.get("kind"))) {
        throw new BundleException(file + ": not an item-vector bundle (kind is " + m.get("kind") + ")");
      }
      if (!(m.get("formatVersion") instanceof Integer version)
          || (version != FORMAT_VERSION && version != INPUT_ONLY_FORMAT_VERSION)) {
        throw new BundleException(file + ": item-vector bundle format version " + m.get("formatVersion")
            + " is not supported; this build reads versions " + INPUT_ONLY_FORMAT_VERSION + " and " + FORMAT_VERSION);
      }
      Map<String, String> files = (Map<String, String>) m.get("files");
      for (String f : List.of(ITEMS, VECTORS)) {
        String expected = files == null ? null : files.get(f);
        if (expected == null || !Files.exists(dir.resolve(f))) {
          throw new BundleException(dir.resolve(f) + ": missing bundle file or checksum");
        }
        if (!expected.equals(Checksums.sha256(dir.resolve(f)))) {
          throw new BundleException(dir.resolve(f) + ": checksum mismatch; the bundle is corrupt");
        }
      }
      JsonNode names = BundleIO.json().readTree(dir.resolve(ITEMS).toFile());
      List<String> items = new ArrayList<>();
      names.path("items").forEach(n -> items.add(n.asText()));
      List<String> categories = new ArrayList<>();
      names.path("categories").forEach(n -> categories.add(n.asText()));
      Map<String, Tensor> tensors = TensorFile.read(dir.resolve(VECTORS));
      Tensor t = tensors.get(TENSOR);
      if (t == null || t.shape().length != 2 || t.shape()[0] != items.size() || categories.size() != items.size()) {
        throw new BundleException(dir + ": inconsistent bundle: " + items.size() + " items, " + categories.size()
            + " categories and a vector tensor of another shape");
      }
      float[][] outputs = null;
      if (version == FORMAT_VERSION) {
        Tensor o = tensors.get(OUTPUT_TENSOR);
        if (o == null || !java.util.Arrays.equals(o.shape(), t.shape())) {
          throw new BundleException(dir.resolve(VECTORS) + ": tensor " + OUTPUT_TENSOR + " is missing or not shaped "
              + "like " + TENSOR);
        }
        outputs = items.isEmpty() ? new float[0][] : o.asMatrix();
      }
      return new ItemVectorBundle(m, List.copyOf(items), List.copyOf(categories),
          items.isEmpty() ? new float[0][] : t.asMatrix(), outputs);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new BundleException(dir + ": missing bundle file " + e.getFile());
    } catch (IOException e) {
      throw new BundleException(dir + ": cannot read the bundle: " + e.getMessage(), e);
    }
  }
}
