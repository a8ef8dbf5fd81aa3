package dev.bannerranker.data;

/** A cell that fails its column's rule; names the column, so callers outside a file (an RPC) can name the field. */
public class BadCellException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String column;

  public BadCellException(String column, String message) {
    super(message);
    this.column = column;
  }

  /** The column whose value is bad, as the table's header spells it. */
  public String column() {
    return column;
  }
}
