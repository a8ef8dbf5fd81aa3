package dev.bannerranker.trainer.stream;

import dev.bannerranker.trainer.dataset.DatasetBuilder;
import dev.bannerranker.trainer.shards.RowLayout;
import dev.bannerranker.trainer.shards.RowShards;
import dev.bannerranker.trainer.shards.ShardRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The point-in-time sweep over a {@link StreamingLog}, one user at a time, written as row shards. Batches of users
 * are swept on {@code threads} threads; each thread appends its rows to its own temporary file per output file, and
 * at the end each output file's rows are put in position order. The directory then holds exactly the files
 * {@link DatasetBuilder#writeShards} writes from the in-memory log with as many user shards, byte for byte, so
 * training from them gives the same model.
 */
public final class StreamingRows {
  /** Impressions per batch handed to a sweeping thread. */
  static final int BATCH_IMPRESSIONS = 8192;

  private StreamingRows() {}

  /** Writes the rows to {@code dir}, which must hold no shards; returns the rows written. */
  public static long write(StreamingLog log, DatasetBuilder.Sweeper sweeper, int shards, Path dir, int rowsPerFile,
      LongConsumer progress) throws IOException {
    RowShards.requireNoShards(dir);
    int n = Math.max(1, shards);
    int buckets = DatasetBuilder.buckets(log.impressions(), n, rowsPerFile);
    RowLayout layout = sweeper.layout();
    Path tmp = Files.createDirectories(log.work().resolve("rows-unsorted"));
    int threads = n;
    RowShards.FileWriter[][][] writers = new RowShards.FileWriter[threads][n][buckets];
    ThreadLocal<Integer> worker = new ThreadLocal<>();
    AtomicLong nextWorker = new AtomicLong();
    AtomicLong swept = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "streaming-sweep");
      t.setDaemon(true);
      return t;
    });
    ArrayDeque<Future<?>> inFlight = new ArrayDeque<>();
    try {
      List<StreamingLog.UserLog> batch = new ArrayList<>();
      int[] batchImpressions = new int[1];
      log.forEachUser(u -> {
        if (u.impressions().isEmpty()) {
          return; // no rows; the user's events matter to nobody else's
        }
        batch.add(u);
        batchImpressions[0] += u.impressions().size();
        if (batchImpressions[0] >= BATCH_IMPRESSIONS) {
          List<StreamingLog.UserLog> users = List.copyOf(batch);
          batch.clear();
          batchImpressions[0] = 0;
          // At most two batches per thread wait or run: the heap holds a few batches, not the log.
          while (inFlight.size() >= 2 * threads) {
            await(inFlight.pollFirst());
          }
          inFlight.add(pool.submit(() -> sweep(users, sweeper, layout, n, buckets, tmp, writers, worker, nextWorker,
              swept, progress)));
        }
      });
      if (!batch.isEmpty()) {
        List<StreamingLog.UserLog> users = List.copyOf(batch);
        inFlight.add(pool.submit(() -> sweep(users, sweeper, layout, n, buckets, tmp, writers, worker, nextWorker,
            swept, progress)));
      }
      while (!inFlight.isEmpty()) {
        await(inFlight.pollFirst());
      }
    } finally {
      pool.shutdownNow();
      for (RowShards.FileWriter[][] byShard : writers) {
        for (RowShards.FileWriter[] ws : byShard) {
          for (RowShards.FileWriter w : ws) {
            if (w != null) {
              w.close();
            }
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      for (int b = 0; b < buckets; b++) {
        List<Path> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          Path p = unsorted(tmp, t, i, b);
          if (Files.exists(p)) {
            parts.add(p);
          }
        }
        if (!parts.isEmpty()) {
          RowShards.writeInPositionOrder(parts, dir, String.format("rows-%02d-%04d-", i, b), layout, rowsPerFile);
        }
      }
    }
    Files.deleteIfExists(tmp);
    if (progress != null) {
      progress.accept(swept.get());
    }
    return swept.get();
  }

  private static Path unsorted(Path tmp, int thread, int shard, int bucket) {
    return tmp.resolve(String.format("t%02d-%02d-%04d%s", thread, shard, bucket, RowShards.SUFFIX));
  }

  private static Void sweep(List<StreamingLog.UserLog> users, DatasetBuilder.Sweeper sweeper, RowLayout layout, int n,
      int buckets, Path tmp, RowShards.FileWriter[][][] writers, ThreadLocal<Integer> worker, AtomicLong nextWorker,
      AtomicLong swept, LongConsumer progress) throws IOException {
    Integer id = worker.get();
    if (id == null) {
      id = (int) nextWorker.getAndIncrement();
      worker.set(id);
    }
    RowShards.FileWriter[][] mine = writers[id];
    ShardRow row = new ShardRow(layout);
    long rows = 0;
    for (StreamingLog.UserLog u : users) {
      int shard = DatasetBuilder.userShardOf(u.userId(), n);
      long[] positions = u.positions();
      float[] truth = u.trueCtr();
      try {
        sweeper.sweep(u.events(), u.impressions(), null, i -> positions[i], i -> truth[i], row, r -> {
          int b = DatasetBuilder.bucketOfRow(r.position, buckets);
          if (mine[shard][b] == null) {
            mine[shard][b] = RowShards.FileWriter.create(unsorted(tmp, worker.get(), shard, b), layout);
          }
          mine[shard][b].write(r);
        }, null);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      rows += u.impressions().size();
    }
    long total = swept.addAndGet(rows);
    if (progress != null && (total - rows) / 65_536 != total / 65_536) {
      progress.accept(total);
    }
    return null;
  }

  private static void await(Future<?> f) throws IOException {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sweeping", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IOException(c);
    }
  }
}
