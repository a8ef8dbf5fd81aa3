package dev.bannerranker.bundle;

/** A bundle that cannot be written or loaded; the message names the directory, file and problem. */
public class BundleException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
