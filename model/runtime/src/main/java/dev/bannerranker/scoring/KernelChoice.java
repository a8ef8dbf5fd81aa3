package dev.bannerranker.scoring;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the kernels once, at class initialisation; the Panama class is only loaded when usable. A fallback to the
 * scalar kernels is logged once, with its reason, since it makes scoring many times slower.
 */
final class KernelChoice {
  private static final Logger LOG = LoggerFactory.getLogger(KernelChoice.class);
  private static final String VECTOR_MODULE = "jdk.incubator.vector";

  static final MatrixKernels PANAMA = loadPanama();
  static final MatrixKernels CHOSEN = choose();

  private KernelChoice() {}

  private static MatrixKernels loadPanama() {
    if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
      LOG.warn("Scoring uses the scalar kernels: the JVM was started without --add-modules {}", VECTOR_MODULE);
      return null;
    }
    try {
      return (MatrixKernels) Class.forName("dev.bannerranker.scoring.PanamaKernels").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      // the scalar kernels are always correct; the Vector API is only faster
      LOG.warn("Scoring uses the scalar kernels: the Panama kernels did not load ({})", e.toString());
      return null;
    }
  }

  private static MatrixKernels choose() {
    if (PANAMA == null) {
      return ScalarKernels.INSTANCE; // logged by loadPanama
    }
    if ("scalar".equals(System.getProperty("ranker.kernels"))) {
      LOG.info("Scoring uses the scalar kernels: -Dranker.kernels=scalar");
      return ScalarKernels.INSTANCE;
    }
    return PANAMA;
  }
}
