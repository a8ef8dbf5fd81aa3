package dev.bannerranker.serving.ranking;

import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.security.ClientText;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** Request validation. Every failure is an {@link InvalidRequestException} naming the field. */
final class RequestChecks {
  /** Longest BCP 47 tag in common use is well below this. */
  static final int MAX_LOCALE_LENGTH = 35;

  private RequestChecks() {}

  static void userId(String field, String id, RequestSettings limits) {
    if (id.isEmpty()) {
      throw new InvalidRequestException(field, field + " must not be empty");
    }
    if (id.length() > limits.maxUserIdLength()) {
      throw new InvalidRequestException(field, field + " has " + id.length() + " characters, more than the limit of "
          + limits.maxUserIdLength());
    }
  }

  static void notNegative(String field, int value) {
    if (value < 0) {
      throw new InvalidRequestException(field, field + " must not be negative, got " + value);
    }
  }

  /**
   * Everything but the user id, which is checked before the model is chosen.
   *
   * @return the candidate banners, resolved in the model's catalog, in request order (empty when none were given)
   */
  static List<BannerFeatures> rank(RankQuery q, ModelGeneration g, RequestSettings limits) {
    if (q.placement().isEmpty()) {
      throw new InvalidRequestException("context.placement", "context.placement is required; one of " + g.placements());
    }
    if (!g.placements().contains(q.placement())) {
      throw new InvalidRequestException("context.placement", "context.placement " + ClientText.quote(q.placement())
          + " is not a placement of the catalog; one of " + g.placements());
    }
    notNegative("context.slot_count", q.slotCount());
    notNegative("num_results", q.numResults());
    if (q.locale().length() > MAX_LOCALE_LENGTH) {
      throw new InvalidRequestException("context.locale", "context.locale has " + q.locale().length()
          + " characters, more than the limit of " + MAX_LOCALE_LENGTH);
    }
    List<String> ids = q.candidateIds();
    if (ids.size() > limits.maxCandidates()) {
      throw new InvalidRequestException("candidate_banner_ids", "candidate_banner_ids has " + ids.size()
          + " ids, more than the limit of " + limits.maxCandidates());
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    // One catalog lookup per id; repeats are found by banner index, which the catalog makes unique.
    List<BannerFeatures> banners = new ArrayList<>(ids.size());
    BitSet seen = RankScratch.get().seen;
    try {
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        BannerFeatures b = g.banner(id);
        if (b == null) {
          throw new InvalidRequestException("candidate_banner_ids", "candidate_banner_ids[" + i + "] "
              + ClientText.quote(id) + " is not in " + g.catalogName());
        }
        if (seen.get(b.index())) {
          throw new InvalidRequestException("candidate_banner_ids", "candidate_banner_ids[" + i + "] "
              + ClientText.quote(id) + " is repeated");
        }
        seen.set(b.index());
        banners.add(b);
      }
    } finally {
      seen.clear();
    }
    return banners;
  }
}
