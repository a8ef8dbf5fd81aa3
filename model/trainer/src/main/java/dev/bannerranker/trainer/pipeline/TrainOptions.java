package dev.bannerranker.trainer.pipeline;

import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.widedeep.WideDeepConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@code train} needs. Feature settings that are not learnt from data live here too, and end
 * up in the bundle's feature spec.
 *
 * @param validDays days of validation before the test days (own format)
 * @param testDays days at the end held out for test (own format)
 * @param validFraction share of impressions for validation (MovieLens)
 * @param testFraction share of impressions for test (MovieLens)
 * @param foldInDim learned dimensions of the fold-in taste factors, which add the fixed price-tier ones (0: none)
 * @param wideCrosses the wide crosses besides the top-brand ones, names from {@code FeatureEncoder.WIDE_CROSSES}
 * @param negativeRate share of the training rows' non-clicks that wide &amp; deep trains on, every click kept (1: all)
 * @param rows where the point-in-time rows go as row shards, read back from there for training (null: kept in memory)
 * @param streaming read the log in a bounded heap (an external sort into {@code rows}), never holding it whole
 * @param objective what the network learns: clicks alone, or clicks and conversions jointly
 * @param sequenceAttention whether the deep side attends over the user's latest events ({@code
 *     dev.bannerranker.features.SequenceAttention}); needs the rows held in memory (not {@code rows})
 */
public record TrainOptions(
    Path data,
    DataFormat format,
    Path out,
    boolean force,
    double maxBadFraction,
    Item2VecConfig item2vec,
    WideDeepConfig wideDeep,
    double halfLifeHours,
    int maxRecentEvents,
    int topBrands,
    int wideBucketsLog2,
    int tasteBrands,
    int tasteDim,
    int validDays,
    int testDays,
    double validFraction,
    double testFraction,
    boolean progress,
    int foldInDim,
    List<String> wideCrosses,
    double negativeRate,
    Path rows,
    boolean streaming,
    Objective objective,
    boolean sequenceAttention) {

  /** Without sequence attention. */
  public TrainOptions(Path data, DataFormat format, Path out, boolean force, double maxBadFraction,
      Item2VecConfig item2vec, WideDeepConfig wideDeep, double halfLifeHours, int maxRecentEvents, int topBrands,
      int wideBucketsLog2, int tasteBrands, int tasteDim, int validDays, int testDays, double validFraction,
      double testFraction, boolean progress, int foldInDim, List<String> wideCrosses, double negativeRate, Path rows,
      boolean streaming, Objective objective) {
    this(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours, maxRecentEvents, topBrands,
        wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction, testFraction, progress, foldInDim,
        wideCrosses, negativeRate, rows, streaming, objective, false);
  }

  /** Clicks alone, every existing option as it was. */
  public TrainOptions(Path data, DataFormat format, Path out, boolean force, double maxBadFraction,
      Item2VecConfig item2vec, WideDeepConfig wideDeep, double halfLifeHours, int maxRecentEvents, int topBrands,
      int wideBucketsLog2, int tasteBrands, int tasteDim, int validDays, int testDays, double validFraction,
      double testFraction, boolean progress, int foldInDim, List<String> wideCrosses, double negativeRate, Path rows,
      boolean streaming) {
    this(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours, maxRecentEvents, topBrands,
        wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction, testFraction, progress, foldInDim,
        wideCrosses, negativeRate, rows, streaming, Objective.CLICK);
  }

  /** The log held in memory while reading. */
  public TrainOptions(Path data, DataFormat format, Path out, boolean force, double maxBadFraction,
      Item2VecConfig item2vec, WideDeepConfig wideDeep, double halfLifeHours, int maxRecentEvents, int topBrands,
      int wideBucketsLog2, int tasteBrands, int tasteDim, int validDays, int testDays, double validFraction,
      double testFraction, boolean progress, int foldInDim, List<String> wideCrosses, double negativeRate, Path rows) {
    this(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours, maxRecentEvents, topBrands,
        wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction, testFraction, progress, foldInDim,
        wideCrosses, negativeRate, rows, false);
  }

  /** Rows kept in memory, and every non-click trained on. */
  public TrainOptions(Path data, DataFormat format, Path out, boolean force, double maxBadFraction,
      Item2VecConfig item2vec, WideDeepConfig wideDeep, double halfLifeHours, int maxRecentEvents, int topBrands,
      int wideBucketsLog2, int tasteBrands, int tasteDim, int validDays, int testDays, double validFraction,
      double testFraction, boolean progress, int foldInDim, List<String> wideCrosses) {
    this(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours, maxRecentEvents, topBrands,
        wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction, testFraction, progress, foldInDim,
        wideCrosses, 1.0);
  }

  /** Rows kept in memory. */
  public TrainOptions(Path data, DataFormat format, Path out, boolean force, double maxBadFraction,
      Item2VecConfig item2vec, WideDeepConfig wideDeep, double halfLifeHours, int maxRecentEvents, int topBrands,
      int wideBucketsLog2, int tasteBrands, int tasteDim, int validDays, int testDays, double validFraction,
      double testFraction, boolean progress, int foldInDim, List<String> wideCrosses, double negativeRate) {
    this(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours, maxRecentEvents, topBrands,
        wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction, testFraction, progress, foldInDim,
        wideCrosses, negativeRate, null);
  }

  public TrainOptions withNegativeRate(double rate) {
    return new TrainOptions(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours, maxRecentEvents,
        topBrands, wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction, testFraction, progress,
        foldInDim, wideCrosses, rate, rows, streaming, objective, sequenceAttention);
  }

  public TrainOptions withRows(Path dir) {
    return new TrainOptions(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours,
        maxRecentEvents, topBrands, wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction,
        testFraction, progress, foldInDim, wideCrosses, negativeRate, dir, streaming, objective, sequenceAttention);
  }

  public TrainOptions withOut(Path bundle) {
    return new TrainOptions(data, format, bundle, force, maxBadFraction, item2vec, wideDeep, halfLifeHours,
        maxRecentEvents, topBrands, wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction,
        testFraction, progress, foldInDim, wideCrosses, negativeRate, rows, streaming, objective, sequenceAttention);
  }

  /** Streams the log through an external sort; needs {@link #withRows}. */
  public TrainOptions withStreaming(boolean on) {
    return new TrainOptions(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours,
        maxRecentEvents, topBrands, wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction,
        testFraction, progress, foldInDim, wideCrosses, negativeRate, rows, on, objective, sequenceAttention);
  }

  public TrainOptions withObjective(Objective o) {
    return new TrainOptions(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours,
        maxRecentEvents, topBrands, wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction,
        testFraction, progress, foldInDim, wideCrosses, negativeRate, rows, streaming, o, sequenceAttention);
  }

  public TrainOptions withSequenceAttention(boolean on) {
    return new TrainOptions(data, format, out, force, maxBadFraction, item2vec, wideDeep, halfLifeHours,
        maxRecentEvents, topBrands, wideBucketsLog2, tasteBrands, tasteDim, validDays, testDays, validFraction,
        testFraction, progress, foldInDim, wideCrosses, negativeRate, rows, streaming, objective, on);
  }
}
