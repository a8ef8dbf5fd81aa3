package dev.bannerranker.serving.model;

/** A bundle that failed validation; the message says which check and why. The old model keeps serving. */
public class ModelRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  public ModelRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
