package dev.bannerranker.serving.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JitSettingsTest {
  @Test
  void defaultsAndRangeChecks() {
    JitSettings defaults = new JitSettings(null, null);
    assertEquals(10, defaults.lowerCompilerPriorityBy());
    assertEquals(Duration.ofSeconds(60), defaults.lowerCompilerPriorityAfter());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> new JitSettings(-1, null));
    assertTrue(negative.getMessage().contains("ranker.jit.lower-compiler-priority-by"), negative.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new JitSettings(20, null));
    IllegalArgumentException after =
        assertThrows(IllegalArgumentException.class, () -> new JitSettings(10, Duration.ofSeconds(-1)));
    assertTrue(after.getMessage().contains("ranker.jit.lower-compiler-priority-after"), after.getMessage());
  }

  @Test
  void boundFromConfigurationAndOffLeavesTheCompilerAlone() {
    try (ApplicationContext ctx = ApplicationContext.run(Map.of("ranker.jit.lower-compiler-priority-after", "7s"),
        "test")) {
      JitSettings settings = ctx.getBean(JitSettings.class);
      // the test profile turns it off, so that the test JVM's compiler keeps its priority
      assertEquals(0, settings.lowerCompilerPriorityBy());
      assertEquals(Duration.ofSeconds(7), settings.lowerCompilerPriorityAfter());
      assertFalse(ctx.getBean(CompilerThreadPriority.class).scheduled(), "off: no check is scheduled");
    }
  }
}
