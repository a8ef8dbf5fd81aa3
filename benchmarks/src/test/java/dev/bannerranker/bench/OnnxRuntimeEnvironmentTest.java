package dev.bannerranker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A JVM that used ONNX Runtime leaves no extracted-library directory behind. */
class OnnxRuntimeEnvironmentTest {

  /** Loads ONNX Runtime and prints where it extracted its libraries. */
  public static final class Child {
    public static void main(String[] args) {
      OnnxRuntimeEnvironment.get();
      System.out.println(OnnxRuntimeEnvironment.extractedLibraries());
    }
  }

  @Test
  void theExtractedLibrariesGoAtExit() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Child.class.getName()).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
    String last = out.lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.contains("onnxruntime-java"), "the loader's directory was found: " + out);
    assertFalse(Files.exists(Path.of(last)), last + " is left behind");
  }

  @Test
  void theDirectoryIsFoundInThisVersion() {
    OnnxRuntimeEnvironment.get();
    Path dir = OnnxRuntimeEnvironment.extractedLibraries();
    assertNotNull(dir, "ONNX Runtime's loader changed: its directory is no longer found");
    assertTrue(Files.isDirectory(dir), dir.toString());
  }
}
