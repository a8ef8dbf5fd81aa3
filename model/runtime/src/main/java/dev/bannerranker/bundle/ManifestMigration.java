package dev.bannerranker.bundle;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bannerranker.features.FeatureEncoder;
import java.util.Collection;
import java.util.Map;

/**
 * The one place that knows how older manifests differ from the current form. {@link BundleIO#readManifest} reads the
 * raw JSON, checks its format version, migrates it here and only then maps it to {@link BundleManifest}, so no other
 * code branches on a bundle's format version or on which keys an older writer left out.
 *
 * <ul>
 *   <li>Format 1 manifests do not list the wide crosses: they read as {@link FeatureEncoder#WIDE_CROSSES_OF_FORMAT_1},
 *       the crosses they were trained with.
 *   <li>Format 1 and 2 manifests may lack the validation schedule (one validation per epoch, no weight average) and
 *       the wide weights' learning rate (0: Adam at a tenth of the deep rate, the wide rule of those bundles); they
 *       read with those values written out, so retraining their baselines repeats their training.
 *   <li>Format 1 to 3 manifests have no {@code negativeRate}: their networks trained on every row, so it reads as 1.
 *   <li>Format 1 to 4 manifests have no {@code featureSpec.sequenceAttention}; its absence means no sequence
 *       attention in every version, so they need nothing filled in.
 *   <li>Manifests written before the conversion tower had a wide penalty of its own lack {@code
 *       hyperparameters.wide_deep.l2WideConversion}: it reads as their {@code l2Wide}, the penalty that tower trained
 *       with (a trainer setting, so in every format version).
 * </ul>
 */
final class ManifestMigration {
  /** The first format whose feature spec lists its wide crosses (so a format 1 reader must refuse it). */
  static final int WIDE_CROSSES_LISTED_SINCE = 2;
  /** The first format that always records the validation schedule and the wide learning rate. */
  static final int SCHEDULE_RECORDED_SINCE = 3;
  /** The first format that records the share of non-clicks trained on (so an older reader must refuse it). */
  static final int NEGATIVE_RATE_RECORDED_SINCE = 4;

  private ManifestMigration() {}

  /** Brings {@code manifest}, written as {@code formatVersion}, to the current form in place. */
  static void toCurrent(ObjectNode manifest, int formatVersion) {
    if (formatVersion < WIDE_CROSSES_LISTED_SINCE && manifest.get("featureSpec") instanceof ObjectNode spec
        && !spec.has("wideCrosses")) {
      ArrayNode crosses = spec.putArray("wideCrosses");
      FeatureEncoder.WIDE_CROSSES_OF_FORMAT_1.forEach(crosses::add);
    }
    if (formatVersion < SCHEDULE_RECORDED_SINCE) {
      if (manifest.get("training") instanceof ObjectNode training) {
        putIfAbsent(training, "validations_per_epoch", 1);
      }
      if (manifest.get("hyperparameters") instanceof ObjectNode h && h.get("wide_deep") instanceof ObjectNode wd) {
        putIfAbsent(wd, "validationsPerEpoch", 1);
        putIfAbsent(wd, "weightAverageDecay", 0);
        putIfAbsent(wd, "wideLearningRate", 0);
      }
    }
    if (formatVersion < NEGATIVE_RATE_RECORDED_SINCE) {
      putIfAbsent(manifest, "negativeRate", 1);
    }
    if (manifest.get("hyperparameters") instanceof ObjectNode h && h.get("wide_deep") instanceof ObjectNode wd
        && !wd.has("l2WideConversion") && wd.has("l2Wide")) {
      wd.set("l2WideConversion", wd.get("l2Wide"));
    }

  }

  private static void putIfAbsent(ObjectNode node, String field, int value) {
    if (!node.has(field)) {
      node.put(field, value);
    }
  }

  /**
   * What is wrong with a field Jackson could not map, naming it by its path ({@code training.split.test_start}); the
   * input's own text is not echoed.
   */
  static String describe(Exception e) {
    if (!(e instanceof JsonMappingException j)) {
      return "is malformed: " + e.getMessage();
    }
    String path = path(j);
    String where = path.isEmpty() ? "" : path + " ";
    if (j instanceof ValueInstantiationException && j.getCause() != null) {
      return where + "is invalid: " + j.getCause().getMessage();
    }
    if (j instanceof MismatchedInputException m && m.getTargetType() != null) {
      return where + "has the wrong type (expected " + kind(m.getTargetType()) + ")";
    }
    return where + "is malformed: " + j.getOriginalMessage();
  }

  static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  static String kind(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (CharSequence.class.isAssignableFrom(type) || type.isEnum()) {
      return "a string";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "an object";
    }
    return type.getSimpleName();
  }
}
