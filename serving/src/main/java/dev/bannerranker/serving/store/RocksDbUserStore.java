package dev.bannerranker.serving.store;

import dev.bannerranker.data.UserProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.TtlDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * User state in an embedded RocksDB in a state directory ({@code ranker.state.store: rocksdb}), owned by one process
 * (RocksDB's lock file refuses a second). Column family {@code users}: the user id (UTF-8) to one value, a flag byte
 * and the three profile bytes, then the log ({@link UserValue}); one value per user, so every write refreshes the
 * retention of all of it. Column family {@code names}: the kind's letter and the name to
 * its id (four big-endian bytes), and the upper-case letter and the id to the name.
 *
 * <p>Appends read, extend and write a value under a per-user lock of this process, the only writer. With {@code sync:
 * always} every write returns after the write-ahead log is synced; concurrent writers share one sync (RocksDB's
 * group commit). With {@code sync: interval} the log is written before the reply (a crash of the process loses
 * nothing) and synced every interval (a crash of the machine loses at most that). Retention uses RocksDB's TTL: a
 * user not written for the retention is dropped by the next compaction that reaches it.
 *
 * <p>The default column family (no retention) holds the live catalog under the key {@code catalog}: its version
 * (eight big-endian bytes), then the encoded catalog; written with a sync whatever the sync setting.
 */
public final class RocksDbUserStore implements UserStore {
  private static final Logger LOG = LoggerFactory.getLogger(RocksDbUserStore.class);
  private static final int STRIPES = 1024;

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final StoredLog.Limits limits;
  private final boolean syncAlways;
  private final String description;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final TtlDB db;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle users;
  private final ColumnFamilyHandle namesCf;
  private final WriteOptions writeOptions;
  private final ScheduledExecutorService syncer;
  private final Object[] stripes = new Object[STRIPES];
  private final Map<String, Integer>[] ids;
  private final Map<Integer, String>[] names;
  private final int[] nextId = new int[NameKind.values().length];
  /** Operations hold the read lock, close the write lock: the native handles are never used after close. */
  private final java.util.concurrent.locks.ReentrantReadWriteLock open = new java.util.concurrent.locks.ReentrantReadWriteLock();
  private boolean closed;

  /**
   * Opens (creating when new) the state in {@code dir}.
   *
   * @param syncAlways sync the write-ahead log before each write returns; else every {@code syncInterval}
   * @param retention users not written for this long are dropped; zero keeps them
   */
  @SuppressWarnings("unchecked")
  public RocksDbUserStore(Path dir, StoredLog.Limits limits, boolean syncAlways, Duration syncInterval,
      Duration retention) {
    StateDirectory.prepare(dir);
    this.dir = dir;
    this.limits = limits;
    this.syncAlways = syncAlways;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
    cfOptions = new ColumnFamilyOptions();
    List<ColumnFamilyDescriptor> descriptors = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
        new ColumnFamilyDescriptor("users".getBytes(StandardCharsets.UTF_8), cfOptions),
        new ColumnFamilyDescriptor("names".getBytes(StandardCharsets.UTF_8), cfOptions));
    int ttl = (int) Math.min(Integer.MAX_VALUE, retention.toSeconds());
    handles = new ArrayList<>();
    try {
      db = TtlDB.open(dbOptions, dir.toString(), descriptors, handles, List.of(0, ttl, 0), false);
    } catch (RocksDBException e) {
      dbOptions.close();
      cfOptions.close();
      String why = String.valueOf(e.getMessage());
      throw new UncheckedIOException(new IOException("state directory " + dir + " cannot be opened"
          + (why.contains("lock") ? " (another process is using it)" : "") + ": " + why, e));
    }
    users = handles.get(1);
    namesCf = handles.get(2);
    writeOptions = new WriteOptions().setSync(syncAlways);
    ids = new Map[NameKind.values().length];
    names = new Map[NameKind.values().length];
    for (NameKind k : NameKind.values()) {
      ids[k.ordinal()] = new ConcurrentHashMap<>();
      names[k.ordinal()] = new ConcurrentHashMap<>();
    }
    loadNames();
    if (syncAlways) {
      syncer = null;
      description = "rocksdb " + dir + " (sync always)";
    } else {
      syncer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "state-wal-sync");
        t.setDaemon(true);
        return t;
      });
      long ms = Math.max(1, syncInterval.toMillis());
      syncer.scheduleWithFixedDelay(this::syncWal, ms, ms, TimeUnit.MILLISECONDS);
      description = "rocksdb " + dir + " (sync every " + ms + " ms)";
    }
  }

  private void syncWal() {
    try {
      guarded(() -> {
        try {
          db.flushWal(true);
        } catch (RocksDBException e) {
          throw new StoreUnavailableException("syncing the write-ahead log failed", e);
        }
        return null;
      });
    } catch (RuntimeException e) {
      LOG.atWarn().setCause(e).addKeyValue("dir", dir.toString()).log("syncing the state's write-ahead log failed");
    }
  }

  private void loadNames() {
    try (RocksIterator it = db.newIterator(namesCf)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        NameKind kind = kindOf(Character.toLowerCase((char) k[0]));
        if (kind == null || Character.isUpperCase((char) k[0])) {
          continue;
        }
        String name = new String(k, 1, k.length - 1, StandardCharsets.UTF_8);
        int id = int32(it.value());
        ids[kind.ordinal()].put(name, id);
        names[kind.ordinal()].put(id, name);
        nextId[kind.ordinal()] = Math.max(nextId[kind.ordinal()], id);
      }
    }
  }

  private static NameKind kindOf(char code) {
    for (NameKind k : NameKind.values()) {
      if (k.code() == code) {
        return k;
      }
    }
    return null;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public String kind() {
    return "rocksdb";
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public boolean durable() {
    return true;
  }

  private static byte[] key(String userId) {
    return userId.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public StoredUser read(String userId) {
    return guarded(() -> doRead(userId));
  }

  private StoredUser doRead(String userId) {
    try {
      return decode(userId, db.get(users, key(userId)));
    } catch (RocksDBException e) {
      throw unavailable("read", e);
    }
  }

  private static StoredUser decode(String userId, byte[] v) {
    return UserValue.decode(userId, v);
  }

  private static byte[] encode(UserProfile profile, byte[] log) {
    return UserValue.encode(profile, log);
  }

  @Override
  public void append(String userId, byte[] records) {
    appendAll(List.of(new UserRecords(userId, records)));
  }

  @Override
  public void appendAll(List<UserRecords> batch) {
    guarded(() -> {
      doAppendAll(batch);
      return null;
    });
  }

  private void doAppendAll(List<UserRecords> batch) {
    List<String> userIds = new ArrayList<>(batch.size());
    batch.forEach(r -> userIds.add(r.userId()));
    locked(userIds, () -> {
      try (WriteBatch wb = new WriteBatch()) {
        Map<String, StoredUser> current = readAll(userIds);
        for (UserRecords r : batch) {
          StoredUser u = current.get(r.userId());
          byte[] log = u == null || u.log() == null ? r.records() : MemoryUserStore.concat(u.log(), r.records());
          if (StoredLog.needsCompaction(log, limits)) {
            log = StoredLog.compact(log, limits, true);
          }
          StoredUser next = new StoredUser(r.userId(), u == null ? null : u.profile(), log);
          current.put(r.userId(), next);
          wb.put(users, key(r.userId()), encode(next.profile(), next.log()));
        }
        db.write(writeOptions, wb);
      } catch (RocksDBException e) {
        throw unavailable("append", e);
      }
    });
  }

  /** The current values of the users, by id; the caller holds their locks. */
  private Map<String, StoredUser> readAll(List<String> userIds) throws RocksDBException {
    List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(userIds));
    List<byte[]> keys = new ArrayList<>(distinct.size());
    List<ColumnFamilyHandle> cfs = new ArrayList<>(distinct.size());
    for (String id : distinct) {
      keys.add(key(id));
      cfs.add(users);
    }
    List<byte[]> values = db.multiGetAsList(cfs, keys);
    Map<String, StoredUser> out = new java.util.HashMap<>();
    for (int i = 0; i < distinct.size(); i++) {
      StoredUser u = decode(distinct.get(i), values.get(i));
      if (u != null) {
        out.put(distinct.get(i), u);
      }
    }
    return out;
  }

  /** Runs {@code body} holding the stripes of the users, taken in index order so two callers cannot deadlock. */
  private void locked(List<String> userIds, Runnable body) {
    TreeSet<Integer> set = new TreeSet<>();
    for (String id : userIds) {
      set.add((id.hashCode() ^ id.hashCode() >>> 16) & (STRIPES - 1));
    }
    lockStripes(set.stream().mapToInt(Integer::intValue).toArray(), 0, body);
  }

  private void lockStripes(int[] order, int i, Runnable body) {
    if (i == order.length) {
      body.run();
      return;
    }
    synchronized (stripes[order[i]]) {
      lockStripes(order, i + 1, body);
    }
  }

  @Override
  public void upsertProfiles(List<UserProfile> profiles) {
    guarded(() -> {
      doUpsertProfiles(profiles);
      return null;
    });
  }

  private void doUpsertProfiles(List<UserProfile> profiles) {
    List<String> userIds = new ArrayList<>(profiles.size());
    profiles.forEach(p -> userIds.add(p.id()));
    locked(userIds, () -> {
      try (WriteBatch wb = new WriteBatch()) {
        Map<String, StoredUser> current = readAll(userIds);
        for (UserProfile p : profiles) {
          StoredUser u = current.get(p.id());
          wb.put(users, key(p.id()), encode(p, u == null ? null : u.log()));
          current.put(p.id(), new StoredUser(p.id(), p, u == null ? null : u.log()));
        }
        db.write(writeOptions, wb);
      } catch (RocksDBException e) {
        throw unavailable("upsert_profiles", e);
      }
    });
  }

  @Override
  public void replaceUsers(List<StoredUser> list) {
    guarded(() -> {
      doReplaceUsers(list);
      return null;
    });
  }

  private void doReplaceUsers(List<StoredUser> list) {
    List<String> userIds = new ArrayList<>(list.size());
    list.forEach(u -> userIds.add(u.userId()));
    locked(userIds, () -> {
      try (WriteBatch wb = new WriteBatch()) {
        for (StoredUser u : list) {
          if (u.profile() == null && u.log() == null) {
            wb.delete(users, key(u.userId()));
          } else {
            wb.put(users, key(u.userId()), encode(u.profile(), u.log()));
          }
        }
        db.write(writeOptions, wb);
      } catch (RocksDBException e) {
        throw unavailable("replace_users", e);
      }
    });
  }

  @Override
  public boolean delete(String userId) {
    return guarded(() -> doDelete(userId));
  }

  private boolean doDelete(String userId) {
    boolean[] held = {false};
    locked(List.of(userId), () -> {
      try {
        held[0] = db.get(users, key(userId)) != null;
        db.delete(users, writeOptions, key(userId));
      } catch (RocksDBException e) {
        throw unavailable("delete", e);
      }
    });
    return held[0];
  }

  @Override
  public boolean isEmpty() {
    return guarded(this::doIsEmpty);
  }

  private boolean doIsEmpty() {
    try (RocksIterator it = db.newIterator(users)) {
      it.seekToFirst();
      return !it.isValid();
    }
  }

  @Override
  public int nameId(NameKind kind, String name) {
    return guarded(() -> doNameId(kind, name));
  }

  private int doNameId(NameKind kind, String name) {
    Integer id = ids[kind.ordinal()].get(name);
    if (id != null) {
      return id;
    }
    synchronized (ids[kind.ordinal()]) {
      id = ids[kind.ordinal()].get(name);
      if (id != null) {
        return id;
      }
      int next = nextId[kind.ordinal()] + 1;
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      byte[] byName = new byte[1 + nameBytes.length];
      byName[0] = (byte) kind.code();
      System.arraycopy(nameBytes, 0, byName, 1, nameBytes.length);
      byte[] idBytes = int32(next);
      byte[] byId = new byte[5];
      byId[0] = (byte) Character.toUpperCase(kind.code());
      System.arraycopy(idBytes, 0, byId, 1, 4);
      // Not synced itself: the records that use the id are written after it, and their sync covers it.
      try (WriteBatch wb = new WriteBatch(); WriteOptions unsynced = new WriteOptions()) {
        wb.put(namesCf, byName, idBytes);
        wb.put(namesCf, byId, nameBytes);
        db.write(unsynced, wb);
      } catch (RocksDBException e) {
        throw unavailable("name_id", e);
      }
      nextId[kind.ordinal()] = next;
      names[kind.ordinal()].put(next, name);
      ids[kind.ordinal()].put(name, next);
      return next;
    }
  }

  @Override
  public String name(NameKind kind, int id) {
    return names[kind.ordinal()].get(id);
  }

  private static byte[] int32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  private static int int32(byte[] b) {
    return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
  }

  private static final byte[] CATALOG_KEY = "catalog".getBytes(StandardCharsets.UTF_8);
  private final CatalogStore catalog = new CatalogStore() {
    @Override
    public synchronized StoredCatalog read() {
      return guarded(() -> {
        try {
          byte[] v = db.get(handles.get(0), CATALOG_KEY);
          return v == null ? null : new StoredCatalog(java.nio.ByteBuffer.wrap(v).getLong(), Arrays.copyOfRange(v, 8,
              v.length));
        } catch (RocksDBException e) {
          throw unavailable("read_catalog", e);
        }
      });
    }

    @Override
    public long version() {
      StoredCatalog c = read();
      return c == null ? 0 : c.version();
    }

    @Override
    public synchronized boolean write(long expected, long version, byte[] encoded) {
      if (version() != expected) {
        return false;
      }
      return guarded(() -> {
        byte[] v = java.nio.ByteBuffer.allocate(8 + encoded.length).putLong(version).put(encoded).array();
        try (WriteOptions synced = new WriteOptions().setSync(true)) {
          db.put(handles.get(0), synced, CATALOG_KEY, v);
        } catch (RocksDBException e) {
          throw unavailable("write_catalog", e);
        }
        return true;
      });
    }
  };

  @Override
  public CatalogStore catalog() {
    return catalog;
  }

  private StoreUnavailableException unavailable(String op, RocksDBException e) {
    return new StoreUnavailableException("the state store (" + dir + ") failed to " + op.replace('_', ' ') + ": "
        + e.getMessage(), e);
  }

  /**
   * Compacts the users now, which also drops those past their retention (else done in the background over time);
   * for tests and the memory benchmark's disk figure.
   */
  public void compactAll() {
    guarded(() -> {
      // Every column family flushed first, so no write-ahead log file is kept for a memtable.
      try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
        db.flush(flush, handles);
        db.compactRange(users);
      } catch (RocksDBException e) {
        throw unavailable("compact", e);
      }
      return null;
    });
  }

  private <T> T guarded(java.util.function.Supplier<T> op) {
    open.readLock().lock();
    try {
      if (closed) {
        throw new StoreUnavailableException("the state store (" + dir + ") is closed");
      }
      return op.get();
    } finally {
      open.readLock().unlock();
    }
  }

  /** Syncs the log and releases the directory, after the operations in flight. */
  @Override
  public void close() {
    open.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      closeHandles();
    } finally {
      open.writeLock().unlock();
    }
  }

  private void closeHandles() {
    if (syncer != null) {
      syncer.shutdownNow();
    }
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      LOG.atWarn().setCause(e).log("syncing the state's write-ahead log at close failed");
    }
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    writeOptions.close();
    dbOptions.close();
    cfOptions.close();
  }
}
