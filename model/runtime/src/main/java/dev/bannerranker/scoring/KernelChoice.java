package dev.bannerranker.scoring;

/** Chooses the kernels once, at class initialisation; the Panama class is only loaded when usable. */
final class KernelChoice {
  static final MatrixKernels PANAMA = loadPanama();
  static final MatrixKernels CHOSEN =
      PANAMA != null && !"scalar".equals(System.getProperty("ranker.kernels")) ? PANAMA : ScalarKernels.INSTANCE;

  private KernelChoice() {}

  private static MatrixKernels loadPanama() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      return (MatrixKernels) Class.forName("dev.bannerranker.scoring.PanamaKernels").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null; // the scalar kernels are always correct; the Vector API is only faster
    }
  }
}
