package dev.bannerranker.data;

/** Input that cannot be used: a missing file, a wrong header, or too many malformed rows. */
public class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
