package dev.bannerranker.serving.model;

/** A rollback asked of an arm that has served only one model. */
public class NoPreviousModelException extends Exception {
  private static final long serialVersionUID = 1L;

  public NoPreviousModelException(String message) {
    super(message);
  }
}
