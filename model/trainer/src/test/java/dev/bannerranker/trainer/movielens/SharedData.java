package dev.bannerranker.trainer.movielens;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test helper: the shared MovieLens 100K folder. It is research-use data that must never be copied into
 * the repository, so tests read it in place and skip when it is absent.
 */
final class SharedData {
  private SharedData() {}

  /** {@code shared.data.dir} (set by surefire), else {@code ../../../shared/data} from the module. */
  static Path dir() {
    String prop = System.getProperty("shared.data.dir");
    return (prop == null || prop.isBlank() ? Path.of("../../../shared/data") : Path.of(prop)).normalize();
  }

  /** The MovieLens 100K folder; skips the calling test when any of its three files is missing. */
  static Path movieLensOrSkip() {
    Path ml = dir().resolve("movielens-100k").toAbsolutePath().normalize();
    boolean present = Files.isRegularFile(ml.resolve(MovieLensReader.RATINGS_FILE))
        && Files.isRegularFile(ml.resolve(MovieLensReader.MOVIES_FILE))
        && Files.isRegularFile(ml.resolve(MovieLensReader.USERS_FILE));
    String reason = "MovieLens 100K not found at " + ml + " (set -Dshared.data.dir); skipping real-data test";
    if (!present) {
      // surefire keeps an assumption's message in its XML report only; the console should say why too
      System.err.println("[SKIPPED] " + callingTest() + ": " + reason);
    }
    assumeTrue(present, reason);
    return ml;
  }

  /** {@code Class.method} of the test that asked for the data. */
  private static String callingTest() {
    return StackWalker.getInstance().walk(frames -> frames
        .filter(f -> f.getClassName().endsWith("Test"))
        .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
        .findFirst().orElse("a test"));
  }
}
