package dev.bannerranker.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.trainer.eval.EvaluationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate's scores.csv and the paired comparison of two evaluations of the same test rows. */
class TestScoresTest {
  @TempDir
  Path dir;

  /** 400 users with 10 rows each; clicks and conversions drawn from a hidden taste that {@code sharp} sees more of. */
  private static TestScores[] twoModels() {
    int n = 4000;
    SplittableRandom r = new SplittableRandom(3);
    int[] users = new int[n];
    boolean[] clicked = new boolean[n];
    boolean[] converted = new boolean[n];
    float[] sharpClick = new float[n];
    float[] sharpCvr = new float[n];
    float[] blurClick = new float[n];
    float[] blurCvr = new float[n];
    for (int i = 0; i < n; i++) {
      users[i] = i / 10;
      double a = r.nextGaussian();
      double b = r.nextGaussian();
      clicked[i] = r.nextDouble() < 1 / (1 + Math.exp(-(-1 + 2 * a)));
      converted[i] = clicked[i] && r.nextDouble() < 1 / (1 + Math.exp(-(-1 + 2 * b)));
      sharpClick[i] = (float) (1 / (1 + Math.exp(-(-1 + 2 * a))));
      sharpCvr[i] = (float) (1 / (1 + Math.exp(-(-1 + 2 * b))));
      blurClick[i] = (float) (1 / (1 + Math.exp(-(-1 + 2 * a + 2 * r.nextGaussian()))));
      blurCvr[i] = (float) (1 / (1 + Math.exp(-(-1 + 2 * b + 2 * r.nextGaussian()))));
    }
    return new TestScores[] {new TestScores(users, clicked, converted, sharpClick, sharpCvr),
        new TestScores(users, clicked, converted, blurClick, blurCvr)};
  }

  @Test
  void whatIsWrittenReadsBackEqual() throws IOException {
    TestScores s = twoModels()[0];
    s.write(dir);
    TestScores back = TestScores.read(dir);
    assertArrayEquals(s.users(), back.users());
    assertArrayEquals(s.clicked(), back.clicked());
    assertArrayEquals(s.converted(), back.converted());
    assertArrayEquals(s.pClick(), back.pClick());
    assertArrayEquals(s.pCvr(), back.pCvr());

    TestScores clicksOnly = new TestScores(s.users(), s.clicked(), null, s.pClick(), null);
    clicksOnly.write(dir);
    TestScores plain = TestScores.read(dir);
    assertNull(plain.converted());
    assertNull(plain.pCvr());
    assertArrayEquals(s.pClick(), plain.pClick());
  }

  @Test
  void theBetterModelLeadsOnEveryFigureAndAModelTiesItself() throws IOException {
    TestScores[] m = twoModels();
    m[1].write(dir);
    EvaluationReport.Against a = m[0].against(TestScores.read(dir), dir);
    for (EvaluationReport.AucDifference d : List.of(a.aucDifference(), a.conversionAucDifference(),
        a.conversionCvrAucDifference())) {
      assertTrue(d.estimate() > 0.05 && d.ci95Low() > 0 && d.ci95Low() < d.estimate() && d.estimate() < d.ci95High(),
          d.toString());
    }
    m[0].write(dir);
    EvaluationReport.Against self = m[0].against(TestScores.read(dir), dir);
    assertEquals(0, self.aucDifference().estimate(), 0);
    assertEquals(0, self.conversionAucDifference().ci95High(), 0);
  }

  @Test
  void withoutConversionsInBothOnlyTheClickFigureIsCompared() throws IOException {
    TestScores[] m = twoModels();
    new TestScores(m[1].users(), m[1].clicked(), null, m[1].pClick(), null).write(dir);
    EvaluationReport.Against a = m[0].against(TestScores.read(dir), dir);
    assertTrue(a.aucDifference().estimate() > 0);
    assertNull(a.conversionAucDifference());
    assertNull(a.conversionCvrAucDifference());
  }

  @Test
  void otherTestRowsAreRefusedNamingTheLine() throws IOException {
    TestScores[] m = twoModels();
    boolean[] clicked = m[1].clicked().clone();
    clicked[6] = !clicked[6];
    new TestScores(m[1].users(), clicked, m[1].converted(), m[1].pClick(), m[1].pCvr()).write(dir);
    TestScores other = TestScores.read(dir);
    BadInputException e = assertThrows(BadInputException.class, () -> m[0].against(other, dir));
    assertTrue(e.getMessage().contains("line 8"), e.getMessage());

    int[] fewer = java.util.Arrays.copyOf(m[1].users(), 10);
    new TestScores(fewer, java.util.Arrays.copyOf(m[1].clicked(), 10), null,
        java.util.Arrays.copyOf(m[1].pClick(), 10), null).write(dir);
    TestScores shorter = TestScores.read(dir);
    assertThrows(BadInputException.class, () -> m[0].against(shorter, dir));
  }

  @Test
  void aMissingOrMalformedFileIsRefusedNamingIt() throws IOException {
    BadInputException missing = assertThrows(BadInputException.class, () -> TestScores.read(dir));
    assertTrue(missing.getMessage().contains(TestScores.FILE), missing.getMessage());
    Files.writeString(dir.resolve(TestScores.FILE), TestScores.HEADER + "\n3,1,0,0.5,0.2\n3,1,0,half,0.2\n");
    BadInputException bad = assertThrows(BadInputException.class, () -> TestScores.read(dir));
    assertTrue(bad.getMessage().contains("line 3"), bad.getMessage());
    Files.writeString(dir.resolve(TestScores.FILE), "impression_id,score\n");
    BadInputException header = assertThrows(BadInputException.class, () -> TestScores.read(dir));
    assertTrue(header.getMessage().contains("line 1"), header.getMessage());
  }
}
