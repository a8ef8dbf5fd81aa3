package dev.bannerranker.loop;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the loop commands' option values, with messages that name the option. */
public final class CliValues {
  private CliValues() {}

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  /** {@code 30m}, {@code 45s}, {@code 2h}, {@code 1d}, {@code 500ms}, or ISO-8601 such as {@code PT30M}. */
  public static Duration duration(String option, String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(value.trim());
    } catch (DateTimeParseException | NullPointerException e) {
      throw new IllegalArgumentException(option + " must be a duration like 30m, 2h or PT30M, got '"
          + shorten(value) + "'");
    }
  }

  /** An ISO-8601 instant ({@code 2026-03-16T00:00:00Z}) or a UTC date ({@code 2026-03-16}, its midnight). */
  public static Instant instant(String option, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      try {
        return LocalDate.parse(value.trim()).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException(option + " must be an ISO-8601 time like 2026-03-16T00:00:00Z or a date "
            + "like 2026-03-16, got '" + shorten(value) + "'");
      }
    }
  }

  /** A file to write: not a directory, in an existing directory. */
  public static void checkOutputFile(String option, java.nio.file.Path file) {
    java.nio.file.Path parent = file.toAbsolutePath().getParent();
    if (java.nio.file.Files.isDirectory(file)) {
      throw new IllegalArgumentException(option + " " + file + " is a directory, not a file");
    }
    if (parent != null && !java.nio.file.Files.isDirectory(parent)) {
      throw new IllegalArgumentException(option + " " + file + ": its directory does not exist");
    }
  }

  static String shorten(String s) {
    return s == null ? "" : s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }
}
