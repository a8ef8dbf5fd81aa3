package dev.bannerranker.serving;

import dev.bannerranker.serving.config.EligibilitySettings;
import dev.bannerranker.serving.config.OrderingSettings;
import dev.bannerranker.serving.config.RequestSettings;
import dev.bannerranker.serving.config.UserSettings;
import java.time.Duration;
import java.util.List;

/** Settings for tests of the plain-Java pipeline, mirroring application.yml with the test clock. */
public final class TestSettings {
  private TestSettings() {}

  public static RequestSettings request() {
    return request(Duration.ofMillis(3));
  }

  public static RequestSettings request(Duration minScoringTime) {
    return new RequestSettings(128, 500, 50, 10, 1000, "2026-03-10T12:00:00Z", minScoringTime);
  }

  public static UserSettings users() {
    return new UserSettings("", false, 64, 10_000, Duration.ofHours(1));
  }

  public static EligibilitySettings eligibility(int cap, List<String> pinned, List<String> blocked) {
    return new EligibilitySettings(cap, pinned, blocked);
  }

  public static OrderingSettings ordering(OrderingSettings.Diversity diversity, double explorationShare) {
    return new OrderingSettings(OrderingSettings.Value.BID, diversity, 1, 0.7, explorationShare, 50, 7L);
  }
}
