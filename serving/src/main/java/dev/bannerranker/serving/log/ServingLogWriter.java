package dev.bannerranker.serving.log;

import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ServingLogEncoder;
import dev.bannerranker.servinglog.ServingLogFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends records to rotating JSON-lines files from one thread. Callers only offer to a bounded queue: when it is
 * full the record is dropped and reported to {@code dropped}, so a caller never waits on the disk. While records come
 * in, the thread wakes every {@link #BATCH_MILLIS} ms and takes all that queued, so a busy caller never pays for
 * waking it; only after a quiet round does it wait for the next record. Records are encoded into one buffer that goes
 * to the file once it holds {@link #WRITE_BYTES}, and at every sync. Files are rotated by size and age, and flushed
 * and fsynced at rotation, at close and every sync interval.
 */
public final class ServingLogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingLogWriter.class);
  /** A record that tells the thread to stop once everything before it is written. */
  private static final Object STOP = new Object();
  /** How long the busy writer thread sleeps between rounds: what a record may wait before it is encoded. */
  static final long BATCH_MILLIS = 5;
  /** Encoded bytes the thread collects before it writes them to the file. */
  static final int WRITE_BYTES = 64 * 1024;

  /** Something queued that encodes itself on the writer thread (a decision built from the Rank's own objects). */
  interface Entry {
    /** The record type code, for the dropped counter. */
    String type();

    void encode(ServingLogEncoder out);
  }

  private final Path dir;
  private final long maxFileSize;
  private final long maxFileAgeMillis;
  private final long syncIntervalMillis;
  private final Clock clock;
  private final BlockingQueue<Object> queue;
  private final Consumer<String> dropped;
  private final Thread thread;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean closed;
  /** The thread waits for the next record: the next offer wakes it. */
  private volatile boolean idle;

  // Writer-thread state.
  private final ServingLogEncoder encoder = new ServingLogEncoder(WRITE_BYTES + 16 * 1024);
  /** Records in {@link #encoder} not yet in the file: lost together if writing them fails. */
  private int buffered;
  private int seq;
  private FileChannel channel;
  /** Bytes already in the current file. */
  private long fileBytes;
  private Path file;
  private long fileOpenedAt;
  private long lastSync;
  private boolean dirty;
  private long lastErrorLogged = Long.MIN_VALUE / 2;

  /**
   * @param dropped told the type code of every record the full queue refused (on the caller's thread)
   */
  public ServingLogWriter(Path dir, LogSettings settings, Clock clock, Consumer<String> dropped)
      throws IOException {
    this.dir = dir;
    this.maxFileSize = settings.maxFileSize();
    this.maxFileAgeMillis = settings.maxFileAge().toMillis();
    this.syncIntervalMillis = Math.max(1, settings.syncInterval().toMillis());
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(settings.queueSize());
    this.dropped = dropped;
    Files.createDirectories(dir);
    // Numbers continue after the files already there, so a restart's files sort after the old ones.
    this.seq = ServingLogFiles.lastSequence(dir);
    this.thread = new Thread(this::run, "serving-log-writer");
    thread.setDaemon(true);
    thread.start();
  }

  public Path dir() {
    return dir;
  }

  /** Queues a record; never blocks. Returns false (and reports the drop) when the queue is full or closed. */
  public boolean offer(LogRecord record) {
    return offer(record, record.type());
  }

  /** Queues an entry that encodes itself on the writer thread, as {@link #offer(LogRecord)}. */
  boolean offer(Entry entry) {
    return offer(entry, entry.type());
  }

  private boolean offer(Object entry, String type) {
    if (closed || !queue.offer(entry)) {
      dropped.accept(type);
      return false;
    }
    if (idle) {
      idle = false;
      LockSupport.unpark(thread);
    }
    return true;
  }

  /** Records written to files so far. */
  public long written() {
    return written.get();
  }

  /** Times the current file was flushed and fsynced. */
  public long syncs() {
    return syncs.get();
  }

  /** Records lost to write errors (already reported in the service log). */
  public long failures() {
    return failures.get();
  }

  /** The file being written, or null between files. */
  public synchronized Path currentFile() {
    return file;
  }

  private void run() {
    lastSync = clock.millis();
    List<Object> batch = new ArrayList<>(1024);
    boolean stop = false;
    while (!stop) {
      batch.clear();
      queue.drainTo(batch);
      for (Object next : batch) {
        if (next == STOP) {
          stop = true;
          break;
        }
        write(next);
      }
      long now = clock.millis();
      if (dirty && now - lastSync >= syncIntervalMillis) {
        sync();
      }
      if (channel != null && now - fileOpenedAt >= maxFileAgeMillis) {
        closeFile();
      }
      if (stop) {
        break;
      }
      if (!batch.isEmpty()) {
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS));
      } else {
        // A quiet round: wait for the next record, or until the sync (or the age check) is due.
        long wait = dirty ? Math.max(1, lastSync + syncIntervalMillis - now) : syncIntervalMillis;
        idle = true;
        if (queue.isEmpty()) {
          LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(wait));
        }
        idle = false;
      }
      stop = Thread.interrupted();
    }
    // Whatever was queued before close is written too.
    for (Object next; (next = queue.poll()) != null; ) {
      if (next != STOP) {
        write(next);
      }
    }
    closeFile();
  }

  private void write(Object next) {
    int mark = encoder.size();
    try {
      if (channel == null) {
        openFile();
      }
      if (next instanceof LogRecord r) {
        encoder.line(r);
      } else {
        ((Entry) next).encode(encoder);
      }
    } catch (IOException | RuntimeException e) {
      // The records encoded before this one stay for the file.
      encoder.truncate(mark);
      failed(e, 1);
      return;
    }
    buffered++;
    dirty = true;
    written.incrementAndGet();
    if (fileBytes + encoder.size() >= maxFileSize) {
      closeFile();
    } else if (encoder.size() >= WRITE_BYTES) {
      writeOut();
    }
  }

  /** Writes the encoded records to the file; after an error they are counted lost and the file is abandoned. */
  private boolean writeOut() {
    if (encoder.size() == 0) {
      return true;
    }
    int n = encoder.size();
    try {
      encoder.writeTo(channel);
      fileBytes += n;
      buffered = 0;
      return true;
    } catch (IOException | RuntimeException e) {
      encoder.clear();
      int lost = buffered;
      buffered = 0;
      failed(e, lost);
      abandonFile();
      return false;
    }
  }

  private void failed(Exception e, int records) {
    failures.addAndGet(records);
    // A full disk fails every record: say so once a minute, not once a record.
    long now = clock.millis();
    if (now - lastErrorLogged >= 60_000) {
      lastErrorLogged = now;
      LOG.atError().setCause(e).addKeyValue("log_dir", dir.toString()).addKeyValue("failed_records", failures.get())
          .log("serving log write failed; records are lost until writing works again");
    }
  }

  private void openFile() throws IOException {
    while (true) {
      Instant now = clock.instant();
      Path next = dir.resolve(ServingLogFiles.logFileName(now, ++seq));
      try {
        FileChannel ch = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        synchronized (this) {
          channel = ch;
          file = next;
        }
        fileBytes = 0;
        fileOpenedAt = now.toEpochMilli();
        return;
      } catch (FileAlreadyExistsException e) {
        // another writer shares the directory: take the next number
      }
    }
  }

  private void sync() {
    if (channel == null) {
      dirty = false;
      return;
    }
    if (writeOut()) {
      try {
        channel.force(false);
        syncs.incrementAndGet();
      } catch (IOException e) {
        LOG.atError().setCause(e).addKeyValue("log_file", String.valueOf(file)).log("serving log sync failed");
        abandonFile();
      }
    }
    dirty = false;
    lastSync = clock.millis();
  }

  private void closeFile() {
    if (channel == null) {
      return;
    }
    sync();
    abandonFile();
  }

  /** Closes the file without a sync (after an error, or after {@link #sync()}). */
  private void abandonFile() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      LOG.atWarn().setCause(e).addKeyValue("log_file", String.valueOf(file)).log("serving log close failed");
    }
    synchronized (this) {
      channel = null;
      file = null;
    }
    dirty = false;
  }

  /** Writes what is queued, syncs and closes the file; waits up to {@code timeoutMillis} for the thread. */
  public void close(long timeoutMillis) {
    if (closed) {
      return;
    }
    closed = true;
    // The queue may be full: the stop marker then waits for room, which the writer makes.
    try {
      if (!queue.offer(STOP, timeoutMillis, TimeUnit.MILLISECONDS)) {
        thread.interrupt();
      }
      LockSupport.unpark(thread);
      thread.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(10_000);
  }
}
