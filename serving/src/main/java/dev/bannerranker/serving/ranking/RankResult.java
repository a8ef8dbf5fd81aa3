package dev.bannerranker.serving.ranking;

import java.util.List;

/**
 * The answer to a {@link RankQuery}.
 *
 * @param requestId server-assigned id, also in the logs
 * @param modelVersion the model that served it
 * @param arm the A/B arm's label
 * @param banners best first
 */
public record RankResult(String requestId, String modelVersion, String arm, List<RankedItem> banners) {}
