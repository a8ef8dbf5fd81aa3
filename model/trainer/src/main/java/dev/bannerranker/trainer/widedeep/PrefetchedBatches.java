package dev.bannerranker.trainer.widedeep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Another {@link WideDeepTrainer.TrainBatches}' minibatches, built a few ahead on a single background thread while
 * the caller fits the current one: with DL4J on one OpenMP thread, reading, decoding and encoding the rows would
 * otherwise share the fitting thread's core. The one thread calls the source's {@code batch} in the epoch's order, so
 * the batches, and whatever random state the source draws from while building them, are the same as without it; the
 * source's {@code shuffle} runs on the caller's thread once the previous epoch's building has stopped. (A source that
 * draws while building has drawn ahead when an epoch is cut short, so the next epoch would differ; the trainer asks
 * for every batch of an epoch before the next, and for none after an early stop.)
 *
 * <p>A failure while building a batch (an I/O error, bad input, running out of memory) is thrown on the caller's
 * thread, as the same exception, when it asks for that batch. {@link #close()} stops the thread; it does not close the
 * source.
 */
final class PrefetchedBatches implements WideDeepTrainer.TrainBatches, AutoCloseable {
  /** Batches built ahead: enough to ride over a slow read, few enough that their memory does not matter. */
  static final int DEPTH = 3;

  /** The building thread's name. */
  static final String THREAD_NAME = "wide-deep-batches";

  private final WideDeepTrainer.TrainBatches source;
  private final int batchSize;
  private final BlockingQueue<Built> ready;
  private final ExecutorService thread;
  private volatile Thread worker;
  private Future<?> epoch;
  private volatile boolean stopping;
  private int nextFrom = -1;

  /** A batch and the rows it holds. */
  private record Built(int from, int to, MultiDataSet batch) {}

  /** Builds batches of {@code batchSize} rows (the last of an epoch may be shorter), {@code depth} ahead. */
  PrefetchedBatches(WideDeepTrainer.TrainBatches source, int batchSize, int depth) {
    if (batchSize < 1 || depth < 1) {
      throw new IllegalArgumentException("batch size and depth must be positive: " + batchSize + ", " + depth);
    }
    this.source = source;
    this.batchSize = batchSize;
    this.ready = new ArrayBlockingQueue<>(depth);
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, THREAD_NAME);
      t.setDaemon(true);
      worker = t;
      return t;
    });
  }

  /**
   * The model inputs of {@code rows} (indices into the encoder's dataset) in chunks of {@code step} rows, in order
   * from the first, each built while the caller uses the one before; a chunk's features are its {@link
   * MultiDataSet#getFeatures()}.
   */
  static PrefetchedBatches inputs(RowEncoder enc, int[] rows, WideDeepConfig.Mode mode, int step) {
    PrefetchedBatches p = new PrefetchedBatches(new WideDeepTrainer.TrainBatches() {
      @Override
      public long rows() {
        return rows.length;
      }

      @Override
      public void shuffle(SplittableRandom rng) {}

      @Override
      public MultiDataSet batch(int from, int to) {
        return new MultiDataSet(WideDeepNetwork.features(enc, rows, from, to, mode), new INDArray[0]);
      }
    }, step, 1);
    p.shuffle(null);
    return p;
  }

  @Override
  public long rows() {
    return source.rows();
  }

  @Override
  public void shuffle(SplittableRandom rng) {
    stopEpoch();
    source.shuffle(rng);
    int rows = (int) Math.min(Integer.MAX_VALUE, source.rows());
    stopping = false;
    nextFrom = 0;
    epoch = thread.submit(() -> {
      build(rows);
      return null;
    });
  }

  /** The epoch's batches in order, into the queue, until the last or until stopped. */
  private void build(int rows) throws InterruptedException {
    // Arrays made outside any workspace are plain ones, which the fitting thread may use and the collector frees.
    try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      for (int from = 0; from < rows && !stopping; from += batchSize) {
        int to = Math.min(rows, from + batchSize);
        ready.put(new Built(from, to, source.batch(from, to)));
      }
    }
  }

  @Override
  public MultiDataSet batch(int from, int to) {
    if (epoch == null || from != nextFrom) {
      throw new IllegalStateException("batches are built in order from the start of an epoch: asked for rows " + from
          + "-" + to + ", next are from " + nextFrom);
    }
    Built b = next();
    if (b.to() != to) {
      throw new IllegalStateException("batches hold " + batchSize + " rows: asked for rows " + from + "-" + to
          + ", built " + b.from() + "-" + b.to());
    }
    nextFrom = to;
    return b.batch();
  }

  /** The next built batch, waiting for it; the building's failure if it failed before building it. */
  private Built next() {
    try {
      while (true) {
        Built b = ready.poll(100, TimeUnit.MILLISECONDS);
        if (b != null) {
          return b;
        }
        if (epoch.isDone()) {
          // It may have put its last batch just before finishing.
          b = ready.poll();
          if (b != null) {
            return b;
          }
          epoch.get();
          throw new IllegalStateException("the epoch's batches ended at row " + nextFrom + " of " + rows());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a minibatch", e);
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    }
  }

  /** The building thread's failure as it was thrown there, so that callers see the same exception and message. */
  private static RuntimeException rethrown(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t instanceof IOException io) {
      return new UncheckedIOException(io.getMessage(), io);
    }
    return new IllegalStateException(t.getMessage(), t);
  }

  /** Stops building the current epoch's batches and waits until the thread no longer touches the source. */
  private void stopEpoch() {
    if (epoch == null) {
      return;
    }
    stopping = true;
    // The thread may be waiting for room in the queue: empty it until the thread has seen the flag and finished.
    boolean interrupted = false;
    while (!epoch.isDone()) {
      ready.clear();
      try {
        epoch.get(10, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // Finished, failed (nobody asked for the failed batch) or not yet: the loop tells.
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    ready.clear();
    epoch = null;
    nextFrom = -1;
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the thread and waits for it to end. */
  @Override
  public void close() {
    stopEpoch();
    thread.shutdown();
    Thread t = worker;
    boolean interrupted = false;
    while (t != null && t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
