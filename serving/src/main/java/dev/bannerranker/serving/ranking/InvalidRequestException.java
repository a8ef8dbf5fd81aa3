package dev.bannerranker.serving.ranking;

/** A client's mistake; the message names the field, as the contract spells it. */
public class InvalidRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidRequestException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The offending field's path, e.g. {@code context.placement}. */
  public String field() {
    return field;
  }
}
