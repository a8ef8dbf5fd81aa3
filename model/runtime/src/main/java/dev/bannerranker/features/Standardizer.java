package dev.bannerranker.features;

import java.util.List;

/**
 * z-score parameters of a group of scalar features, fitted on the training rows. Names travel with the
 * numbers so a bundle is self-describing.
 */
public record Standardizer(List<String> names, double[] mean, double[] std) {

  public Standardizer {
    names = List.copyOf(names);
    if (mean.length != names.size() || std.length != names.size()) {
      throw new IllegalArgumentException("standardizer: names, mean and std differ in length");
    }
  }

  /** The identity transform, used before statistics are fitted. */
  public static Standardizer identity(List<String> names) {
    double[] ones = new double[names.size()];
    java.util.Arrays.fill(ones, 1.0);
    return new Standardizer(names, new double[names.size()], ones);
  }

  /** Fits mean and standard deviation per column; constant columns keep std 1. */
  public static Standardizer fit(List<String> names, double[] sum, double[] sumSq, long n) {
    double[] m = new double[names.size()];
    double[] s = new double[names.size()];
    for (int i = 0; i < m.length; i++) {
      m[i] = n == 0 ? 0 : sum[i] / n;
      double var = n == 0 ? 0 : sumSq[i] / n - m[i] * m[i];
      s[i] = var > 1e-12 ? Math.sqrt(var) : 1.0;
    }
    return new Standardizer(names, m, s);
  }

  public int size() {
    return names.size();
  }

  /** Standardises the first {@link #size()} values of {@code raw} into {@code out} starting at {@code offset}. */
  public void apply(double[] raw, float[] out, int offset) {
    for (int i = 0; i < mean.length; i++) {
      out[offset + i] = (float) ((raw[i] - mean[i]) / std[i]);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardizer s && names.equals(s.names)
        && java.util.Arrays.equals(mean, s.mean) && java.util.Arrays.equals(std, s.std);
  }

  @Override
  public int hashCode() {
    return names.hashCode() * 31 + java.util.Arrays.hashCode(mean);
  }
}
