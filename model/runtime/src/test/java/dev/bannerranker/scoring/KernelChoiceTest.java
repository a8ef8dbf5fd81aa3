package dev.bannerranker.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which kernels a JVM gets, and that a fallback to the scalar ones is logged once, in a fresh JVM each. */
class KernelChoiceTest {
  /** The child JVM: asks for the kernels twice and prints which it got. */
  public static void main(String[] args) {
    System.out.println("kernels " + MatrixKernels.get().getClass().getSimpleName());
    System.out.println("kernels " + MatrixKernels.get().getClass().getSimpleName());
  }

  @Test
  void withoutTheVectorModuleTheScalarKernelsRunAndTheFallbackIsLoggedOnce() throws Exception {
    List<String> out = child();
    assertEquals(List.of("kernels ScalarKernels", "kernels ScalarKernels"), kernelLines(out));
    assertEquals(1, logLines(out, "WARN"), String.join("\n", out));
    assertEquals(1, logLines(out, ""), String.join("\n", out));
  }

  @Test
  void forcedScalarKernelsAreLoggedOnceAsInfo() throws Exception {
    List<String> out = child("--add-modules", "jdk.incubator.vector", "-Dranker.kernels=scalar");
    assertEquals(List.of("kernels ScalarKernels", "kernels ScalarKernels"), kernelLines(out));
    assertEquals(1, logLines(out, "INFO"), String.join("\n", out));
    assertEquals(1, logLines(out, ""), String.join("\n", out));
  }

  @Test
  void withTheVectorModuleThePanamaKernelsRunAndNothingIsLogged() throws Exception {
    List<String> out = child("--add-modules", "jdk.incubator.vector");
    assertEquals(List.of("kernels PanamaKernels", "kernels PanamaKernels"), kernelLines(out));
    assertEquals(0, logLines(out, ""), String.join("\n", out));
  }

  private static List<String> child(String... jvmArgs) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(jvmArgs));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelChoiceTest.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
      assertEquals(0, p.exitValue(), text);
      return text.lines().toList();
    } finally {
      p.destroyForcibly();
    }
  }

  private static List<String> kernelLines(List<String> out) {
    return out.stream().filter(l -> l.startsWith("kernels ")).toList();
  }

  /** Lines that KernelChoice logged at this level ("" for any). */
  private static long logLines(List<String> out, String level) {
    return out.stream().filter(l -> l.contains("KernelChoice") && l.contains(level)).count();
  }
}
