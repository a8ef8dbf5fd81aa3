package dev.bannerranker.serving.ranking;

/** The request's deadline passed before ranking started. */
public class DeadlineExpiredException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DeadlineExpiredException(String message) {
    super(message);
  }
}
