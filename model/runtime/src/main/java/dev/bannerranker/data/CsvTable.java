package dev.bannerranker.data;

import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    /** The cells by column when the row comes from elsewhere than a file (an RPC's fields); else null. */
    private final java.util.Map<String, String> cells;
    private final List<String> header;
    private final long line;

    Row(CSVRecord record, List<String> header, long line) {
      this.record = record;
      this.cells = null;
      this.header = header;
      this.line = line;
    }

    private Row(java.util.Map<String, String> cells, List<String> header) {
      this.record = null;
      this.cells = cells;
      this.header = header;
      this.line = 0;
    }

    /**
     * A row of {@code header}'s columns from cell texts, so values that do not come from a file are checked by the
     * same rules; a column missing from {@code cells} is empty.
     */
    public static Row of(List<String> header, java.util.Map<String, String> cells) {
      java.util.Map<String, String> all = new java.util.HashMap<>();
      for (String column : header) {
        all.put(column, cells.getOrDefault(column, ""));
      }
      return new Row(all, header);
    }

    private String get(String column) {
      if (record != null) {
        return record.get(column);
      }
      String v = cells.get(column);
      if (v == null) {
        throw new IllegalArgumentException("no column " + column);
      }
      return v;
    }

    public String text(String column) {
      String v = get(column);
      if (v.isEmpty()) {
        throw new BadCellException(column, column + " is empty");
      }
      return v;
    }

    /** True when the file has this column (an optional one may be absent). */
    public boolean has(String column) {
      return record != null ? record.isMapped(column) : cells.containsKey(column);
    }

    public String optionalText(String column) {
      return get(column);
    }

    public int integer(String column, int min, int max) {
      String v = get(column);
      int x;
      try {
        x = Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        throw new BadCellException(column, column + " is not an integer: '" + v + "'");
      }
      if (x < min || x > max) {
        throw new BadCellException(column, column + " must be in [" + min + ", " + max + "], got " + x);
      }
      return x;
    }

    private static final java.util.regex.Pattern DECIMAL =
        java.util.regex.Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    public double decimal(String column, double min, double max) {
      String v = get(column);
      double x;
      try {
        if (!DECIMAL.matcher(v.trim()).matches()) {
          // Double.parseDouble also takes "10d", "0x1p3" and "Infinity", which no exporter means as a number here
          throw new NumberFormatException(v);
        }
        x = Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        throw new BadCellException(column, column + " is not a number: '" + v + "'");
      }
      if (!(x >= min && x <= max)) {
        throw new BadCellException(column, column + " must be in [" + min + ", " + max + "], got " + v);
      }
      return x;
    }

    /**
     * An ISO-8601 instant such as 2026-03-02T08:15:30Z, as epoch seconds; it must lie in the years 1970 to 2099
     * ({@link CsvSchemas#MIN_TIME}, {@link CsvSchemas#END_TIME}).
     */
    public long instant(String column) {
      String v = get(column);
      long t;
      try {
        t = Instant.parse(v.trim()).getEpochSecond();
      } catch (DateTimeParseException e) {
        throw new BadCellException(column, column + " is not an ISO-8601 UTC time like 2026-03-02T08:15:30Z: '" + v + "'");
      }
      if (t < CsvSchemas.MIN_TIME || t >= CsvSchemas.END_TIME) {
        throw new BadCellException(column, column + " must be from " + CsvSchemas.MIN_TIME_TEXT + " to before "
            + CsvSchemas.END_TIME_TEXT + ", got " + v.trim());
      }
      return t;
    }

    public boolean flag01(String column) {
      String v = get(column).trim();
      if (v.equals("1")) {
        return true;
      }
      if (v.equals("0")) {
        return false;
      }
      throw new BadCellException(column, column + " must be 0 or 1, got '" + v + "'");
    }

    boolean consistent() {
      return record == null || record.isConsistent() && record.size() == header.size();
    }

    /** The physical line the record starts on (1 = the header), counting blank lines and quoted line breaks. */
    public long line() {
      return line;
    }
  }

  /**
   * Reads {@code dir/fileName}, checks the header equals {@code header} exactly, and hands every good
   * row to {@code sink}. Bad rows go to {@code problems}.
   */
  public static <T> long read(Path dir, String fileName, List<String> header, RowParser<T> parser,
      Consumer<T> sink, DataProblems problems) {
    return read(dir, fileName, header, List.of(), parser, sink, problems);
  }

  /**
   * As {@link #read(Path, String, List, RowParser, Consumer, DataProblems)}, where the header may go on with a leading
   * part of each group of {@code optional}, groups in order (e.g. with groups [a] and [b, c]: none, a, b, a b, or a b
   * c; never c without b).
   */
  public static <T> long read(Path dir, String fileName, List<String> header, List<List<String>> optional,
      RowParser<T> parser, Consumer<T> sink, DataProblems problems) {
    Path file = dir.resolve(fileName);
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
        .setAllowMissingColumnNames(false).setTrim(false).get();
    long good = 0;
    try (Reader reader = withoutByteOrderMark(Files.newBufferedReader(file, StandardCharsets.UTF_8));
        CSVParser parser2 = CSVParser.parse(reader, format)) {
      List<String> actual = parser2.getHeaderNames();
      if (!headerFits(actual, header, optional)) {
        throw new BadInputException(file + ": line 1: header must be\n  " + String.join(",", header)
            + optionalText(optional)
            + "\nbut is\n  " + String.join(",", actual));
      }
      for (CSVRecord rec : records(parser2, file)) {
        // the parser has read up to the end of this record; it starts as many lines earlier as it holds line breaks
        Row row = new Row(rec, actual, parser2.getCurrentLineNumber() - lineBreaks(rec));
        problems.countRow(fileName);
        if (!row.consistent()) {
          problems.report(fileName, row.line(), "expected " + actual.size() + " columns, found " + rec.size());
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
      throw new BadInputException(file + ": file not found (expected one of the four input tables, see docs/data-format.md)");
    } catch (CharacterCodingException e) {
      throw notUtf8(file, e);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    } catch (UncheckedIOException | IllegalStateException e) {
      if (e.getCause() instanceof CharacterCodingException cce) {
        throw notUtf8(file, cce);
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new BadInputException(file + ": malformed CSV: " + cause.getMessage(), e);
    }
    problems.checkLimit(fileName);
    return good;
  }

  /** Whether {@code actual} is {@code header} followed by a leading part of each group of {@code optional}. */
  public static boolean headerFits(List<String> actual, List<String> header, List<List<String>> optional) {
    if (actual.size() < header.size() || !actual.subList(0, header.size()).equals(header)) {
      return false;
    }
    int at = header.size();
    for (List<String> group : optional) {
      for (int k = 0; k < group.size() && at < actual.size() && actual.get(at).equals(group.get(k)); k++) {
        at++;
      }
    }
    return at == actual.size();
  }

  /** The optional columns for a header message, e.g. {@code  (optionally followed by ,a and/or ,b,c)}. */
  public static String optionalText(List<List<String>> optional) {
    if (optional.isEmpty()) {
      return "";
    }
    List<String> groups = new java.util.ArrayList<>();
    optional.forEach(g -> groups.add("," + String.join(",", g)));
    return " (optionally followed by " + String.join(" and/or ", groups) + ", each group in order)";
  }

  /**
   * Parses one data line of {@code fileName} on its own, for readers that split a table across workers (the Spark
   * job): such a reader needs each record on one line. A bad line is a {@link BadInputException} naming the file and
   * {@code lineNumber} (1-based, the header being line 1).
   */
  public static <T> T parseLine(String fileName, List<String> header, String line, long lineNumber,
      RowParser<T> parser) {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).setTrim(false).get();
    List<CSVRecord> records;
    try (CSVParser p = CSVParser.parse(line, format)) {
      records = p.getRecords();
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      throw new BadInputException(fileName + ": line " + lineNumber + ": malformed CSV");
    }
    if (records.size() != 1) {
      throw new BadInputException(fileName + ": line " + lineNumber + ": expected one record on the line");
    }
    Row row = new Row(records.get(0), header, lineNumber);
    if (!row.consistent()) {
      throw new BadInputException(fileName + ": line " + lineNumber + ": expected " + header.size() + " columns, found "
          + records.get(0).size());
    }
    try {
      return parser.parse(row);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(fileName + ": line " + lineNumber + ": " + e.getMessage());
    }
  }

  /** The parser's records, with broken quoting reported by file and line rather than by commons-csv's exception. */
  private static Iterable<CSVRecord> records(CSVParser parser, Path file) {
    Iterator<CSVRecord> it = parser.iterator();
    return () -> new Iterator<>() {
      @Override
      public boolean hasNext() {
        try {
          return it.hasNext();
        } catch (UncheckedIOException e) {
          throw malformed(file, e, parser.getCurrentLineNumber());
        }
      }

      @Override
      public CSVRecord next() {
        try {
          return it.next();
        } catch (UncheckedIOException e) {
          throw malformed(file, e, parser.getCurrentLineNumber());
        }
      }
    };
  }

  // commons-csv names the physical line in these two messages (checked by a test against the pinned version)
  private static final Pattern NEVER_CLOSED = Pattern.compile("\\(startline (\\d+)\\) EOF reached before encapsulated token");
  private static final Pattern AFTER_CLOSING = Pattern.compile("between encapsulated token and delimiter at line: (\\d+)");

  /**
   * Broken quoting cannot be a bad row: where the cell ends is unknown, so the whole file fails, naming the line
   * where the quoting went wrong.
   */
  private static RuntimeException malformed(Path file, UncheckedIOException e, long linesRead) {
    if (e.getCause() instanceof CharacterCodingException) {
      return e; // reported by read(), which finds the line
    }
    String detail = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
    Matcher m = NEVER_CLOSED.matcher(detail == null ? "" : detail);
    if (m.find()) {
      return new BadInputException(file + ": line " + m.group(1) + ": unbalanced quote: the quoted cell that starts "
          + "on this line is never closed", e);
    }
    m = AFTER_CLOSING.matcher(detail == null ? "" : detail);
    if (m.find()) {
      return new BadInputException(file + ": line " + m.group(1) + ": unbalanced quote: text follows a closing quote "
          + "(a quote inside a quoted cell is written twice: \"\")", e);
    }
    return new BadInputException(file + ": line " + Math.max(1, linesRead) + ": malformed CSV: " + detail, e);
  }

  /** Excel and some exporters start UTF-8 files with a byte order mark; it is not part of the first column's name. */
  private static Reader withoutByteOrderMark(Reader r) throws IOException {
    PushbackReader p = new PushbackReader(r, 1);
    int first = p.read();
    if (first != -1 && first != '\uFEFF') {
      p.unread(first);
    }
    return p;
  }

  /** Line breaks inside the record's (quoted) cells: CR LF, LF or CR each count once. */
  private static long lineBreaks(CSVRecord rec) {
    long n = 0;
    for (String v : rec) {
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c == '\n' || (c == '\r' && (i + 1 == v.length() || v.charAt(i + 1) != '\n'))) {
          n++;
        }
      }
    }
    return n;
  }

  private static BadInputException notUtf8(Path file, CharacterCodingException e) {
    String where;
    try {
      long line = lineOfFirstInvalidUtf8(file);
      where = line > 0 ? "line " + line : "somewhere";
    } catch (IOException again) {
      where = "somewhere";
    }
    return new BadInputException(file + ": " + where + ": not valid UTF-8 (the tables must be saved as UTF-8)", e);
  }

  /**
   * The line of the first byte sequence that is not UTF-8. The reader decodes ahead in blocks, so its failure does
   * not say where; this second pass does. A line feed byte never occurs inside a multi-byte sequence, so counting
   * them in the bytes decoded so far counts lines.
   */
  static long lineOfFirstInvalidUtf8(Path file) throws IOException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.allocate(1 << 16);
    CharBuffer out = CharBuffer.allocate(1 << 16);
    long line = 1;
    try (ReadableByteChannel ch = Files.newByteChannel(file)) {
      boolean eof = false;
      while (true) {
        if (!eof && ch.read(in) < 0) {
          eof = true;
        }
        in.flip();
        int from = in.position();
        CoderResult r = decoder.decode(in, out, eof);
        for (int i = from; i < in.position(); i++) {
          if (in.get(i) == '\n') {
            line++;
          }
        }
        if (r.isError()) {
          return line;
        }
        out.clear();
        in.compact();
        if (eof && in.position() == 0) {
          return -1;
        }
      }
    }
  }
}
