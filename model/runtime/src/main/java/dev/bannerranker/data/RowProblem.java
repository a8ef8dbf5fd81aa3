package dev.bannerranker.data;

/** One malformed input row: which file, which line (1-based, header is line 1) and why. */
public record RowProblem(String file, long line, String reason) {
  @Override
  public String toString() {
    return file + ":" + line + ": " + reason;
  }
}
