package dev.bannerranker.serving.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Creator;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;

/**
 * {@code ranker.model}: where the bundles come from and how users are split between them.
 *
 * @param bundle control bundle directory; empty starts without a model (UNAVAILABLE until one is loaded)
 * @param treatmentBundle treatment bundle directory for A/B; empty means no treatment arm
 * @param treatmentPercent share of users, 0 to 100, served by the treatment arm while it has a model
 * @param abSalt salt of the stable user hash; changing it reshuffles the split
 * @param watch whether to watch the bundle directories and hot-swap newer bundles
 * @param watchInterval how often the watch looks at the directories
 * @param modelsRoot a models root ({@code <root>/<version>/}) to serve the control arm from instead of {@code bundle}
 * @param modelVersion with a models root: the version to serve; 0 serves the newest valid version and follows new ones
 */
@ConfigurationProperties("ranker.model")
public record ModelSettings(
    String bundle,
    String treatmentBundle,
    int treatmentPercent,
    String abSalt,
    boolean watch,
    Duration watchInterval,
    @Nullable String modelsRoot,
    @Nullable Long modelVersion) {

  /** Settings without a models root. */
  public ModelSettings(String bundle, String treatmentBundle, int treatmentPercent, String abSalt, boolean watch,
      Duration watchInterval) {
    this(bundle, treatmentBundle, treatmentPercent, abSalt, watch, watchInterval, null, null);
  }

  @Creator
  public ModelSettings {
    modelsRoot = modelsRoot == null ? "" : modelsRoot.trim();
    modelVersion = modelVersion == null ? 0L : modelVersion;
    if (modelVersion < 0) {
      throw new IllegalArgumentException("ranker.model.model-version must be a positive version, or 0 for the newest, "
          + "got " + modelVersion);
    }
    bundle = bundle == null ? "" : bundle.trim();
    treatmentBundle = treatmentBundle == null ? "" : treatmentBundle.trim();
    abSalt = abSalt == null ? "" : abSalt;
    if (treatmentPercent < 0 || treatmentPercent > 100) {
      throw new IllegalArgumentException("ranker.model.treatment-percent must be in [0, 100], got " + treatmentPercent);
    }
    if (watchInterval == null || watchInterval.isNegative() || watchInterval.isZero()) {
      watchInterval = Duration.ofSeconds(5);
    }
  }
}
