package dev.bannerranker.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.serving.ranking.RankResult;
import dev.bannerranker.serving.ranking.RankedItem;
import dev.bannerranker.serving.ranking.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoMapperRankTest {
  @Test
  void thePredictedConversionRateIsSetOnlyWhenTheModelHasOne() {
    RankResponse r = ProtoMapper.response(new RankResult("r", "m", "control", List.of(
        new RankedItem("b1", "x", 0.2, 4.0, 0.05, Reason.PERSONALIZED, 1.0, null, 0.125),
        new RankedItem("b2", "y", 0.1, 2.0, 0.05, Reason.PERSONALIZED, 1.0, null))));
    assertTrue(r.getBanners(0).hasPredictedCvr());
    assertEquals(0.125, r.getBanners(0).getPredictedCvr());
    assertFalse(r.getBanners(1).hasPredictedCvr());
  }
}
