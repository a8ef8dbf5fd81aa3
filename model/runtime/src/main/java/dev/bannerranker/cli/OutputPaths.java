package dev.bannerranker.cli;

import dev.bannerranker.bundle.Bundle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks an output path before a command does its work, so that a typo costs a second and a clear message rather
 * than a finished training run and a bare path, and so that {@code --force} can only ever replace a model bundle.
 */
public final class OutputPaths {
  private OutputPaths() {}

  /**
   * An output directory that is written into (created if missing): not empty, not a file, and under a writable
   * directory.
   *
   * @throws IllegalArgumentException naming the option and the reason
   */
  public static void checkDirectory(String option, Path dir) {
    checkNamed(option, dir);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + " " + dir + " is a file, not a directory");
    }
    if (Files.isDirectory(dir) && !Files.isWritable(dir)) {
      throw new IllegalArgumentException(option + " " + dir + ": permission denied (cannot write in it)");
    }
    checkParent(option, dir);
  }

  /**
   * A bundle directory that appears by an atomic rename: absent, or with {@code replace} an existing bundle (a
   * directory holding {@value Bundle#MANIFEST}); never anything else, and under a writable directory.
   *
   * @throws IllegalArgumentException naming the option and the reason
   */
  public static void checkBundleTarget(String option, Path target, boolean replace) {
    checkNamed(option, target);
    String problem = bundleTargetProblem(target, replace);
    if (problem != null) {
      throw new IllegalArgumentException(option + " " + target + " " + problem);
    }
    checkParent(option, target);
  }

  /**
   * Why {@code target} may not be written as a bundle (to follow its path in a message), or null: the one rule for
   * the CLI and for the writer.
   */
  public static String bundleTargetProblem(Path target, boolean replace) {
    if (!Files.exists(target)) {
      return null;
    }
    if (!replace) {
      return "exists; pass --force to replace it";
    }
    if (!Files.isDirectory(target) || !Files.isRegularFile(target.resolve(Bundle.MANIFEST))) {
      return "exists and is not a model bundle (no " + Bundle.MANIFEST + "); --force replaces only a "
          + "bundle, so remove it yourself or choose another directory";
    }
    return null;
  }

  private static void checkNamed(String option, Path p) {
    if (p.toString().isBlank()) {
      throw new IllegalArgumentException(option + " is empty; name a directory");
    }
  }

  /** The nearest existing ancestor must be a directory we can write in (the rest is created). */
  private static void checkParent(String option, Path p) {
    Path ancestor = p.toAbsolutePath().normalize().getParent();
    while (ancestor != null && !Files.exists(ancestor)) {
      ancestor = ancestor.getParent();
    }
    if (ancestor == null) {
      return;
    }
    if (!Files.isDirectory(ancestor)) {
      throw new IllegalArgumentException(option + " " + p + ": " + ancestor + " is a file, not a directory");
    }
    if (!Files.isWritable(ancestor)) {
      throw new IllegalArgumentException(option + " " + p + ": permission denied (cannot write in " + ancestor + ")");
    }
  }
}
