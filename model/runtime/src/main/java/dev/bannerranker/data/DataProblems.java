package dev.bannerranker.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects malformed rows while reading, and enforces the bad-row limit per file. Every problem is
 * kept, so nothing is dropped silently: callers print or write {@link #problems()}.
 */
public final class DataProblems {
  private final double maxBadFraction;
  private final List<RowProblem> problems = new ArrayList<>();
  private final Map<String, long[]> countsByFile = new LinkedHashMap<>(); // {rows, bad}

  /** @param maxBadFraction largest tolerated share of bad rows in one file, in [0, 1]. */
  public DataProblems(double maxBadFraction) {
    if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) {
      throw new IllegalArgumentException("max bad-row fraction must be in [0, 1], got " + maxBadFraction);
    }
    this.maxBadFraction = maxBadFraction;
  }

  /** Counts one row read from {@code file} (good or bad); the limit is a share of these. */
  public void countRow(String file) {
    countsByFile.computeIfAbsent(file, f -> new long[2])[0]++;
  }

  /** A reason longer than this is cut: it quotes the bad cell, which may be a whole file's worth of text. */
  static final int MAX_REASON_CHARS = 300;

  /** Records one bad row. */
  public void report(String file, long line, String reason) {
    if (reason != null && reason.length() > MAX_REASON_CHARS) {
      reason = reason.substring(0, MAX_REASON_CHARS) + "... (" + reason.length() + " characters)";
    }
    problems.add(new RowProblem(file, line, reason));
    countsByFile.computeIfAbsent(file, f -> new long[2])[1]++;
  }

  /** How many problems an error message or a console summary lists; the rest are in the problems file. */
  public static final int FIRST_SHOWN = 20;

  /**
   * Too many malformed rows in one file. It carries every problem collected so far, so that the caller can still
   * write them all out before failing.
   */
  public static final class TooManyBadRows extends BadInputException {
    private static final long serialVersionUID = 1L;
    private final transient List<RowProblem> problems;

    TooManyBadRows(String message, List<RowProblem> problems) {
      super(message);
      this.problems = List.copyOf(problems);
    }

    public List<RowProblem> problems() {
      return problems;
    }
  }

  /** Throws {@link TooManyBadRows} when the file's bad share exceeds the limit. */
  public void checkLimit(String file) {
    long[] c = countsByFile.getOrDefault(file, new long[2]);
    if (c[0] == 0) {
      return;
    }
    double share = (double) c[1] / c[0];
    if (share > maxBadFraction) {
      StringBuilder msg = new StringBuilder()
          .append(file).append(": ").append(c[1]).append(" of ").append(c[0])
          .append(" rows are malformed (").append(percent(share))
          .append("), above the limit of ").append(percent(maxBadFraction))
          .append(". First problems:");
      problems.stream().filter(p -> p.file().equals(file)).limit(FIRST_SHOWN)
          .forEach(p -> msg.append("\n  ").append(p));
      throw new TooManyBadRows(msg.toString(), problems);
    }
  }

  /** Appends what {@code other} collected (files read on another thread), after this one's. */
  public void addAll(DataProblems other) {
    problems.addAll(other.problems);
    other.countsByFile.forEach((file, c) -> {
      long[] mine = countsByFile.computeIfAbsent(file, f -> new long[2]);
      mine[0] += c[0];
      mine[1] += c[1];
    });
  }

  public List<RowProblem> problems() {
    return Collections.unmodifiableList(problems);
  }

  /**
   * Puts the problems in reading order: files in the order they were first counted, each by line. A reader that
   * finds some problems only after the whole file (a repeated id found by an external sort) reports them like one
   * that found them row by row.
   */
  public void orderByLine() {
    List<String> files = new ArrayList<>(countsByFile.keySet());
    problems.sort(java.util.Comparator.<RowProblem>comparingInt(p -> {
      int i = files.indexOf(p.file());
      return i < 0 ? Integer.MAX_VALUE : i;
    }).thenComparingLong(RowProblem::line));
  }

  public long badRows() {
    return problems.size();
  }

  public double maxBadFraction() {
    return maxBadFraction;
  }

  /** Rows read and rows rejected per file, in reading order. */
  public Map<String, long[]> countsByFile() {
    Map<String, long[]> copy = new LinkedHashMap<>();
    countsByFile.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  /** A share as a percentage with enough digits that a small nonzero one does not print as 0.00%. */
  static String percent(double share) {
    double pct = 100 * share;
    if (pct == 0 || pct >= 0.01) {
      return String.format(java.util.Locale.ROOT, "%.2f%%", pct);
    }
    return new java.math.BigDecimal(pct).round(new java.math.MathContext(2)).toPlainString() + "%";
  }
}
