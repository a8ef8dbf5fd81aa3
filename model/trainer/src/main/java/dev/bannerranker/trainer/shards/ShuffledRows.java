package dev.bannerranker.trainer.shards;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One part's rows of a shard directory, epoch after epoch, each in a new seeded order, holding at most {@code window}
 * rows: the files are read in a shuffled order, and rows pass through a window that is shuffled whenever it is
 * refilled, so consecutive rows come from several files. With files that each hold a random sample of the log (as
 * the sweep writes them) this is close to a full shuffle, but not the same order as shuffling rows held in memory.
 */
public final class ShuffledRows implements Closeable {
  private final List<Path> files;
  private final int part;
  private final BitSet keep;
  private final ShardRow[] pool;
  private SplittableRandom rng;
  private RowShards.Reader reader;
  private int filled;
  private int next;

  public ShuffledRows(List<Path> files, RowLayout layout, int part, int window) {
    this(files, layout, part, window, null);
  }

  /** As above, yielding only the rows of the part whose position is in {@code keep} (null: every row). */
  public ShuffledRows(List<Path> files, RowLayout layout, int part, int window, BitSet keep) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
    this.files = List.copyOf(files);
    this.part = part;
    this.keep = keep;
    pool = new ShardRow[window];
    for (int i = 0; i < window; i++) {
      pool[i] = new ShardRow(layout);
    }
  }

  /** Starts an epoch: a new file order from {@code rng}, which also shuffles the window. */
  public void startEpoch(SplittableRandom rng) throws IOException {
    close();
    this.rng = rng;
    List<Path> order = new ArrayList<>(files);
    for (int i = order.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      order.set(i, order.set(j, order.get(i)));
    }
    reader = RowShards.Reader.open(order);
    filled = 0;
    next = 0;
  }

  /** The next row of the epoch, or null at its end. The row object is reused once the window refills: copy it. */
  public ShardRow next() throws IOException {
    if (next == filled && !refill()) {
      return null;
    }
    return pool[next++];
  }

  /** Reads as many rows of the part as the window holds, and shuffles them; false when the epoch is over. */
  private boolean refill() throws IOException {
    if (reader == null) {
      throw new IllegalStateException("startEpoch first");
    }
    filled = 0;
    next = 0;
    while (filled < pool.length && reader.next(pool[filled])) {
      ShardRow r = pool[filled];
      if (r.part == part && (keep == null || keep.get((int) r.position))) {
        filled++;
      }
    }
    for (int i = filled - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      ShardRow t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    return filled > 0;
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
