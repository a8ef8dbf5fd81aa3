package dev.bannerranker.trainer.generate;

/**
 * Row counts of one generated world. {@code meanTrueCtr} is the mean of {@code true_ctr} over all impressions.
 */
public record GenerationSummary(
    int brands, int categories, int banners, int users, long events, long impressions, long clicks, long conversions,
    double meanTrueCtr) {

  /** Observed click-through rate, clicks / impressions (0 when there are no impressions). */
  public double ctr() {
    return impressions == 0 ? 0 : (double) clicks / impressions;
  }
}
