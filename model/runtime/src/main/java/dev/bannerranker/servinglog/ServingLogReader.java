package dev.bannerranker.servinglog;

import dev.bannerranker.data.RowProblem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams the records of a log directory, file by file in writing order, line by line. A line that cannot be parsed
 * is reported as a bad line (file:line and why) and skipped, so that a caller can count it against its own limit.
 * The last line of a file that has no line break and does not parse is what a killed writer leaves behind: it is
 * reported as a torn line, not as bad.
 */
public final class ServingLogReader {
  private ServingLogReader() {}

  /** Receives what was read. Problems name the file by its name inside the log directory. */
  public interface Visitor {
    void record(LogRecord record, String file, long line);

    /** A line in the middle of a file (or a complete last line) that is not a valid record. */
    default void badLine(RowProblem problem) {}

    /** An unfinished last line. */
    default void tornLine(RowProblem problem) {}
  }

  /** Counts over one read; {@code lines} counts every non-torn line, good or bad, as the base of a bad share. */
  public record Summary(int files, long lines, long records, List<RowProblem> badLines, List<RowProblem> tornLines) {
    public Summary {
      badLines = List.copyOf(badLines);
      tornLines = List.copyOf(tornLines);
    }
  }

  /** Reads every log file in {@code dir} in writing order. */
  public static Summary read(Path dir, Visitor visitor) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": not a directory");
    }
    Counter counter = new Counter();
    List<Path> files = ServingLogFiles.logFiles(dir);
    for (Path file : files) {
      readFile(file, visitor, counter);
    }
    return counter.summary(files.size());
  }

  /** Reads one log file. */
  public static Summary readFile(Path file, Visitor visitor) throws IOException {
    Counter counter = new Counter();
    readFile(file, visitor, counter);
    return counter.summary(1);
  }

  private static final class Counter {
    long lines;
    long records;
    final List<RowProblem> bad = new ArrayList<>();
    final List<RowProblem> torn = new ArrayList<>();

    Summary summary(int files) {
      return new Summary(files, lines, records, bad, torn);
    }
  }

  private static void readFile(Path file, Visitor visitor, Counter counter) throws IOException {
    String name = file.getFileName().toString();
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
    long lineNo = 0;
    byte[] chunk = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (chunk[i] == '\n') {
            buf.write(chunk, from, i - from);
            handleLine(buf, true, name, ++lineNo, utf8, visitor, counter);
            buf.reset();
            from = i + 1;
          }
        }
        buf.write(chunk, from, n - from);
      }
    }
    if (buf.size() > 0) { // no line break at the end: finished only if it parses
      handleLine(buf, false, name, ++lineNo, utf8, visitor, counter);
    }
  }

  private static void handleLine(ByteArrayOutputStream buf, boolean finished, String file, long lineNo,
      CharsetDecoder utf8, Visitor visitor, Counter counter) {
    LogRecord record = null;
    String reason;
    try {
      String line = utf8.decode(ByteBuffer.wrap(buf.toByteArray())).toString();
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isBlank()) {
        reason = "empty line";
      } else {
        record = ServingLogCodec.decode(line);
        reason = null;
      }
    } catch (CharacterCodingException e) {
      reason = "not UTF-8 text";
    } catch (IllegalArgumentException e) {
      reason = e.getMessage();
    }
    if (record == null && !finished) {
      RowProblem problem = new RowProblem(file, lineNo, "torn last line (" + buf.size() + " bytes, no line break)");
      counter.torn.add(problem);
      visitor.tornLine(problem);
      return;
    }
    counter.lines++;
    if (record == null) {
      RowProblem problem = new RowProblem(file, lineNo, reason);
      counter.bad.add(problem);
      visitor.badLine(problem);
      return;
    }
    counter.records++;
    visitor.record(record, file, lineNo);
  }
}
