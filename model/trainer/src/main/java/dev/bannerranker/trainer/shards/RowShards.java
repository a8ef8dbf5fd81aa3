package dev.bannerranker.trainer.shards;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import dev.bannerranker.trainer.dataset.TimeSplit;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * Training rows in compact binary shards on disk, so rows need not all be held in memory, and any worker (one
 * thread, one Spark task) can write its share of them.
 *
 * <p>A shard directory is every {@code *.rows} file in it, read in file-name order. A file is a header, then
 * fixed-size rows to the end of the file, all big-endian ({@link java.io.DataOutput}):
 * <pre>
 * header:  8 bytes "BRROWS\r\n", int version (1),
 *          int dim, userScalars, userFields, bannerScalars, crossScalars, tasteCount, wideCount   ({@link RowLayout})
 * row:     long position (the impression's 0-based data row in the impressions table), long time,
 *          int userIdx, int bannerIdx, int slot, byte part (TimeSplit), byte clicked (0/1), float trueCtr (NaN: none),
 *          float[dim] userVector, double[userScalars], int[userFields] userCats, double[bannerScalars],
 *          double[crossScalars], int[tasteCount] tasteBrands, int[wideCount] wide
 * </pre>
 * Scalars stay doubles: rows read back are bit for bit the rows written, so training from shards gives the same model.
 * Positions are unique across the whole directory; a reader that gathers rows rejects a repeated one.
 */
public final class RowShards {
  public static final String SUFFIX = ".rows";
  static final byte[] MAGIC = "BRROWS\r\n".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int HEADER_BYTES = MAGIC.length + 4 * 8;
  /** Rows per file written by {@link #write}: about 40 MB at the demo's row size. */
  public static final int DEFAULT_ROWS_PER_FILE = 100_000;

  private RowShards() {}

  /** The shard files of a directory, in the order they are read. */
  public static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException("row shards: " + dir + " is not a directory");
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p)).sorted().forEach(out::add);
    }
    if (out.isEmpty()) {
      throw new BadInputException("row shards: no *" + SUFFIX + " files in " + dir);
    }
    return out;
  }

  /** Creates {@code dir} if needed, and fails if it already holds shards: rows of two runs must not mix. */
  public static void requireNoShards(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> s = Files.list(dir)) {
      if (s.anyMatch(p -> p.getFileName().toString().endsWith(SUFFIX))) {
        throw new BadInputException("row shards: " + dir + " already holds *" + SUFFIX
            + " files; choose an empty directory");
      }
    }
  }

  /** Writes every row of {@code ds} to {@code dir} (created if needed; it must hold no shards yet). */
  public static void write(ImpressionDataset ds, Path dir, int rowsPerFile) throws IOException {
    RowLayout layout = RowLayout.of(ds);
    ShardRow row = new ShardRow(layout);
    try (DirectoryWriter w = DirectoryWriter.open(dir, layout, rowsPerFile)) {
      for (int i = 0; i < ds.size; i++) {
        w.write(row.copyFrom(ds, i));
      }
    }
  }

  /**
   * Every row of a shard directory, placed at its position: the dataset the in-memory sweep would have built. The
   * positions must be exactly 0 .. n-1, each once.
   */
  public static ImpressionDataset readAll(Path dir) throws IOException {
    try (Reader r = Reader.open(dir)) {
      long n = r.totalRows();
      if (n > Integer.MAX_VALUE) {
        throw new BadInputException("row shards: " + n + " rows in " + dir + " are too many to hold in memory");
      }
      ImpressionDataset ds = r.layout().newDataset((int) n);
      BitSet seen = new BitSet((int) n);
      ShardRow row = new ShardRow(r.layout());
      while (r.next(row)) {
        if (row.position < 0 || row.position >= n) {
          throw new BadInputException(r.where() + ": position " + row.position + " is outside 0.." + (n - 1)
              + "; the directory must hold every row of one log exactly once");
        }
        int i = (int) row.position;
        if (seen.get(i)) {
          throw new BadInputException(r.where() + ": position " + i + " repeats a row already read");
        }
        seen.set(i);
        row.copyTo(ds, i);
      }
      return ds;
    }
  }

  /** One shard file being written. */
  public static final class FileWriter implements Closeable {
    private final DataOutputStream out;
    private final RowLayout layout;
    private long rows;

    private FileWriter(DataOutputStream out, RowLayout layout) {
      this.out = out;
      this.layout = layout;
    }

    /** Creates {@code file} (it must not exist) and writes its header. */
    public static FileWriter create(Path file, RowLayout layout) throws IOException {
      if (layout.sequenceLength() > 0) {
        // train refuses --sequence-attention on with --rows before it sweeps; this guards every other writer
        throw new IllegalArgumentException("row shards do not hold the event sequences of sequence attention");
      }
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file,
          java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE), 1 << 16));
      out.write(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(layout.dim());
      out.writeInt(layout.userScalars());
      out.writeInt(layout.userFields());
      out.writeInt(layout.bannerScalars());
      out.writeInt(layout.crossScalars());
      out.writeInt(layout.tasteCount());
      out.writeInt(layout.wideCount());
      return new FileWriter(out, layout);
    }

    public void write(ShardRow r) throws IOException {
      if (!r.layout.equals(layout)) {
        throw new IllegalArgumentException("row layout " + r.layout + " differs from the file's " + layout);
      }
      out.writeLong(r.position);
      out.writeLong(r.time);
      out.writeInt(r.userIdx);
      out.writeInt(r.bannerIdx);
      out.writeInt(r.slot);
      out.writeByte(r.part);
      out.writeByte(r.clicked ? 1 : 0);
      out.writeFloat(r.trueCtr);
      for (float v : r.userVector) {
        out.writeFloat(v);
      }
      writeDoubles(r.userScalars);
      writeInts(r.userCats);
      writeDoubles(r.bannerScalars);
      writeDoubles(r.crossScalars);
      writeInts(r.tasteBrands);
      writeInts(r.wide);
      rows++;
    }

    public long rows() {
      return rows;
    }

    /** Writes {@code count} whole rows already encoded in this file's layout. */
    void writeRaw(byte[] rowBytes, int offset, int count) throws IOException {
      out.write(rowBytes, offset, count * layout.rowBytes());
      rows += count;
    }

    private void writeDoubles(double[] xs) throws IOException {
      for (double v : xs) {
        out.writeDouble(v);
      }
    }

    private void writeInts(int[] xs) throws IOException {
      for (int v : xs) {
        out.writeInt(v);
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** Writes rows to {@code rows-00000.rows}, {@code rows-00001.rows}, ... starting a new file every N rows. */
  public static final class DirectoryWriter implements Closeable {
    private final Path dir;
    private final String prefix;
    private final RowLayout layout;
    private final int rowsPerFile;
    private FileWriter current;
    private int files;
    private long rows;

    private DirectoryWriter(Path dir, String prefix, RowLayout layout, int rowsPerFile) {
      this.dir = dir;
      this.prefix = prefix;
      this.layout = layout;
      this.rowsPerFile = rowsPerFile;
    }

    /** A writer to {@code dir}, which is created if needed and must hold no shards yet. */
    public static DirectoryWriter open(Path dir, RowLayout layout, int rowsPerFile) throws IOException {
      requireNoShards(dir);
      return openUnchecked(dir, "rows-", layout, rowsPerFile);
    }

    /** A writer of files {@code <prefix>00000.rows}, ... beside others: several writers may share a directory. */
    public static DirectoryWriter openUnchecked(Path dir, String prefix, RowLayout layout, int rowsPerFile) {
      if (rowsPerFile < 1) {
        throw new IllegalArgumentException("rows per file must be positive: " + rowsPerFile);
      }
      return new DirectoryWriter(dir, prefix, layout, rowsPerFile);
    }

    public void write(ShardRow r) throws IOException {
      if (current == null || current.rows() == rowsPerFile) {
        if (current != null) {
          current.close();
        }
        current = FileWriter.create(dir.resolve(String.format("%s%05d%s", prefix, files++, SUFFIX)), layout);
      }
      current.write(r);
      rows++;
    }

    public long rows() {
      return rows;
    }

    @Override
    public void close() throws IOException {
      if (current != null) {
        current.close();
      }
    }
  }

  /**
   * Rewrites the rows of {@code inputs} (files of one layout, deleted afterwards) in position order as
   * {@code <prefix>00000.rows}, {@code <prefix>00001.rows}, ... of {@code rowsPerFile} rows each in {@code dir}: the
   * files a {@link DirectoryWriter} writes when handed the rows in position order. All of the inputs' rows are held
   * at once, as bytes.
   */
  public static void writeInPositionOrder(List<Path> inputs, Path dir, String prefix, RowLayout layout,
      int rowsPerFile) throws IOException {
    int rowBytes = layout.rowBytes();
    long total = 0;
    for (Path f : inputs) {
      total += Files.size(f) - HEADER_BYTES;
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException(total + " bytes of rows are too many to sort in one piece");
    }
    byte[] bytes = new byte[(int) total];
    int at = 0;
    for (Path f : inputs) {
      try (java.io.InputStream in = Files.newInputStream(f)) {
        in.skipNBytes(HEADER_BYTES);
        int n = (int) (Files.size(f) - HEADER_BYTES);
        in.readNBytes(bytes, at, n);
        at += n;
      }
    }
    int count = (int) (total / rowBytes);
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes); // big-endian, as DataOutput wrote it
    long[] order = new long[count];
    for (int i = 0; i < count; i++) {
      long position = buf.getLong(i * rowBytes);
      if (position < 0 || position >= 1L << 40) {
        throw new IllegalStateException("row position " + position + " out of range");
      }
      order[i] = position << 23 | i; // sort by position, which is unique; the low bits say where the row is
    }
    if (count >= 1 << 23) {
      throw new IllegalStateException(count + " rows are too many to sort in one piece");
    }
    java.util.Arrays.sort(order);
    byte[] sorted = new byte[bytes.length];
    for (int k = 0; k < count; k++) {
      int i = (int) (order[k] & ((1 << 23) - 1));
      System.arraycopy(bytes, i * rowBytes, sorted, k * rowBytes, rowBytes);
    }
    bytes = null;
    for (int file = 0, from = 0; from < count; file++, from += rowsPerFile) {
      try (FileWriter w = FileWriter.create(dir.resolve(String.format("%s%05d%s", prefix, file, SUFFIX)), layout)) {
        w.writeRaw(sorted, from * rowBytes, Math.min(rowsPerFile, count - from));
      }
    }
    for (Path f : inputs) {
      Files.delete(f);
    }
  }

  /**
   * Reads a shard directory row by row, in file-name order and file order. Every header is checked when the reader
   * opens, so a wrong or truncated file is named before any row is used.
   */
  public static final class Reader implements Closeable {
    private final List<Path> files;
    private final RowLayout layout;
    private final long totalRows;
    /** One row's bytes, decoded from memory: a call per value on the stream would cost several times more. */
    private final byte[] rowBytes;
    private final java.nio.ByteBuffer row;
    private int fileIndex = -1;
    private long rowInFile;
    private long rowsInFile;
    private DataInputStream in;

    private Reader(List<Path> files, RowLayout layout, long totalRows) {
      this.files = files;
      this.layout = layout;
      this.totalRows = totalRows;
      rowBytes = new byte[layout == null ? 0 : layout.rowBytes()];
      row = java.nio.ByteBuffer.wrap(rowBytes); // big-endian, as DataOutput wrote it
    }

    public static Reader open(Path dir) throws IOException {
      return open(files(dir));
    }

    public static Reader open(List<Path> files) throws IOException {
      RowLayout layout = null;
      Path first = null;
      long total = 0;
      for (Path f : files) {
        RowLayout l;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 64))) {
          l = readHeader(in, f);
        }
        if (layout == null) {
          layout = l;
          first = f;
        } else if (!layout.equals(l)) {
          throw new BadInputException("row shards: " + f + " has layout (" + l + "), but " + first + " has ("
              + layout + ")");
        }
        long body = Files.size(f) - HEADER_BYTES;
        if (body % l.rowBytes() != 0) {
          throw new BadInputException("row shards: " + f + " is truncated: " + body + " bytes after the header are "
              + body / l.rowBytes() + " whole rows of " + l.rowBytes() + " bytes and " + body % l.rowBytes()
              + " bytes more");
        }
        total += body / l.rowBytes();
      }
      return new Reader(files, layout, total);
    }

    private static RowLayout readHeader(DataInputStream in, Path f) throws IOException {
      try {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
          throw new BadInputException("row shards: " + f + " is not a row shard (it does not start with BRROWS)");
        }
        int version = in.readInt();
        if (version != VERSION) {
          throw new BadInputException("row shards: " + f + " has format version " + version + "; this build reads "
              + VERSION);
        }
        int[] v = new int[7];
        for (int i = 0; i < v.length; i++) {
          v[i] = in.readInt();
          if (v[i] < 0 || v[i] > 1 << 20) {
            throw new BadInputException("row shards: " + f + " has an impossible layout value " + v[i]);
          }
        }
        return new RowLayout(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
      } catch (EOFException e) {
        throw new BadInputException("row shards: " + f + " ends inside its header", e);
      }
    }

    public RowLayout layout() {
      return layout;
    }

    /** Rows in all files, from their sizes. */
    public long totalRows() {
      return totalRows;
    }

    /** The file and 1-based row of the row last read, for error messages. */
    public String where() {
      return "row shards: " + files.get(Math.max(0, fileIndex)) + " row " + rowInFile;
    }

    /** Reads the next row into {@code r}; false at the end of the last file. */
    public boolean next(ShardRow r) throws IOException {
      while (in == null || rowInFile == rowsInFile) {
        if (in != null) {
          in.close();
          in = null;
        }
        if (fileIndex + 1 >= files.size()) {
          return false;
        }
        Path f = files.get(++fileIndex);
        rowsInFile = (Files.size(f) - HEADER_BYTES) / layout.rowBytes();
        rowInFile = 0;
        in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16));
        in.skipNBytes(HEADER_BYTES);
      }
      rowInFile++;
      in.readFully(rowBytes);
      java.nio.ByteBuffer b = row.clear();
      r.position = b.getLong();
      r.time = b.getLong();
      r.userIdx = b.getInt();
      r.bannerIdx = b.getInt();
      r.slot = b.getInt();
      r.part = b.get();
      if (r.part < TimeSplit.TRAIN || r.part > TimeSplit.TEST) {
        throw new BadInputException(where() + ": part is " + r.part + ", not train, validation or test (0, 1, 2)");
      }
      byte clicked = b.get();
      if (clicked != 0 && clicked != 1) {
        throw new BadInputException(where() + ": clicked is " + clicked + ", not 0 or 1");
      }
      r.clicked = clicked == 1;
      r.trueCtr = b.getFloat();
      for (int i = 0; i < r.userVector.length; i++) {
        r.userVector[i] = b.getFloat();
      }
      readDoubles(b, r.userScalars);
      readInts(b, r.userCats);
      readDoubles(b, r.bannerScalars);
      readDoubles(b, r.crossScalars);
      readInts(b, r.tasteBrands);
      readInts(b, r.wide);
      return true;
    }

    private static void readDoubles(java.nio.ByteBuffer b, double[] xs) {
      for (int i = 0; i < xs.length; i++) {
        xs[i] = b.getDouble();
      }
    }

    private static void readInts(java.nio.ByteBuffer b, int[] xs) {
      for (int i = 0; i < xs.length; i++) {
        xs[i] = b.getInt();
      }
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
      }
    }
  }
}
