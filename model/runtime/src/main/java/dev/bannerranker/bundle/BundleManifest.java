package dev.bannerranker.bundle;

import dev.bannerranker.features.FeatureSpec;
import java.util.Map;

/**
 * {@code manifest.json}: what a bundle is, where it came from and how to check it.
 *
 * @param formatVersion bundle layout version; loaders refuse versions they do not know
 * @param modelVersion unique, human-readable id returned in every ranking response
 * @param createdAt ISO-8601 creation time
 * @param dataFingerprint SHA-256 over the input files the model was trained on
 * @param provenance trainer version, Java and DL4J versions, seed, input directory and format
 * @param hyperparameters every training setting
 * @param featureSpec the feature definition serving must reproduce
 * @param metrics validation and test metrics measured at training time
 * @param training per-epoch loss history
 * @param files SHA-256 of every other file in the bundle
 */
public record BundleManifest(
    int formatVersion,
    String modelVersion,
    String createdAt,
    String dataFingerprint,
    Map<String, Object> provenance,
    Map<String, Object> hyperparameters,
    FeatureSpec featureSpec,
    Map<String, Object> metrics,
    Map<String, Object> training,
    Map<String, String> files) {

  public BundleManifest withFiles(Map<String, String> checksums) {
    return new BundleManifest(formatVersion, modelVersion, createdAt, dataFingerprint, provenance, hyperparameters,
        featureSpec, metrics, training, checksums);
  }
}
