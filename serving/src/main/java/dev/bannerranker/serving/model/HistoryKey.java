package dev.bannerranker.serving.model;

import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.features.Vocabularies;
import java.util.List;

/**
 * What a user's {@code UserHistory} depends on: the vocabularies its indices point into and the ring sizes.
 * Models with equal keys share user histories; a swap to a model with another key rebuilds them from the
 * users' recent activity.
 */
public record HistoryKey(List<String> brands, List<String> categories, List<String> banners, int maxEvents,
    int maxImpressions) {

  static HistoryKey of(Vocabularies v, FeatureSpec spec) {
    return new HistoryKey(v.brands().values(), v.categories().values(), v.banners().values(),
        spec.maxRecentEvents(), spec.maxRecentImpressions());
  }
}
