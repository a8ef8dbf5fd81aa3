package dev.bannerranker.serving.store;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The user store could not answer (down, too slow, an I/O error). Rank falls back to an answer without the user's
 * state; writes (RecordEvents, UpsertProfiles, DeleteUser) answer UNAVAILABLE so the caller can retry. An I/O failure,
 * so a command that meets it (serve at start, import) exits with the I/O exit code, 5.
 */
public class StoreUnavailableException extends UncheckedIOException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause instanceof IOException io ? io : new IOException(message, cause));
  }

  public StoreUnavailableException(String message) {
    super(message, new IOException(message));
  }
}
