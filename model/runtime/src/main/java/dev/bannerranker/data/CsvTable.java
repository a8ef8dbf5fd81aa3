package dev.bannerranker.data;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads one CSV table with a fixed header. Each row goes through a parser; a row that fails becomes a
 * {@link RowProblem} with file, line and reason, and the table fails as a whole only when the bad share
 * passes the limit.
 */
public final class CsvTable {
  private CsvTable() {}

  /** Parses one record into a value, throwing {@link IllegalArgumentException} with the reason. */
  @FunctionalInterface
  public interface RowParser<T> {
    T parse(Row row);
  }

  /** Typed access to the cells of one record, with messages that name the column. */
  public static final class Row {
    private final CSVRecord record;
    private final List<String> header;

    Row(CSVRecord record, List<String> header) {
      this.record = record;
      this.header = header;
    }

    public String text(String column) {
      String v = record.get(column);
      if (v.isEmpty()) {
        throw new IllegalArgumentException(column + " is empty");
      }
      return v;
    }

    public String optionalText(String column) {
      return record.get(column);
    }

    public int integer(String column, int min, int max) {
      String v = record.get(column);
      int x;
      try {
        x = Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(column + " is not an integer: '" + v + "'");
      }
      if (x < min || x > max) {
        throw new IllegalArgumentException(column + " must be in [" + min + ", " + max + "], got " + x);
      }
      return x;
    }

    public double decimal(String column, double min, double max) {
      String v = record.get(column);
      double x;
      try {
        x = Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(column + " is not a number: '" + v + "'");
      }
      if (!(x >= min && x <= max)) {
        throw new IllegalArgumentException(column + " must be in [" + min + ", " + max + "], got " + v);
      }
      return x;
    }

    /** An ISO-8601 instant such as 2026-03-02T08:15:30Z, as epoch seconds. */
    public long instant(String column) {
      String v = record.get(column);
      try {
        return Instant.parse(v.trim()).getEpochSecond();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(column + " is not an ISO-8601 UTC time like 2026-03-02T08:15:30Z: '" + v + "'");
      }
    }

    public boolean flag01(String column) {
      String v = record.get(column).trim();
      if (v.equals("1")) {
        return true;
      }
      if (v.equals("0")) {
        return false;
      }
      throw new IllegalArgumentException(column + " must be 0 or 1, got '" + v + "'");
    }

    boolean consistent() {
      return record.isConsistent() && record.size() == header.size();
    }

    long line() {
      return record.getRecordNumber() + 1; // the header is line 1
    }
  }

  /**
   * Reads {@code dir/fileName}, checks the header equals {@code header} exactly, and hands every good
   * row to {@code sink}. Bad rows go to {@code problems}.
   */
  public static <T> long read(Path dir, String fileName, List<String> header, RowParser<T> parser,
      Consumer<T> sink, DataProblems problems) {
    Path file = dir.resolve(fileName);
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
        .setAllowMissingColumnNames(false).setTrim(false).get();
    long good = 0;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser2 = CSVParser.parse(reader, format)) {
      List<String> actual = parser2.getHeaderNames();
      if (!actual.equals(header)) {
        throw new BadInputException(file + ": line 1: header must be\n  " + String.join(",", header)
            + "\nbut is\n  " + String.join(",", actual));
      }
      for (CSVRecord rec : parser2) {
        Row row = new Row(rec, header);
        problems.countRow(fileName);
        if (!row.consistent()) {
          problems.report(fileName, row.line(), "expected " + header.size() + " columns, found " + rec.size());
          continue;
        }
        T value;
        try {
          value = parser.parse(row);
        } catch (IllegalArgumentException e) {
          problems.report(fileName, row.line(), e.getMessage());
          continue;
        }
        sink.accept(value);
        good++;
      }
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": file not found (expected one of the four input tables, see README 'Input data')");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    } catch (UncheckedIOException | IllegalStateException e) {
      // commons-csv reports broken quoting this way; it names the line in its message.
      throw new BadInputException(file + ": malformed CSV: " + e.getMessage(), e);
    }
    problems.checkLimit(fileName);
    return good;
  }
}
