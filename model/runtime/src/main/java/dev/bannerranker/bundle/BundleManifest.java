package dev.bannerranker.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.scoring.NegativeSampling;
import java.util.Map;

/**
 * {@code manifest.json}: what a bundle is, where it came from and how to check it. A manifest read from disk is in the
 * current form whatever its format version: {@link ManifestMigration} fills in what older versions left implicit.
 *
 * @param formatVersion bundle layout version as written on disk; loaders refuse versions they do not know
 * @param modelVersion unique, human-readable id returned in every ranking response
 * @param createdAt ISO-8601 creation time
 * @param dataFingerprint SHA-256 over the input files the model was trained on
 * @param provenance the build and the data that trained the model
 * @param hyperparameters every training setting, as the trainer wrote it; the runtime does not interpret them (see
 *     {@link #hyperparameter})
 * @param negativeRate the share of non-clicks the network was trained on, every click kept (1: all rows); the scorer
 *     corrects its predictions back to the true click rate with it ({@link NegativeSampling})
 * @param featureSpec the feature definition serving must reproduce
 * @param metrics validation and test metrics measured at training time
 * @param training loss history, timings and the time split
 * @param files SHA-256 of every other file in the bundle
 */
public record BundleManifest(
    int formatVersion,
    String modelVersion,
    String createdAt,
    String dataFingerprint,
    Provenance provenance,
    Map<String, Object> hyperparameters,
    double negativeRate,
    FeatureSpec featureSpec,
    ModelMetrics metrics,
    TrainingRecord training,
    Map<String, String> files) {

  private static final ObjectMapper CONVERT = new ObjectMapper()
      .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public BundleManifest {
    provenance = provenance == null ? Provenance.of(null) : provenance;
    hyperparameters = hyperparameters == null ? Map.of() : hyperparameters;
    metrics = metrics == null ? ModelMetrics.NONE : metrics;
    if (!NegativeSampling.isValidRate(negativeRate)) {
      throw new IllegalArgumentException("negativeRate " + negativeRate + " is not in (0, 1]");
    }
  }

  public BundleManifest withFiles(Map<String, String> checksums) {
    return new BundleManifest(formatVersion, modelVersion, createdAt, dataFingerprint, provenance, hyperparameters,
        negativeRate, featureSpec, metrics, training, checksums);
  }

  public BundleManifest withMetrics(ModelMetrics m) {
    return new BundleManifest(formatVersion, modelVersion, createdAt, dataFingerprint, provenance, hyperparameters,
        negativeRate, featureSpec, m, training, files);
  }

  /**
   * One group of {@link #hyperparameters} as the trainer's own settings type, e.g. {@code ("wide_deep",
   * WideDeepConfig.class)}; a missing or malformed group is a {@link BundleException} naming it.
   */
  public <T> T hyperparameter(String key, Class<T> type) {
    Object raw = hyperparameters.get(key);
    if (raw == null) {
      throw new BundleException(Bundle.MANIFEST + ": hyperparameters." + key + " is missing");
    }
    try {
      return CONVERT.treeToValue(CONVERT.valueToTree(raw), type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new BundleException(Bundle.MANIFEST + ": hyperparameters." + key + " "
          + ManifestMigration.describe(e), e);
    }
  }
}
