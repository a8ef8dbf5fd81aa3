package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.trainer.eval.EvaluationReport;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's score of each test row, as {@code evaluate} writes them ({@value #FILE} in the report directory), and
 * the comparison of two evaluations of the same test rows ({@code evaluate --against}): the paired bootstrap of the
 * report's baselines, with the other evaluation's model in the baseline's place.
 *
 * @param users each row's user (the data's dense user number, the bootstrap's cluster)
 * @param clicked each row's click
 * @param converted each row's conversion; null for a bundle or data without conversions
 * @param pClick the model's click probability
 * @param pCvr the model's conversion probability of a click; null with {@code converted}
 */
public record TestScores(int[] users, boolean[] clicked, boolean[] converted, float[] pClick, float[] pCvr) {
  public static final String FILE = "scores.csv";
  static final String HEADER = "user,clicked,converted,p_click,p_cvr";

  boolean hasConversion() {
    return converted != null;
  }

  void write(Path reportDir) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(reportDir.resolve(FILE), StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.newLine();
      for (int i = 0; i < users.length; i++) {
        w.write(users[i] + "," + (clicked[i] ? 1 : 0) + "," + (converted == null ? "" : converted[i] ? "1" : "0") + ","
            + pClick[i] + "," + (pCvr == null ? "" : Float.toString(pCvr[i])));
        w.newLine();
      }
    }
  }

  /** Reads another evaluation's {@value #FILE}; a missing file or bad line is a {@link BadInputException} naming it. */
  static TestScores read(Path reportDir) throws IOException {
    Path file = reportDir.resolve(FILE);
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (!HEADER.equals(header)) {
        throw new BadInputException(file + ": line 1: not a header of evaluate's scores (" + HEADER + ")");
      }
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        rows.add(line.split(",", -1));
      }
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file; --against names a report directory that evaluate wrote");
    }
    int n = rows.size();
    boolean conversion = n > 0 && !rows.get(0)[2].isEmpty();
    TestScores s = new TestScores(new int[n], new boolean[n], conversion ? new boolean[n] : null, new float[n],
        conversion ? new float[n] : null);
    for (int i = 0; i < n; i++) {
      String[] c = rows.get(i);
      int line = i + 2;
      if (c.length != 5) {
        throw new BadInputException(file + ": line " + line + ": " + c.length + " fields, expected 5");
      }
      try {
        s.users[i] = Integer.parseInt(c[0]);
        s.clicked[i] = flag(c[1]);
        s.pClick[i] = Float.parseFloat(c[3]);
        if (conversion) {
          s.converted[i] = flag(c[2]);
          s.pCvr[i] = Float.parseFloat(c[4]);
        } else if (!c[2].isEmpty() || !c[4].isEmpty()) {
          throw new NumberFormatException("converted or p_cvr where the first row has none");
        }
      } catch (NumberFormatException e) {
        throw new BadInputException(file + ": line " + line + ": not a score row (" + HEADER + ")");
      }
    }
    return s;
  }

  private static boolean flag(String v) {
    return switch (v) {
      case "1" -> true;
      case "0" -> false;
      default -> throw new NumberFormatException(v);
    };
  }

  /**
   * This evaluation's model against {@code other}'s, on the same test rows: each AUC of this model minus the other's,
   * with the paired-bootstrap interval over users. The conversion figures need conversions in both.
   *
   * @throws BadInputException when the rows are not the same (another data set or split)
   */
  EvaluationReport.Against against(TestScores other, Path otherDir) {
    Path file = otherDir.resolve(FILE);
    if (other.users.length != users.length) {
      throw new BadInputException(file + ": " + other.users.length + " test rows, this evaluation has " + users.length
          + "; --against needs an evaluation of the same data and split");
    }
    for (int i = 0; i < users.length; i++) {
      boolean same = other.users[i] == users[i] && other.clicked[i] == clicked[i]
          && (!hasConversion() || !other.hasConversion() || other.converted[i] == converted[i]);
      if (!same) {
        throw new BadInputException(file + ": line " + (i + 2) + ": not this evaluation's test row (user, click or "
            + "conversion differ); --against needs an evaluation of the same data and split");
      }
    }
    EvaluationReport.AucDifference click = EvaluationPipeline.aucLead(pClick, other.pClick, clicked, users);
    EvaluationReport.AucDifference conversion = null;
    EvaluationReport.AucDifference perClick = null;
    if (hasConversion() && other.hasConversion()) {
      boolean[] y = new boolean[users.length];
      for (int i = 0; i < y.length; i++) {
        y[i] = clicked[i] && converted[i];
      }
      conversion = EvaluationPipeline.aucLead(ConversionEvaluation.pCtcvr(pClick, pCvr),
          ConversionEvaluation.pCtcvr(other.pClick, other.pCvr), y, users);
      int[] at = java.util.stream.IntStream.range(0, users.length).filter(i -> clicked[i]).toArray();
      boolean[] cy = new boolean[at.length];
      int[] cu = new int[at.length];
      for (int k = 0; k < at.length; k++) {
        cy[k] = converted[at[k]];
        cu[k] = users[at[k]];
      }
      perClick = EvaluationPipeline.aucLead(ConversionEvaluation.pick(pCvr, at),
          ConversionEvaluation.pick(other.pCvr, at), cy, cu);
    }
    return new EvaluationReport.Against(otherDir.toString(), click, conversion, perClick);
  }
}
