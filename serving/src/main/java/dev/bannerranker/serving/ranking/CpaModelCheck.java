package dev.bannerranker.serving.ranking;

import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelListener;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns when {@code ranker.ordering.value: CPA} meets a model that predicts clicks only: every banner then falls back
 * to its bid per click, which an operator who configured CPA should hear about at load, not find in the revenue.
 */
public final class CpaModelCheck implements ModelListener {
  private static final Logger LOG = LoggerFactory.getLogger(CpaModelCheck.class);
  private final OrderingSettings.Value value;

  public CpaModelCheck(OrderingSettings.Value value) {
    this.value = value;
  }

  /** The warning for a model loaded under this ordering, or null when there is nothing to say. */
  static String warning(OrderingSettings.Value value, boolean modelPredictsConversions, String version) {
    if (value != OrderingSettings.Value.CPA || modelPredictsConversions) {
      return null;
    }
    return "ranker.ordering.value is CPA but model " + version + " predicts clicks only (trained without --objective "
        + "click+conversion): every banner is ordered by its bid per click";
  }

  @Override
  public void loaded(Arm arm, ModelGeneration generation, ModelGeneration previous) {
    String w = warning(value, generation.model().hasConversion(), generation.version());
    if (w != null) {
      LOG.atWarn().addKeyValue("arm", arm.label()).addKeyValue("model_version", generation.version()).log(w);
    }
  }

  @Override
  public void refused(Arm arm, Path dir, String reason) {}
}
