package dev.bannerranker.scoring;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.testing.RandomBundles;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Vector API kernels agree with the scalar ones, on odd shapes too (tails of rows and columns). */
class MatrixKernelsTest {
  private static final MatrixKernels PANAMA = MatrixKernels.panama();

  @Test
  void panamaKernelsAreAvailableInTheTestJvm() {
    assertNotNull(PANAMA, "surefire runs with --add-modules jdk.incubator.vector, so the Panama kernels must load");
    assertSame(PANAMA, MatrixKernels.get(), "the Panama kernels are chosen when present");
    assertTrue(PANAMA.name().startsWith("panama-"), PANAMA.name());
  }

  @Test
  void gemmGemvAndReluAgreeWithScalar() {
    SplittableRandom r = new SplittableRandom(3);
    // Shapes that reach every tile: 8-row blocks with 4- and 2-vector column tiles, 4-row and single-row tails, and
    // column tails narrower than a vector.
    int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {4, 48, 64}, {7, 64, 32}, {8, 48, 64}, {8, 64, 32}, {13, 17, 50},
        {32, 48, 64}, {32, 64, 32}, {45, 40, 80}, {200, 146, 64}, {9, 33, 129}, {21, 7, 16}};
    for (int[] shape : shapes) {
      int n = shape[0];
      int k = shape[1];
      int m = shape[2];
      int xOff = 3;
      int wOff = 5;
      int outOff = 2;
      float[] x = random(r, xOff + n * k);
      float[] w = random(r, wOff + k * m);
      float[] init = random(r, outOff + n * m + 1);
      float[] a = init.clone();
      float[] b = init.clone();
      MatrixKernels.scalar().gemmAccumulate(x, xOff, n, k, w, wOff, m, a, outOff);
      PANAMA.gemmAccumulate(x, xOff, n, k, w, wOff, m, b, outOff);
      String shapeName = n + "x" + k + "x" + m;
      assertClose(a, b, "gemm " + shapeName);
      assertEquals(init[0], b[0], "gemm " + shapeName + " wrote before its offset");
      assertEquals(init[init.length - 1], b[b.length - 1], "gemm " + shapeName + " wrote past its rows");
      MatrixKernels.scalar().relu(a, outOff, n * m);
      PANAMA.relu(b, outOff, n * m);
      assertClose(a, b, "relu");
      float[] v = random(r, k);
      float[] ga = new float[n + 1];
      float[] gb = new float[n + 1];
      MatrixKernels.scalar().gemv(x, xOff, n, k, v, 0.25f, ga, 1);
      PANAMA.gemv(x, xOff, n, k, v, 0.25f, gb, 1);
      assertClose(ga, gb, "gemv " + shapeName);
    }
  }

  /**
   * Both kernels' softmax matches a double reference and each other, on rows narrower and wider than a vector, and on
   * a row whose spread underflows the exponential.
   */
  @Test
  void softmaxRowsMatchesADoubleReference() {
    SplittableRandom r = new SplittableRandom(7);
    for (int width : new int[] {1, 3, 8, 16, 17, 33, 40}) {
      int rows = 5;
      int off = 2;
      float[] a = random(r, off + rows * width + 1);
      for (int j = 0; j < width; j++) {
        a[off + j] = -3f * j; // row 0 ranges over e^0 .. e^-117
      }
      float[] s = a.clone();
      float[] p = a.clone();
      MatrixKernels.scalar().softmaxRows(s, off, rows, width);
      PANAMA.softmaxRows(p, off, rows, width);
      for (int i = 0; i < rows; i++) {
        int o = off + i * width;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
          max = Math.max(max, a[o + j]);
        }
        double sum = 0;
        for (int j = 0; j < width; j++) {
          sum += Math.exp(a[o + j] - max);
        }
        for (int j = 0; j < width; j++) {
          double want = Math.exp(a[o + j] - max) / sum;
          String at = "width " + width + " row " + i + " column " + j;
          assertEquals(want, s[o + j], 1e-6 * (1 + want), "scalar " + at);
          assertEquals(want, p[o + j], 1e-6 * (1 + want), "panama " + at);
        }
      }
      assertEquals(a[0], p[0], "softmax wrote before its offset");
      assertEquals(a[a.length - 1], p[p.length - 1], "softmax wrote past its rows");
    }
  }

  @Test
  void gemmMatchesADoubleReference() {
    // Guards both kernels on their own, the scalar one included (every Panama check compares against it): one
    // product against a plain triple loop in double.
    checkAgainstDouble(MatrixKernels.scalar());
    checkAgainstDouble(PANAMA);
  }

  private static void checkAgainstDouble(MatrixKernels kernels) {
    SplittableRandom r = new SplittableRandom(11);
    int n = 9;
    int k = 13;
    int m = 40;
    float[] x = random(r, n * k);
    float[] w = random(r, k * m);
    float[] out = new float[n * m];
    kernels.gemmAccumulate(x, 0, n, k, w, 0, m, out, 0);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int kk = 0; kk < k; kk++) {
          s += (double) x[i * k + kk] * w[kk * m + j];
        }
        assertEquals(s, out[i * m + j], 1e-4 * (1 + Math.abs(s)), kernels.name() + " (" + i + "," + j + ")");
      }
    }
  }

  @Test
  void scorerGivesTheSameProbabilitiesWithEitherKernels() {
    Bundle bundle = RandomBundles.create(17, 40);
    ScoringModel model = ScoringModel.of(bundle);
    WideDeepScorer scalar = new WideDeepScorer(model.encoder(), bundle.weights(), MatrixKernels.scalar());
    WideDeepScorer panama = new WideDeepScorer(model.encoder(), bundle.weights(), PANAMA);
    long now = RandomBundles.START + 86_400;
    var u = model.userFeatures(UserProfile.unknown("x"), UserHistory.forSpec(model.spec()), now);
    ScoringContext ctx = new ScoringContext(now, Platform.ANDROID, 1);
    BannerFeatures[] all = model.banners().values().toArray(BannerFeatures[]::new);
    float[][] parts = new float[all.length][];
    for (int i = 0; i < all.length; i++) {
      parts[i] = model.bannerPart(all[i]);
    }
    float[] a = new float[all.length];
    float[] b = new float[all.length];
    scalar.predict(u, ctx, scalar.userPart(u, ctx), all, parts, all.length, a);
    panama.predict(u, ctx, panama.userPart(u, ctx), all, parts, all.length, b);
    assertClose(a, b, "probabilities");
  }

  /**
   * With sequence attention (its scores, vector softmax and weighted sum per block), for a user with a full sequence,
   * one shorter than a vector and a single event, over more candidates than a block.
   */
  @Test
  void scorerWithSequenceAttentionGivesTheSameProbabilitiesWithEitherKernels() {
    Bundle bundle = RandomBundles.withSequenceAttention(RandomBundles.create(17, 80), 3);
    ScoringModel model = ScoringModel.of(bundle);
    WideDeepScorer scalar = new WideDeepScorer(model.encoder(), bundle.weights(), MatrixKernels.scalar());
    WideDeepScorer panama = new WideDeepScorer(model.encoder(), bundle.weights(), PANAMA);
    long now = RandomBundles.START + 5 * 86_400;
    ScoringContext ctx = new ScoringContext(now, Platform.WEB, 1);
    BannerFeatures[] all = model.banners().values().toArray(BannerFeatures[]::new);
    assertTrue(all.length > WideDeepScorer.BLOCK, "more candidates than a block");
    float[][] parts = new float[all.length][];
    for (int i = 0; i < all.length; i++) {
      parts[i] = model.bannerPart(all[i]);
    }
    for (int events : new int[] {30, 7, 1}) {
      SplittableRandom r = new SplittableRandom(events);
      UserHistory h = UserHistory.forSpec(model.spec());
      for (int i = 0; i < events; i++) {
        HistoryUpdates.productEvent(h, 1 + r.nextInt(5), 1 + r.nextInt(3), EventType.values()[r.nextInt(3)],
            1 + r.nextInt(4), (float) r.nextDouble(90), now - 1000L * (events - i));
      }
      var u = model.userFeatures(new UserProfile("u", Gender.M, "35-44", 1), h, now);
      assertEquals(Math.min(events, model.spec().sequenceAttention().length()), u.sequenceCount);
      float[] a = new float[all.length];
      float[] b = new float[all.length];
      scalar.predict(u, ctx, scalar.userPart(u, ctx), all, parts, all.length, a);
      panama.predict(u, ctx, panama.userPart(u, ctx), all, parts, all.length, b);
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-6, events + " events, candidate " + i);
      }
    }
  }

  @Test
  void theDoubleKernelsGiveTheBitsOfThePlainSums() {
    SplittableRandom r = new SplittableRandom(11);
    for (int n = 1; n <= 19; n++) {
      int count = 1 + r.nextInt(12);
      double[] scales = new double[count];
      int[] rows = new int[count];
      for (int k = 0; k < count; k++) {
        scales[k] = r.nextDouble(-3, 3);
        rows[k] = r.nextInt(6);
      }
      double[][] init = new double[n][n];
      double[][] x = new double[6][n];
      for (double[] row : init) {
        fill(r, row);
      }
      for (double[] row : x) {
        fill(r, row);
      }
      for (MatrixKernels kernels : new MatrixKernels[] {MatrixKernels.scalar(), PANAMA}) {
        int s = kernels.pad(n);
        assertTrue(s >= n && s % 4 == 0 || kernels == MatrixKernels.scalar(), kernels.name() + " pads " + n);
        double[] a = new double[s * s];
        double[] y = new double[s];
        double[] xs = new double[6 * s];
        for (int i = 0; i < n; i++) {
          System.arraycopy(init[i], 0, a, i * s, n);
          y[i] = init[0][i];
        }
        for (int row = 0; row < 6; row++) {
          System.arraycopy(x[row], 0, xs, row * s, n);
        }
        kernels.addOuterLower(a, n, xs, rows, scales, count);
        kernels.addRowsScaled(y, n, xs, rows, scales, count);
        for (int i = 0; i < n; i++) {
          double yi = init[0][i];
          for (int k = 0; k < count; k++) {
            yi += scales[k] * x[rows[k]][i];
          }
          assertEquals(Double.doubleToLongBits(yi), Double.doubleToLongBits(y[i]), kernels.name() + " rows n=" + n);
          for (int j = 0; j <= i; j++) {
            double aij = init[i][j];
            for (int k = 0; k < count; k++) {
              aij += scales[k] * x[rows[k]][i] * x[rows[k]][j]; // multiply, then add: Java never fuses them
            }
            assertEquals(Double.doubleToLongBits(aij), Double.doubleToLongBits(a[i * s + j]),
                kernels.name() + " outer n=" + n + " at " + i + "," + j);
          }
        }
        // scores of a block of `count` options held transposed, padded to whole vectors
        int c = kernels.pad(count);
        double[] t = new double[n * c];
        double[] bias = new double[c];
        double[] v = x[0];
        for (int k = 0; k < count; k++) {
          bias[k] = scales[k];
          for (int i = 0; i < n; i++) {
            t[i * c + k] = x[rows[k]][i];
          }
        }
        double[] out = new double[c];
        kernels.scoresTransposed(t, n, c, bias, v, out);
        for (int k = 0; k < count; k++) {
          double sk = bias[k];
          for (int i = 0; i < n; i++) {
            sk += x[rows[k]][i] * v[i];
          }
          assertEquals(Double.doubleToLongBits(sk), Double.doubleToLongBits(out[k]), kernels.name() + " scores n=" + n);
        }
      }
    }
  }

  private static void fill(SplittableRandom r, double[] a) {
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextDouble(-2, 2);
    }
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static void assertClose(float[] a, float[] b, String what) {
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-4f * (1 + Math.abs(a[i])), what + " at " + i);
    }
  }
}
