package dev.bannerranker.serving.log;

import dev.bannerranker.servinglog.LogRecord;
import dev.bannerranker.servinglog.ServingLogCodec;
import dev.bannerranker.servinglog.ServingLogFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends records to rotating JSON-lines files from one thread. Callers only offer to a bounded queue: when it is
 * full the record is dropped and reported to {@code dropped}, so a caller never waits on the disk. Files are rotated
 * by size and age, and flushed and fsynced at rotation, at close and every sync interval.
 */
public final class ServingLogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingLogWriter.class);
  /** A record that tells the thread to stop once everything before it is written. */
  private static final Object STOP = new Object();

  private final Path dir;
  private final long maxFileSize;
  private final long maxFileAgeMillis;
  private final long syncIntervalMillis;
  private final Clock clock;
  private final BlockingQueue<Object> queue;
  private final Consumer<LogRecord> dropped;
  private final Thread thread;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean closed;

  // Writer-thread state.
  private int seq;
  private FileChannel channel;
  private Writer out;
  private Path file;
  private long fileBytes;
  private long fileOpenedAt;
  private long lastSync;
  private boolean dirty;
  private long lastErrorLogged = Long.MIN_VALUE / 2;

  /**
   * @param dropped told of every record the full queue refused (on the caller's thread)
   */
  public ServingLogWriter(Path dir, LogSettings settings, Clock clock, Consumer<LogRecord> dropped)
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
    if (closed || !queue.offer(record)) {
      dropped.accept(record);
      return false;
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
    try {
      while (true) {
        long now = clock.millis();
        long wait = dirty ? Math.max(0, lastSync + syncIntervalMillis - now) : syncIntervalMillis;
        Object next = queue.poll(wait, TimeUnit.MILLISECONDS);
        if (next == STOP) {
          break;
        }
        if (next != null) {
          write((LogRecord) next);
        }
        now = clock.millis();
        if (dirty && now - lastSync >= syncIntervalMillis) {
          sync();
        }
        if (out != null && now - fileOpenedAt >= maxFileAgeMillis) {
          closeFile();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Whatever was queued before close is written too.
    for (Object next; (next = queue.poll()) != null; ) {
      if (next != STOP) {
        write((LogRecord) next);
      }
    }
    closeFile();
  }

  private void write(LogRecord record) {
    try {
      if (out == null) {
        openFile();
      }
      String line = ServingLogCodec.encode(record) + "\n";
      out.write(line);
      dirty = true;
      fileBytes += utf8Length(line);
      written.incrementAndGet();
      if (fileBytes >= maxFileSize) {
        closeFile();
      }
    } catch (IOException | RuntimeException e) {
      failures.incrementAndGet();
      // A full disk fails every record: say so once a minute, not once a record.
      long now = clock.millis();
      if (now - lastErrorLogged >= 60_000) {
        lastErrorLogged = now;
        LOG.atError().setCause(e).addKeyValue("log_dir", dir.toString()).addKeyValue("failed_records", failures.get())
            .log("serving log write failed; records are lost until writing works again");
      }
      abandonFile();
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
        out = new OutputStreamWriter(Channels.newOutputStream(ch), StandardCharsets.UTF_8);
        out = new java.io.BufferedWriter(out, 1 << 16);
        fileBytes = 0;
        fileOpenedAt = now.toEpochMilli();
        return;
      } catch (FileAlreadyExistsException e) {
        // another writer shares the directory: take the next number
      }
    }
  }

  private void sync() {
    if (out == null) {
      dirty = false;
      return;
    }
    try {
      out.flush();
      channel.force(false);
      syncs.incrementAndGet();
    } catch (IOException e) {
      LOG.atError().setCause(e).addKeyValue("log_file", String.valueOf(file)).log("serving log sync failed");
      abandonFile();
    }
    dirty = false;
    lastSync = clock.millis();
  }

  private void closeFile() {
    if (out == null) {
      return;
    }
    sync();
    abandonFile();
  }

  /** Closes the file without a sync (after an error, or after {@link #sync()}). */
  private void abandonFile() {
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException e) {
      LOG.atWarn().setCause(e).addKeyValue("log_file", String.valueOf(file)).log("serving log close failed");
    }
    synchronized (this) {
      out = null;
      channel = null;
      file = null;
    }
    dirty = false;
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
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
