package dev.bannerranker.serving.store;

/**
 * The user store could not answer (down, too slow, an I/O error). Rank falls back to an answer without the user's
 * state; writes (RecordEvents, UpsertProfiles, DeleteUser) answer UNAVAILABLE so the caller can retry.
 */
public class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreUnavailableException(String message) {
    super(message);
  }
}
