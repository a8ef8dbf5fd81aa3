package dev.bannerranker.trainer.pipeline;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work the pipelines run beside the main thread. */
final class Background {
  private Background() {}

  /**
   * The task's result; a runtime exception it threw is rethrown as is (bad input keeps its own message), anything
   * else is wrapped with {@code what} named.
   */
  static <T> T await(Future<T> task, String what) {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    }
  }
}
