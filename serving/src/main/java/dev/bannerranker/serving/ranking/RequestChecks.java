package dev.bannerranker.serving.ranking;

import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.model.ModelGeneration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

  /** Everything but the user id, which is checked before the model is chosen. */
  static void rank(RankQuery q, ModelGeneration g, RequestSettings limits) {
    if (q.placement().isEmpty()) {
      throw new InvalidRequestException("context.placement", "context.placement is required; one of " + g.placements());
    }
    if (!g.placements().contains(q.placement())) {
      throw new InvalidRequestException("context.placement", "context.placement '" + q.placement()
          + "' is not a placement of the catalog; one of " + g.placements());
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
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      if (g.banner(id) == null) {
        throw new InvalidRequestException("candidate_banner_ids", "candidate_banner_ids[" + i + "] '" + id
            + "' is not in the catalog of model " + g.version());
      }
      if (!seen.add(id)) {
        throw new InvalidRequestException("candidate_banner_ids", "candidate_banner_ids[" + i + "] '" + id
            + "' is repeated");
      }
    }
  }
}
