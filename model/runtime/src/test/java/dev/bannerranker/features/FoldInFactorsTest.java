package dev.bannerranker.features;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.scoring.MatrixKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FoldInFactorsTest {
  /** Brands 1..4 with factors (1,0), (-1,0), (0,1), (0,-1); brands 1-2 sell in category 1, brands 1-4 in 2. */
  static FoldInFactors factors() {
    return factors(new float[FoldInFactors.GENDERS][4]);
  }

  static final UserProfile WOMAN_25_34 = new UserProfile("u-1", Gender.F, "25-34", 1);

  /** As {@link #factors()}, with women preferring category 1. */
  static FoldInFactors factorsWithGenderBias() {
    float[][] categoryBias = new float[FoldInFactors.GENDERS][4];
    categoryBias[Gender.F.ordinal()][1] = 1.5f;
    return factors(categoryBias);
  }

  private static FoldInFactors factors(float[][] categoryBias) {
    float[][] brand = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    float[][] category = {{0, 0}, {1, 1}, {-1, -1}, {0, 0}};
    float[][] membership = {{0, 0, 0, 0, 0}, {0, 1, 1, 0, 0}, {0, 1, 1, 1, 1}, {0, 0, 0, 0, 0}};
    return new FoldInFactors(brand, new float[5], category, categoryBias, membership);
  }

  @Test
  void evidenceCountsViewsPerCategoryAndTheVisitsCategoryChoices() {
    UserHistory h = new UserHistory(20, 1, true);
    long t = 1_000_000;
    h.addEvent(1, 1, EventType.VIEW, 2, 10f, t);
    h.addEvent(1, 1, EventType.ADD_TO_CART, 2, 0f, t + 10); // not a choice
    h.addEvent(2, 1, EventType.VIEW, 2, 10f, t + 20);
    h.addEvent(3, 2, EventType.VIEW, 2, 10f, t + 40); // second category of the visit
    h.addEvent(3, 1, EventType.VIEW, 2, 10f, t + 60); // brand 3 does not sell in category 1: no brand choice
    h.addEvent(1, 1, EventType.VIEW, 2, 10f, t + 7_200); // a new visit
    h.addEvent(2, 2, EventType.BANNER_CLICK, 2, 0f, t + 7_300); // not browsing
    FoldInFactors.Evidence e = factors().evidence(h);
    assertArrayEquals(new int[] {1, 2}, e.categories());
    assertArrayEquals(new int[] {1, 2}, e.brands()[0]);
    assertArrayEquals(new int[] {2, 1}, e.counts()[0]);
    assertArrayEquals(new int[] {3}, e.brands()[1]);
    assertArrayEquals(new int[] {1}, e.counts()[1]);
    assertArrayEquals(new int[] {1, 2}, e.chosenCategory());
    assertArrayEquals(new int[] {-1, 1}, e.excludedCategory());
    assertArrayEquals(new int[] {2, 1}, e.choiceCount());
  }

  @Test
  void countsCoverTheWholeHistoryBeyondTheRing() {
    UserHistory h = new UserHistory(2, 1, true);
    for (int k = 0; k < 10; k++) {
      h.addEvent(1 + k % 2, 1, EventType.VIEW, 2, 10f, 1_000 + 10 * k);
    }
    FoldInFactors.Evidence e = factors().evidence(h);
    assertEquals(2, h.eventCount());
    assertArrayEquals(new int[] {5, 5}, e.counts()[0]);
  }

  @Test
  void aFullTableReplacesItsSmallestCount() {
    ChoiceCounts c = new ChoiceCounts();
    long t = 0;
    for (int b = 1; b <= ChoiceCounts.MAX_BRAND_PAIRS; b++) {
      c.add(b, 1, EventType.VIEW, t++);
      if (b > 1) {
        c.add(b, 1, EventType.VIEW, t++); // every brand twice but brand 1
      }
    }
    c.add(500, 1, EventType.VIEW, t++);
    int[][] pairs = c.brandPairs();
    assertEquals(ChoiceCounts.MAX_BRAND_PAIRS, pairs[0].length);
    assertEquals((1 << 16) | 2, pairs[0][0], "brand 1 (count 1) made room");
    assertEquals((1 << 16) | 500, pairs[0][pairs[0].length - 1]);
    assertEquals(1, pairs[1][pairs[0].length - 1]);
  }

  @Test
  void foldInPointsTowardTheBrandsChosenAndSolvesTheMapProblem() {
    FoldInFactors f = factorsWithGenderBias();
    UserHistory h = new UserHistory(50, 1, true);
    long t = 1_000_000;
    for (int k = 0; k < 12; k++) {
      h.addEvent(k % 3 == 0 ? 2 : 1, 2, EventType.VIEW, 2, 10f, t + 10 * k); // brand 1 twice as often as 2
      h.addEvent(3, 2, EventType.VIEW, 2, 10f, t + 10 * k + 5);
    }
    // visits whose second category choice excludes the first: 1 then 2 twice, and 1 then 3
    for (int visit = 1; visit <= 3; visit++) {
      long start = t + 7_200L * visit;
      h.addEvent(0, 1, EventType.VIEW, 2, 10f, start);
      h.addEvent(0, visit < 3 ? 2 : 3, EventType.VIEW, 2, 10f, start + 60);
    }
    float[] v = f.foldIn(h, WOMAN_25_34);
    assertTrue(v[0] > 0.1, "leans to brand 1: " + v[0]);
    assertTrue(v[1] > 0.1, "leans to brand 3: " + v[1]);
    assertTrue(f.brandScore(v, 1) > f.brandScore(v, 2));
    // stationary point of  |v|²/2 + Σ_views (logsumexp_c(B v) - B_chosen v) + Σ_visits (...categories, with
    // the women's category bias)
    double[] grad = {v[0], v[1]};
    FoldInFactors.Evidence e = f.evidence(h);
    float[][] b = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    int[] options = f.brandsOf(2);
    double[] p = f.brandProbabilities(v, options, -1);
    int total = 0;
    for (int ci = 0; ci < e.categories().length; ci++) {
      for (int k = 0; k < e.brands()[ci].length; k++) {
        total += e.counts()[ci][k];
        for (int d = 0; d < 2; d++) {
          grad[d] -= e.counts()[ci][k] * b[e.brands()[ci][k]][d];
        }
      }
    }
    for (int j = 0; j < options.length; j++) {
      for (int d = 0; d < 2; d++) {
        grad[d] += total * p[j] * b[options[j]][d];
      }
    }
    int[] cats = {1, 2, 3};
    float[][] c = {{0, 0}, {1, 1}, {-1, -1}, {0, 0}};
    assertArrayEquals(new int[] {-1, -1, 1, 1}, e.excludedCategory());
    for (int k = 0; k < e.chosenCategory().length; k++) {
      double[] pc = f.categoryProbabilities(v, Gender.F.ordinal(), cats, e.excludedCategory()[k]);
      int n = e.choiceCount()[k];
      for (int d = 0; d < 2; d++) {
        grad[d] -= n * c[e.chosenCategory()[k]][d];
        for (int j = 0; j < cats.length; j++) {
          grad[d] += n * pc[j] * c[cats[j]][d];
        }
      }
    }
    assertEquals(0, grad[0], 1e-5);
    assertEquals(0, grad[1], 1e-5);
  }

  @Test
  void noBrowsingMeansNoTasteAndZeroScores() {
    FoldInFactors f = factorsWithGenderBias();
    UserHistory h = new UserHistory(5, 1, true);
    h.addEvent(1, 1, EventType.ADD_TO_CART, 2, 0f, 100);
    assertNull(f.foldIn(h, WOMAN_25_34));
    assertNull(f.foldIn(h, null));
    assertEquals(0f, f.brandScore(null, 1));
    assertEquals(0f, f.categoryScore(null, 1));
  }

  @Test
  void theGenderBiasExplainsGenderedChoicesSoTheTasteNeedNot() {
    FoldInFactors f = factorsWithGenderBias();
    UserHistory h = new UserHistory(50, 1, true);
    for (int k = 0; k < 6; k++) {
      h.addEvent(0, 1, EventType.VIEW, 2, 10f, 1_000_000L + 7_200L * k); // a visit to category 1 each time
    }
    UserProfile man = new UserProfile("u-3", Gender.M, "25-34", 1);
    // category 1's factor is (1, 1): choosing it shows a taste along (1, 1), less so from a woman, who favours
    // the category anyway
    float[] woman = f.foldIn(h, WOMAN_25_34);
    float[] other = f.foldIn(h, man);
    double alongWoman = woman[0] + woman[1];
    double alongMan = other[0] + other[1];
    assertTrue(alongWoman > 0, "woman: " + alongWoman);
    assertTrue(alongWoman < alongMan, "woman " + alongWoman + ", man " + alongMan);
  }

  @Test
  void historyCachesTheTastePerGenderToo() {
    FoldInFactors f = factorsWithGenderBias();
    UserHistory h = new UserHistory(50, 1, true);
    for (int k = 0; k < 6; k++) {
      h.addEvent(0, 1, EventType.VIEW, 2, 10f, 1_000_000L + 7_200L * k);
    }
    float[] woman = h.foldIn(f, WOMAN_25_34);
    float[] man = h.foldIn(f, new UserProfile("u-3", Gender.M, "25-34", 1));
    assertArrayEquals(f.foldIn(h, new UserProfile("u-3", Gender.M, "25-34", 1)), man, "solved for the man");
    assertFalse(java.util.Arrays.equals(woman, man), "the women's bias changes the taste");
  }

  @Test
  void historyCachesTheTasteUntilItsEventsChange() {
    FoldInFactors f = factors();
    UserHistory h = new UserHistory(5, 1, true);
    h.addEvent(1, 2, EventType.VIEW, 2, 10f, 100);
    float[] first = h.foldIn(f, null);
    assertSame(first, h.foldIn(f, null));
    h.addEvent(3, 2, EventType.VIEW, 2, 10f, 110);
    float[] second = h.foldIn(f, null);
    assertNotSame(first, second);
    assertArrayEquals(f.foldIn(h, null), second);
    assertArrayEquals(second, h.copy().foldIn(f, null));
  }

  @Test
  void theVectorKernelsGiveTheScalarTasteBitForBit() {
    MatrixKernels panama = MatrixKernels.panama();
    assertNotNull(panama, "surefire runs with --add-modules jdk.incubator.vector");
    SplittableRandom r = new SplittableRandom(5);
    int dim = 10;
    int brands = 40;
    int categories = 9;
    float[][] brand = randomRows(r, brands, dim);
    float[] brandBias = randomRows(r, 1, brands)[0];
    float[][] category = randomRows(r, categories, dim);
    float[][] categoryBias = randomRows(r, FoldInFactors.GENDERS, categories);
    float[][] membership = new float[categories][brands];
    for (int c = 1; c < categories; c++) {
      for (int b = 1; b < brands; b++) {
        membership[c][b] = r.nextInt(3) == 0 ? 1f : 0f;
      }
      membership[c][c] = 1f;
    }
    FoldInFactors scalar = new FoldInFactors(brand, brandBias, category, categoryBias, membership,
        MatrixKernels.scalar());
    FoldInFactors vector = new FoldInFactors(brand, brandBias, category, categoryBias, membership, panama);
    for (int user = 0; user < 50; user++) {
      List<Integer> cats = new ArrayList<>();
      List<int[]> chosen = new ArrayList<>();
      List<int[]> counts = new ArrayList<>();
      for (int c = 1; c < categories; c++) {
        int[] members = scalar.brandsOf(c);
        if (r.nextInt(2) == 0) {
          int[] b = members.length > 3 ? Arrays.copyOf(members, 3) : members;
          int[] n = new int[b.length];
          for (int k = 0; k < n.length; k++) {
            n[k] = 1 + r.nextInt(user + 1);
          }
          cats.add(c);
          chosen.add(b);
          counts.add(n);
        }
      }
      // category choices sorted by the excluded category (-1: a visit's first choice)
      int[] chosenCategory = {1 + r.nextInt(categories - 1), 2, 3};
      int[] excludedCategory = {-1, 1, 1};
      int[] choiceCount = {1 + r.nextInt(20), 1 + r.nextInt(5), 1};
      FoldInFactors.Evidence e = new FoldInFactors.Evidence(cats.stream().mapToInt(Integer::intValue).toArray(),
          chosen.toArray(int[][]::new), counts.toArray(int[][]::new), chosenCategory, excludedCategory, choiceCount);
      int gender = user % FoldInFactors.GENDERS;
      float[] a = scalar.foldIn(e, gender);
      float[] b = vector.foldIn(e, gender);
      assertArrayEquals(a, b, "user " + user);
      assertNotEquals(0f, a[0], "user " + user + " has a taste");
    }
  }

  private static float[][] randomRows(SplittableRandom r, int rows, int dim) {
    float[][] m = new float[rows][dim];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < dim; j++) {
        m[i][j] = (float) r.nextDouble(-0.8, 0.8);
      }
    }
    return m;
  }
}
