package dev.bannerranker.serving.ranking;

/** No model is loaded for the user's arm; the client should retry later. */
public class NoModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NoModelException(String message) {
    super(message);
  }
}
