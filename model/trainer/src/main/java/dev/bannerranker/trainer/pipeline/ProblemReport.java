package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.bundle.ModelMetrics;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.RowProblem;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** Prints and files the malformed rows of a read, so none is dropped silently. */
public final class ProblemReport {
  private ProblemReport() {}

  /**
   * Prints a summary and the first rows to {@code err}, and writes every row to {@code file} when there are any.
   *
   * @param shownAs where the user will find the file (train moves it into the bundle)
   */
  public static void report(DataProblems problems, Path file, Path shownAs, PrintStream err) throws IOException {
    if (problems.badRows() == 0) {
      return;
    }
    err.printf("%d malformed input rows were skipped (limit %.2f%% per file):%n", problems.badRows(),
        100 * problems.maxBadFraction());
    problems.problems().stream().limit(DataProblems.FIRST_SHOWN).forEach(p -> err.println("  " + p));
    write(problems.problems(), file);
    err.println("  every malformed row is listed in " + shownAs);
  }

  /** Writes {@code rows} as CSV (file, line, reason). */
  public static void write(List<RowProblem> rows, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader("file", "line", "reason")
            .setRecordSeparator('\n').get())) {
      for (RowProblem r : rows) {
        p.printRecord(r.file(), r.line(), r.reason());
      }
    }
  }

  /** Rows read and rejected per file, for the manifest and the report. */
  public static Map<String, ModelMetrics.FileRows> summary(DataProblems problems) {
    Map<String, ModelMetrics.FileRows> out = new LinkedHashMap<>();
    problems.countsByFile().forEach((f, c) -> out.put(f, new ModelMetrics.FileRows(c[0], c[1])));
    return out;
  }
}
