package dev.bannerranker.serving.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestSettingsTest {
  private static RequestSettings at(String defaultTime) {
    return new RequestSettings(128, 500, 50, 10, 1000, defaultTime, Duration.ofMillis(3));
  }

  @Test
  void aDefaultTimeIsTheClockOfEveryRequestAndEachSettingKeepsItsOwn() {
    RequestSettings a = at("2026-03-10T12:00:00Z");
    RequestSettings b = at("2026-03-15T12:00:00Z");
    for (int i = 0; i < 3; i++) { // alternate, so a remembered parse of the other value cannot leak
      assertEquals(Instant.parse("2026-03-10T12:00:00Z").getEpochSecond(), a.nowSeconds());
      assertEquals(Instant.parse("2026-03-15T12:00:00Z").getEpochSecond(), b.nowSeconds());
    }
  }

  @Test
  void withoutADefaultTimeTheClockIsTheSystemClock() {
    long before = System.currentTimeMillis() / 1000;
    long now = at("").nowSeconds();
    assertTrue(now >= before && now <= System.currentTimeMillis() / 1000);
  }
}
