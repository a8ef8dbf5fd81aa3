package dev.bannerranker.bundle;

import dev.bannerranker.data.Banner;
import dev.bannerranker.features.FeatureEncoder;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.scoring.WideDeepWeights;
import java.util.List;
import java.util.Map;

/**
 * Everything in a model bundle, in memory and immutable by convention (arrays are never written after
 * load). {@code bannerStats} maps banner id to {@code {impressions, clicks}} of the training window.
 * {@code bannerFirstLayer[bannerIdx]} is the banner block's contribution to the first hidden layer.
 */
public record Bundle(
    BundleManifest manifest,
    Vocabularies vocab,
    ItemVectors vectors,
    WideDeepWeights weights,
    List<Banner> catalog,
    Map<String, long[]> bannerStats,
    float[][] bannerFirstLayer) {

  /**
   * The format this build writes. Version 2 lists the wide crosses in the feature spec; a build that reads only
   * version 1 would ignore that list and score with the older crosses, so it must refuse these bundles. What older
   * versions leave out is filled in at load by {@link ManifestMigration}. Version 4 records the share of non-clicks
   * the network was trained on; a version 3 reader would serve such a model uncorrected, so it must refuse it. Version
   * 5 may hold sequence attention ({@code featureSpec.sequenceAttention}, absent when the network has none), which a
   * version 4 reader would not score, so it must refuse these bundles.
   */
  public static final int FORMAT_VERSION = 5;
  /**
   * Version 3 seals the manifest itself: {@link #MANIFEST_CHECKSUM} holds its SHA-256, so a hand-edited or damaged
   * manifest (still valid JSON: its metrics, spec or the other files' checksums) is refused like any other file.
   * Older bundles have no seal and still load.
   */
  public static final int MANIFEST_SEALED_SINCE = 3;
  /** The oldest format this build still reads: version 1 bundles read as the six wide crosses they were trained with. */
  public static final int OLDEST_READABLE_FORMAT_VERSION = 1;

  public static final String MANIFEST = "manifest.json";
  /** The manifest's SHA-256 in {@code sha256sum} format, so {@code sha256sum -c manifest.sha256} checks it too. */
  public static final String MANIFEST_CHECKSUM = "manifest.sha256";
  public static final String VOCAB = "vocab.json";
  public static final String EMBEDDINGS = "embeddings.bin";
  public static final String NETWORK = "network.bin";
  public static final String BANNER_FIRST_LAYER = "banner_first_layer.bin";
  public static final String BANNERS = "banners.csv";
  public static final String BANNER_STATS = "banner_stats.csv";

  /** Every file besides the manifest and its seal; each has a checksum in the manifest. */
  public static final List<String> DATA_FILES =
      List.of(VOCAB, EMBEDDINGS, NETWORK, BANNER_FIRST_LAYER, BANNERS, BANNER_STATS);

  public FeatureSpec spec() {
    return manifest.featureSpec();
  }

  public FeatureEncoder encoder() {
    return new FeatureEncoder(manifest.featureSpec());
  }

  public String modelVersion() {
    return manifest.modelVersion();
  }
}
