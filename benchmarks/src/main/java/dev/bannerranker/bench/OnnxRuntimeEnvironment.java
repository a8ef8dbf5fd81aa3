package dev.bannerranker.bench;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * ONNX Runtime's environment, with its native-library directory removed at exit. ONNX Runtime extracts its libraries
 * into a fresh {@code onnxruntime-java*} directory under the temporary directory and marks it for deletion before the
 * provider library inside it, so the JVM's own exit cleanup leaves the directory behind on every run.
 */
final class OnnxRuntimeEnvironment {
  private static boolean hooked;

  private OnnxRuntimeEnvironment() {}

  static synchronized OrtEnvironment get() {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    if (!hooked) {
      hooked = true;
      Path dir = extractedLibraries();
      if (dir != null) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "onnxruntime-cleanup"));
      }
    }
    return env;
  }

  /** The directory ONNX Runtime extracted into (a private field of its loader); null when it cannot be found. */
  static Path extractedLibraries() {
    try {
      var field = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
      field.setAccessible(true);
      return field.get(null) instanceof Path p && p.getFileName().toString().startsWith("onnxruntime-java") ? p : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // another ONNX Runtime version: its directory stays, as without this class
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // at exit there is nobody to tell
    }
  }
}
