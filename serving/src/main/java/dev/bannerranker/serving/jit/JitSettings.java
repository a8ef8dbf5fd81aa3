package dev.bannerranker.serving.jit;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;

/**
 * {@code ranker.jit}: the JIT compiler threads' CPU priority ({@link CompilerThreadPriority}).
 *
 * @param lowerCompilerPriorityBy nice levels the compiler threads run below the process's other threads once
 *     {@code lowerCompilerPriorityAfter} has passed; 0 leaves them alone; default {@value #DEFAULT_BY}
 * @param lowerCompilerPriorityAfter how long after start the compiler keeps the process's priority, so that start-up
 *     compiles at full speed; default 60 s
 */
@ConfigurationProperties("ranker.jit")
public record JitSettings(@Nullable Integer lowerCompilerPriorityBy, @Nullable Duration lowerCompilerPriorityAfter) {
  /** At 10 nice levels below, a compiler thread gets about a tenth of a saturated core (Linux's CFS weights). */
  public static final int DEFAULT_BY = 10;
  public static final Duration DEFAULT_AFTER = Duration.ofSeconds(60);

  public JitSettings {
    lowerCompilerPriorityBy = lowerCompilerPriorityBy == null ? DEFAULT_BY : lowerCompilerPriorityBy;
    if (lowerCompilerPriorityBy < 0 || lowerCompilerPriorityBy > CompilerThreadPriority.MAX_NICE) {
      throw new IllegalArgumentException("ranker.jit.lower-compiler-priority-by must be 0 (off) to "
          + CompilerThreadPriority.MAX_NICE + ", got " + lowerCompilerPriorityBy);
    }
    lowerCompilerPriorityAfter = lowerCompilerPriorityAfter == null ? DEFAULT_AFTER : lowerCompilerPriorityAfter;
    if (lowerCompilerPriorityAfter.isNegative()) {
      throw new IllegalArgumentException("ranker.jit.lower-compiler-priority-after must be >= 0, got "
          + lowerCompilerPriorityAfter);
    }
  }
}
