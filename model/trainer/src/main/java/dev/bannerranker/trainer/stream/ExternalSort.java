package dev.bannerranker.trainer.stream;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Sorts more records than fit in memory: records are buffered up to {@code runSize}, each full buffer is sorted and
 * written to its own run file, and {@link #merged} reads all runs back as one sorted stream (a k-way merge). The
 * sort must be total (ties broken by a unique key such as the file line), so the order is the same on every run.
 */
public final class ExternalSort<T> implements Closeable {
  /** How a record goes to and comes back from a run file. */
  public interface Codec<T> {
    void write(DataOutputStream out, T value) throws IOException;

    T read(DataInputStream in) throws IOException;
  }

  private final Path dir;
  private final String name;
  private final Codec<T> codec;
  private final Comparator<T> order;
  private final int runSize;
  private final List<T> buffer = new ArrayList<>();
  private final List<Path> runs = new ArrayList<>();
  private long count;

  /** Runs go to {@code dir} (created if needed) as {@code <name>-NNNNN.run}. */
  public ExternalSort(Path dir, String name, Codec<T> codec, Comparator<T> order, int runSize) throws IOException {
    if (runSize < 1) {
      throw new IllegalArgumentException("run size must be positive: " + runSize);
    }
    Files.createDirectories(dir);
    this.dir = dir;
    this.name = name;
    this.codec = codec;
    this.order = order;
    this.runSize = runSize;
  }

  /**
   * Adds a record; a full buffer is written out as a run. A failed write is a {@link SpillFailed} (not an
   * {@link UncheckedIOException}, which CSV readers take for a bad file).
   */
  public void add(T value) {
    buffer.add(value);
    count++;
    if (buffer.size() >= runSize) {
      try {
        spill();
      } catch (IOException e) {
        throw new SpillFailed(e);
      }
    }
  }

  /** Writing a sorted run failed, e.g. the disk is full. */
  public static final class SpillFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SpillFailed(IOException cause) {
      super("writing a sorted run failed: " + cause.getMessage(), cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }

  public long count() {
    return count;
  }

  /** Runs written so far (the records still buffered make one more). */
  public int runs() {
    return runs.size();
  }

  private void spill() throws IOException {
    if (buffer.isEmpty()) {
      return;
    }
    buffer.sort(order);
    Path run = dir.resolve(String.format("%s-%05d.run", name, runs.size()));
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
      for (T v : buffer) {
        codec.write(out, v);
      }
    }
    runs.add(run);
    buffer.clear();
  }

  /** Every record added, in order; after the last {@link #add}, as many times as needed. */
  public Merge<T> merged() throws IOException {
    spill();
    return new Merge<>(runs, codec, order);
  }

  /** Deletes the run files. */
  @Override
  public void close() throws IOException {
    buffer.clear();
    for (Path r : runs) {
      Files.deleteIfExists(r);
    }
  }

  /** The k-way merge of the sorted runs: one open file and one record per run in memory. */
  public static final class Merge<T> implements Closeable {
    private record Head<T>(T value, int run) {}

    private final Codec<T> codec;
    private final DataInputStream[] inputs;
    private final PriorityQueue<Head<T>> heads;

    Merge(List<Path> runs, Codec<T> codec, Comparator<T> order) throws IOException {
      this.codec = codec;
      // Equal records come in run order, which is the order they were added.
      heads = new PriorityQueue<>(Math.max(1, runs.size()),
          Comparator.<Head<T>, T>comparing(Head::value, order).thenComparingInt(Head::run));
      inputs = new DataInputStream[runs.size()];
      try {
        for (int i = 0; i < runs.size(); i++) {
          inputs[i] = new DataInputStream(new BufferedInputStream(Files.newInputStream(runs.get(i)), 1 << 16));
          advance(i);
        }
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    private void advance(int run) throws IOException {
      T v;
      try {
        v = codec.read(inputs[run]);
      } catch (EOFException end) {
        inputs[run].close();
        inputs[run] = null;
        return;
      }
      heads.add(new Head<>(v, run));
    }

    public boolean hasNext() {
      return !heads.isEmpty();
    }

    /** The next record without taking it, or null at the end. */
    public T peek() {
      Head<T> h = heads.peek();
      return h == null ? null : h.value();
    }

    public T next() throws IOException {
      Head<T> h = heads.poll();
      if (h == null) {
        throw new NoSuchElementException();
      }
      advance(h.run());
      return h.value();
    }

    @Override
    public void close() throws IOException {
      for (int i = 0; i < inputs.length; i++) {
        if (inputs[i] != null) {
          inputs[i].close();
          inputs[i] = null;
        }
      }
    }
  }
}
