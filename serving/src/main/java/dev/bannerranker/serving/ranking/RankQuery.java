package dev.bannerranker.serving.ranking;

import dev.bannerranker.data.Platform;
import java.util.List;

/**
 * A ranking request in domain terms. Field names in validation messages are the contract's.
 *
 * @param userId the shopper
 * @param placement the placement to fill
 * @param platform client platform, or null when unknown
 * @param slotCount slots the placement renders, 0 when unknown
 * @param locale page language tag, may be empty
 * @param timeSeconds request time in epoch seconds, or null for the server clock
 * @param candidateIds banners to rank; empty means every banner of the placement
 * @param numResults results wanted, 0 for the default
 * @param debug whether to explain each score
 * @param budget the request's deadline
 */
public record RankQuery(
    String userId,
    String placement,
    Platform platform,
    int slotCount,
    String locale,
    Long timeSeconds,
    List<String> candidateIds,
    int numResults,
    boolean debug,
    Budget budget) {

  public RankQuery {
    userId = userId == null ? "" : userId;
    placement = placement == null ? "" : placement;
    locale = locale == null ? "" : locale;
    candidateIds = candidateIds == null ? List.of() : List.copyOf(candidateIds);
    budget = budget == null ? Budget.unbounded() : budget;
  }
}
