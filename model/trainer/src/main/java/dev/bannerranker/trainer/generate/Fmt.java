package dev.bannerranker.trainer.generate;

import java.time.LocalDate;

/** Fast, allocation-light text formatting for the CSV cells. Not thread-safe (caches the last date). */
final class Fmt {
  private static final long SECONDS_PER_DAY = 86_400;
  private static final int SIGNIFICANT_DIGITS = 6;
  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  private long cachedDay = Long.MIN_VALUE;
  private String cachedDate = "";

  /** ISO-8601 UTC with seconds, e.g. {@code 2026-03-02T08:15:30Z}. */
  String timestamp(long epochSeconds) {
    long day = Math.floorDiv(epochSeconds, SECONDS_PER_DAY);
    int secondOfDay = (int) Math.floorMod(epochSeconds, SECONDS_PER_DAY);
    if (day != cachedDay) {
      cachedDay = day;
      cachedDate = LocalDate.ofEpochDay(day).toString();
    }
    StringBuilder sb = new StringBuilder(20).append(cachedDate).append('T');
    two(sb, secondOfDay / 3600);
    sb.append(':');
    two(sb, secondOfDay / 60 % 60);
    sb.append(':');
    two(sb, secondOfDay % 60);
    return sb.append('Z').toString();
  }

  private static void two(StringBuilder sb, int v) {
    sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }

  /** A non-negative number of tenths as a decimal with one digit, e.g. 123 → {@code 12.3}. */
  static String tenths(int tenths) {
    return (tenths / 10) + "." + (tenths % 10);
  }

  /** A non-negative number of cents as a decimal with two digits, e.g. 125 → {@code 1.25}. */
  static String cents(int cents) {
    int frac = cents % 100;
    return (cents / 100) + (frac < 10 ? ".0" : ".") + frac;
  }

  /** {@code prefix} followed by {@code value} zero-padded to {@code width} digits, e.g. {@code bn-00042}. */
  static String id(String prefix, long value, int width) {
    String digits = Long.toString(value);
    StringBuilder sb = new StringBuilder(prefix.length() + Math.max(width, digits.length())).append(prefix);
    for (int i = digits.length(); i < width; i++) {
      sb.append('0');
    }
    return sb.append(digits).toString();
  }

  /** A probability in (0, 1) rounded to six significant digits: its text and the exact double of that text. */
  record Prob(String text, double value) {}

  /**
   * Rounds {@code p} (strictly between 1e-12 and 1) to six significant digits. The returned value is the double
   * nearest to the decimal text, so the text is exactly the probability a click is drawn from.
   */
  static Prob sixDigits(double p) {
    if (!(p > 1e-12 && p < 1)) {
      throw new IllegalArgumentException("probability out of range: " + p);
    }
    int exponent = (int) StrictMath.floor(StrictMath.log10(p)); // p = m.mmmmm × 10^exponent, exponent ≤ -1
    int shift = SIGNIFICANT_DIGITS - 1 - exponent;
    long mantissa = StrictMath.round(p * POW10[shift]);
    if (mantissa >= POW10[SIGNIFICANT_DIGITS]) { // log10 undershot, or rounding carried into a new digit
      shift--;
      mantissa = StrictMath.round(p * POW10[shift]);
    } else if (mantissa < POW10[SIGNIFICANT_DIGITS - 1]) { // log10 overshot
      shift++;
      mantissa = StrictMath.round(p * POW10[shift]);
    }
    while (mantissa % 10 == 0 && shift > 0) {
      mantissa /= 10;
      shift--;
    }
    double value = (double) mantissa / POW10[shift];
    String digits = Long.toString(mantissa);
    StringBuilder sb = new StringBuilder(shift + 2);
    if (digits.length() > shift) { // only when rounding reached 1 (excluded by the clamp on the logit)
      sb.append(digits, 0, digits.length() - shift).append('.').append(digits, digits.length() - shift, digits.length());
    } else {
      sb.append("0.");
      for (int i = digits.length(); i < shift; i++) {
        sb.append('0');
      }
      sb.append(digits);
    }
    return new Prob(sb.toString(), value);
  }
}
