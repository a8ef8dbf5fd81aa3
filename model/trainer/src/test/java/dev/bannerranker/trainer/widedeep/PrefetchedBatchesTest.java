package dev.bannerranker.trainer.widedeep;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.FeatureSpec;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.pipeline.TinyWorldAccess;
import dev.bannerranker.trainer.shards.RowLayout;
import dev.bannerranker.trainer.shards.RowShards;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatches built ahead on another thread: the same batches in the same order, so the same trained weights; the
 * building thread's failures reach the trainer as they were thrown; and the thread ends with the training.
 */
class PrefetchedBatchesTest {

  @AfterEach
  void noBuildingThreadIsLeft() {
    assertEquals(List.of(), builders(), "building threads still alive");
  }

  private static List<Thread> builders() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(PrefetchedBatches.THREAD_NAME) && t.isAlive()).toList();
  }

  /**
   * Like the streamed rows, it keeps the epoch's random generator and draws from it while building each batch, so
   * building the batches in another order, or on two threads, would change them. Fails with {@code failure} when
   * building the batch that starts at row {@code failAt}.
   */
  private static final class DrawingSource implements WideDeepTrainer.TrainBatches {
    private final int rows;
    private final int failAt;
    private final Supplier<Throwable> failure;
    private final AtomicInteger built = new AtomicInteger();
    private SplittableRandom rng;

    DrawingSource(int rows, int failAt, Supplier<Throwable> failure) {
      this.rows = rows;
      this.failAt = failAt;
      this.failure = failure;
    }

    DrawingSource(int rows) {
      this(rows, -1, null);
    }

    @Override
    public long rows() {
      return rows;
    }

    @Override
    public void shuffle(SplittableRandom rng) {
      this.rng = rng;
      rng.nextLong();
    }

    @Override
    public MultiDataSet batch(int from, int to) {
      if (from == failAt) {
        Throwable t = failure.get();
        if (t instanceof Error e) {
          throw e;
        }
        throw (RuntimeException) t;
      }
      built.incrementAndGet();
      float[] x = new float[to - from];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rng.nextDouble();
      }
      return new MultiDataSet(Nd4j.create(x, new long[] {x.length, 1}, 'c'),
          Nd4j.create(new float[] {from, to}, new long[] {1, 2}, 'c'));
    }
  }

  /** Every batch of {@code epochs} epochs, as float arrays: features then labels. */
  private static List<float[]> epochs(WideDeepTrainer.TrainBatches source, int batchSize, int epochs) {
    SplittableRandom rng = new SplittableRandom(17);
    List<float[]> out = new ArrayList<>();
    for (int e = 0; e < epochs; e++) {
      source.shuffle(rng);
      for (int from = 0; from < source.rows(); from += batchSize) {
        MultiDataSet b = source.batch(from, (int) Math.min(source.rows(), from + batchSize));
        out.add(b.getFeatures(0).toFloatVector());
        out.add(b.getLabels(0).toFloatVector());
      }
    }
    out.add(new float[] {(float) rng.nextDouble()});
    return out;
  }

  @Test
  void theBatchesAreTheSameInTheSameOrder() {
    List<float[]> direct = epochs(new DrawingSource(103), 10, 3);
    List<float[]> ahead;
    try (PrefetchedBatches p = new PrefetchedBatches(new DrawingSource(103), 10, 2)) {
      ahead = epochs(p, 10, 3);
    }
    assertEquals(direct.size(), ahead.size());
    assertEquals(3 * 11 * 2 + 1, direct.size());
    for (int i = 0; i < direct.size(); i++) {
      assertArrayEquals(direct.get(i), ahead.get(i), "array " + i);
    }
  }

  @Test
  void batchesAskedForOutOfOrderAreRefused() {
    try (PrefetchedBatches p = new PrefetchedBatches(new DrawingSource(100), 10, 2)) {
      assertThrows(IllegalStateException.class, () -> p.batch(0, 10), "before the epoch starts");
      p.shuffle(new SplittableRandom(1));
      assertThrows(IllegalStateException.class, () -> p.batch(10, 20));
    }
  }

  @Test
  void aFailureWhileBuildingReachesTheCallerAsThrown() {
    List<Supplier<Throwable>> failures = List.of(
        () -> new UncheckedIOException(new IOException("rows-00-00003.rows: unexpected end of file")),
        () -> new BadInputException("rows-00-00003.rows: layout of another feature spec"),
        () -> new OutOfMemoryError("Java heap space"));
    for (Supplier<Throwable> kind : failures) {
      Throwable[] thrown = new Throwable[1];
      DrawingSource source = new DrawingSource(100, 30, () -> thrown[0] = kind.get());
      try (PrefetchedBatches p = new PrefetchedBatches(source, 10, 2)) {
        p.shuffle(new SplittableRandom(1));
        for (int from = 0; from < 30; from += 10) {
          assertEquals(10, p.batch(from, from + 10).getFeatures(0).length());
        }
        Throwable caught = assertThrows(Throwable.class, () -> p.batch(30, 40));
        assertSame(thrown[0], caught);
        assertEquals(3, source.built.get());
      }
      assertEquals(List.of(), builders());
    }
  }

  @Test
  void closingMidEpochStopsTheThreadWithoutBuildingTheRest() {
    DrawingSource source = new DrawingSource(10_000);
    try (PrefetchedBatches p = new PrefetchedBatches(source, 10, 2)) {
      p.shuffle(new SplittableRandom(1));
      p.batch(0, 10);
      p.batch(10, 20);
      assertEquals(1, builders().size());
    }
    assertEquals(List.of(), builders());
    // Two taken, at most the queue's two and one being built when the thread saw it was to stop.
    assertTrue(source.built.get() <= 5, "built " + source.built.get());
  }

  @Test
  void trainingFromPrefetchedBatchesGivesTheSameWeights() {
    Setup s = new Setup();
    int[] train = s.ds.rowsOf(TimeSplit.TRAIN);
    WideDeepTrainer.Result direct = s.train(new WideDeepTrainer.HeldBatches(s.rows, s.ds, train, s.cfg.mode(), false),
        false);
    WideDeepTrainer.Result ahead = s.train(new WideDeepTrainer.HeldBatches(s.rows, s.ds, train, s.cfg.mode(), false),
        true);
    assertSameTraining(direct, ahead);
  }

  @Test
  void trainingFromPrefetchedRowShardsGivesTheSameWeights(@TempDir Path dir) throws IOException {
    Setup s = new Setup();
    RowShards.write(s.ds, dir, 4_000);
    assertTrue(RowShards.files(dir).size() >= 3, "files " + RowShards.files(dir));
    long trainRows = s.ds.rowsOf(TimeSplit.TRAIN).length;
    WideDeepTrainer.Result direct;
    WideDeepTrainer.Result ahead;
    try (ShardBatches batches = s.shardBatches(dir, trainRows)) {
      direct = s.train(batches, false);
    }
    try (ShardBatches batches = s.shardBatches(dir, trainRows)) {
      ahead = s.train(batches, true);
    }
    assertSameTraining(direct, ahead);
  }

  @Test
  void aFailingSourceFailsTrainingAndLeavesNoThread() {
    Setup s = new Setup();
    String message = "rows-00-00001.rows: unexpected end of file at row 700";
    // The tiny world's rows, failing at the fourth batch as a truncated shard would.
    int[] train = s.ds.rowsOf(TimeSplit.TRAIN);
    WideDeepTrainer.TrainBatches real = new WideDeepTrainer.HeldBatches(s.rows, s.ds, train, s.cfg.mode(), false);
    WideDeepTrainer.TrainBatches failing = new WideDeepTrainer.TrainBatches() {
      @Override
      public long rows() {
        return real.rows();
      }

      @Override
      public void shuffle(SplittableRandom rng) {
        real.shuffle(rng);
      }

      @Override
      public MultiDataSet batch(int from, int to) {
        if (from == 3 * s.cfg.batchSize()) {
          throw new UncheckedIOException(new IOException(message));
        }
        return real.batch(from, to);
      }
    };
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> s.train(failing, true));
    assertEquals(message, e.getCause().getMessage());
  }

  @Test
  void predictionsFromInputsBuiltAheadAreThoseBuiltInTurn() {
    Setup s = new Setup();
    ComputationGraph net = WideDeepNetwork.build(s.spec, s.cfg);
    int[] rows = s.ds.rowsOf(TimeSplit.TRAIN);
    assertTrue(rows.length > 2 * 8192, "rows " + rows.length);
    float[] ahead = WideDeepTrainer.predict(net, s.rows, rows, s.cfg);
    float[] inTurn = new float[rows.length];
    for (int from = 0; from < rows.length; from += 8192) {
      int to = Math.min(rows.length, from + 8192);
      float[] p = net.outputSingle(false, WideDeepNetwork.features(s.rows, rows, from, to, s.cfg.mode())).reshape(-1)
          .toFloatVector();
      System.arraycopy(p, 0, inTurn, from, p.length);
    }
    assertArrayEquals(inTurn, ahead);
    assertEquals(0, WideDeepTrainer.predict(net, s.rows, new int[0], s.cfg).length);
  }

  private static void assertSameTraining(WideDeepTrainer.Result direct, WideDeepTrainer.Result ahead) {
    assertEquals(direct.validLoss(), ahead.validLoss());
    assertEquals(direct.trainLoss(), ahead.trainLoss());
    assertEquals(direct.bestValidation(), ahead.bestValidation());
    assertTrue(direct.validLoss().size() >= 3, "validations " + direct.validLoss().size());
    // Bit for bit: INDArray.equals allows a small difference.
    assertArrayEquals(direct.net().params().toFloatVector(), ahead.net().params().toFloatVector());
  }

  /** The tiny world's rows and a small network over them. */
  private static final class Setup {
    final FeatureSpec spec = TinyWorldAccess.spec();
    final RowEncoder rows = TinyWorldAccess.rows();
    final ImpressionDataset ds = TinyWorldAccess.dataset();
    final BannerFeatures[] banners = TinyWorldAccess.bannersByIndex();
    final WideDeepConfig cfg = new WideDeepConfig(WideDeepConfig.Mode.WIDE_AND_DEEP, List.of(16, 8),
        WideDeepConfig.defaultEmbeddingDims(), 512, 2, 1, 2, 2e-3, 0.05, 1e-5, 0.9, 7);

    WideDeepTrainer.Result train(WideDeepTrainer.TrainBatches source, boolean prefetch) {
      ComputationGraph net = WideDeepNetwork.build(spec, cfg);
      int[] valid = ds.rowsOf(TimeSplit.VALID);
      int[] sample = WideDeepTrainer.sample(ds.rowsOf(TimeSplit.TRAIN), 2_000, cfg.seed());
      return WideDeepTrainer.train(net, source, source.rows(), new WideDeepTrainer.HeldRows(rows, ds, valid),
          new WideDeepTrainer.HeldRows(rows, ds, sample), cfg, false, null, prefetch);
    }

    ShardBatches shardBatches(Path dir, long trainRows) throws IOException {
      return new ShardBatches(RowShards.files(dir), RowLayout.of(ds), trainRows, null, rows.encoder(), banners, cfg);
    }
  }

  /** The batches hold plain arrays, outside any workspace, so the fitting thread may use them. */
  @Test
  void builtArraysAreOutsideAnyWorkspace() {
    try (PrefetchedBatches p = new PrefetchedBatches(new DrawingSource(20), 10, 2)) {
      p.shuffle(new SplittableRandom(1));
      INDArray x = p.batch(0, 10).getFeatures(0);
      assertFalse(x.isAttached());
    }
  }
}
