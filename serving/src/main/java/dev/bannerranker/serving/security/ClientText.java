package dev.bannerranker.serving.security;

/**
 * The one way client-supplied text enters a status message or a log line: quoted, control characters escaped, and
 * cut to {@link #MAX_CHARS} characters with the full length said, so a megabyte id cannot make a megabyte message.
 */
public final class ClientText {
  /** Most characters of one client value that are repeated back. */
  public static final int MAX_CHARS = 64;

  private ClientText() {}

  /** {@code value} in single quotes, escaped and cut, e.g. {@code 'abc…' (70000 characters)}. */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    int shown = Math.min(value.length(), MAX_CHARS);
    if (shown < value.length() && Character.isHighSurrogate(value.charAt(shown - 1))) {
      shown--; // never half a character
    }
    StringBuilder b = new StringBuilder(shown + 32).append('\'');
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append(shown < value.length() ? "…' (" + value.length() + " characters)" : "'");
    return b.toString();
  }

  /** {@code message} cut to {@code max} characters: the last guard on a status description. */
  public static String cap(String message, int max) {
    if (message == null || message.length() <= max) {
      return message;
    }
    return message.substring(0, max) + "… (cut at " + max + " characters)";
  }
}
