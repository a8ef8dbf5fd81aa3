package dev.bannerranker.serving.store;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.UserProfile;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * User state in Redis ({@code ranker.state.store: redis}), shared by every replica that points at the same server.
 * Each user is one string {@code u:<user id>} holding a {@link UserValue} (profile flag and bytes, then the packed
 * {@link StoredLog}), with the retention as its expiry, refreshed by every write. Names: the hashes {@code
 * ranker:names:<kind>} (name to id) and {@code ranker:ids:<kind>} (id to name), ids from the counter {@code
 * ranker:next:<kind>}; they never expire, so Redis must not evict keys without an expiry ({@code maxmemory-policy}
 * {@code noeviction} or a {@code volatile-*} one) and should persist (AOF), or ids would be reassigned.
 *
 * <p>Every write is one Lua script or command, so it is atomic on the server: an append extends the logs of all
 * the call's users at once (two replicas' appends for one user both land), a profile upsert replaces only the
 * profile bytes, a name gets its id once for all replicas. Compaction is optimistic: an append whose log may be past its limits gets the value back,
 * compacts it here, and swaps in the compacted prefix only if that prefix is still the log's start (what other
 * replicas appended meanwhile is kept behind it); a swap that lost a race is dropped, the next append retries.
 *
 * <p>Nothing waits longer than the timeout ({@code ranker.state.timeout}; a batch gets more in proportion to its
 * size): a command that has not answered by then, or any command while the connection is down (Lettuce rejects
 * instead of queueing), or one beyond the bounded request queue, fails with {@link StoreUnavailableException}. The
 * client reconnects by itself.
 *
 * <p>The live catalog: {@code ranker:catalog} holds its version (eight big-endian bytes) then the encoded catalog,
 * {@code ranker:catalog:version} the version alone (cheap to poll); a write is one script that checks the version it
 * expects, sets both and publishes the new version on the channel {@code ranker:catalog:changes}.
 */
public final class RedisUserStore implements UserStore {
  /** The layout marker; a server holding another layout is refused. */
  static final String LAYOUT_KEY = "ranker:layout";
  static final String LAYOUT = "banner-ranker-state redis 1";
  private static final int REQUEST_QUEUE = 10_000;
  private static final int BATCH_PER_TIMEOUT = 256;

  /**
   * Appends ARGV[i + 3] to the log of each user KEYS[i], all in one step; sets the expiry ARGV[1] ms (0: none);
   * returns each value whose records appended after its packed block ({@link StoredLog#APPENDED_OFFSET}) take
   * ARGV[2] bytes or more, or, for a value without a block, that is ARGV[3] bytes or longer; else an empty string.
   */
  private static final String APPEND = """
      local out = {}
      for i, k in ipairs(KEYS) do
        local v = redis.call('GET', k)
        if not v then v = '\\0' end
        v = v .. ARGV[i + 3]
        if tonumber(ARGV[1]) > 0 then redis.call('SET', k, v, 'PX', ARGV[1]) else redis.call('SET', k, v) end
        local from = 2
        if string.byte(v, 1) == 1 then from = 5 end
        local due
        if string.byte(v, from) == %d and #v >= from + %d then
          local a, b, c, d = string.byte(v, from + %d, from + %d)
          due = #v - from + 1 - (((a * 256 + b) * 256 + c) * 256 + d) >= tonumber(ARGV[2])
        else
          due = #v >= tonumber(ARGV[3])
        end
        if due then out[i] = v else out[i] = '' end
      end
      return out
      """.formatted(StoredLog.HEADER, StoredLog.APPENDED_OFFSET + 3, StoredLog.APPENDED_OFFSET,
      StoredLog.APPENDED_OFFSET + 3);
  /** Replaces the log's prefix ARGV[1] by ARGV[2] if the log still starts with it; 1 when swapped. */
  private static final String COMPACT = """
      local v = redis.call('GET', KEYS[1])
      if not v then return 0 end
      local from = 2
      if string.byte(v, 1) == 1 then from = 5 end
      local old = ARGV[1]
      if string.sub(v, from, from + #old - 1) ~= old then return 0 end
      v = string.sub(v, 1, from - 1) .. ARGV[2] .. string.sub(v, from + #old)
      if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[1], v, 'PX', ARGV[3]) else redis.call('SET', KEYS[1], v) end
      return 1
      """;
  /** Sets the profile bytes ARGV[i + 1] of each user KEYS[i], keeping their logs; expiry ARGV[1] ms (0: none). */
  private static final String PROFILES = """
      for i, k in ipairs(KEYS) do
        local v = redis.call('GET', k)
        local log = ''
        if v then
          if string.byte(v, 1) == 1 then log = string.sub(v, 5) else log = string.sub(v, 2) end
        end
        v = '\\1' .. ARGV[i + 1] .. log
        if tonumber(ARGV[1]) > 0 then redis.call('SET', k, v, 'PX', ARGV[1]) else redis.call('SET', k, v) end
      end
      return #KEYS
      """;
  /** The id of the name ARGV[1] in hash KEYS[1], assigned from counter KEYS[3] (and noted in KEYS[2]) when new. */
  private static final String NAME_ID = """
      local id = redis.call('HGET', KEYS[1], ARGV[1])
      if id then return tonumber(id) end
      id = redis.call('INCR', KEYS[3])
      redis.call('HSET', KEYS[1], ARGV[1], id)
      redis.call('HSET', KEYS[2], id, ARGV[1])
      return id
      """;

  /** Sets catalog KEYS[2] = ARGV[3] and version KEYS[1] = ARGV[2] if the version is still ARGV[1]; 1 when set. */
  private static final String CATALOG_WRITE = """
      local v = redis.call('GET', KEYS[1])
      if not v then v = '0' end
      if v ~= ARGV[1] then return 0 end
      redis.call('SET', KEYS[2], ARGV[3])
      redis.call('SET', KEYS[1], ARGV[2])
      redis.call('PUBLISH', ARGV[4], ARGV[2])
      return 1
      """;
  static final String CATALOG_KEY = "ranker:catalog";
  static final String CATALOG_VERSION_KEY = "ranker:catalog:version";
  static final String CATALOG_CHANNEL = "ranker:catalog:changes";

  private final StoredLog.Limits limits;
  private final int slack;
  private final long timeoutNanos;
  /** The wait of operations off the request path: the bulk import, the start-up checks, loading a script. */
  private final long bulkNanos;
  private final long ttl;
  private final byte[] ttlMillis;
  private final byte[] returnAtAppended;
  private final byte[] returnAtBytes;
  private final String description;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> redis;
  private final Map<String, String> shas = new ConcurrentHashMap<>();
  private final Map<String, Integer>[] ids;
  private final Map<Integer, String>[] names;

  /**
   * Connects to {@code uri} ({@code redis://HOST:PORT}, optionally with a database {@code /N} and a password).
   *
   * @param timeout longest wait for one operation
   * @param retention users not written for this long expire; zero keeps them
   * @throws UncheckedIOException when the server cannot be reached
   * @throws BadInputException when the server holds another layout
   */
  @SuppressWarnings("unchecked")
  public RedisUserStore(String uri, StoredLog.Limits limits, Duration timeout, Duration retention) {
    this.limits = limits;
    this.timeoutNanos = timeout.toNanos();
    this.bulkNanos = Math.max(timeoutNanos, Duration.ofSeconds(5).toNanos());
    this.ttl = retention.toMillis();
    this.ttlMillis = ascii(Long.toString(ttl));
    // Memory is what Redis costs, so logs are compacted once either kind is an eighth past the capacity (the
    // embedded store waits for half). A compacted block holds at most the capacity of events, so a value needing
    // compaction has more than `slack` records appended after it, each at least 3 bytes; the append script sends
    // back only values with that many bytes appended (a block over-full of cap-window impressions, or imported
    // under a larger capacity, waits as long). A value without a block needs capacity + slack records of one
    // kind, each at least 5 bytes.
    this.slack = Math.max(1, limits.capacity() / 8);
    this.returnAtAppended = ascii(Integer.toString((slack + 1) * 3));
    this.returnAtBytes = ascii(Integer.toString((limits.capacity() + slack + 1) * 5));
    RedisURI redisUri;
    try {
      redisUri = RedisURI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("ranker.state.redis-uri is not a Redis URI like redis://localhost:6379", e);
    }
    Duration connectTimeout = Duration.ofNanos(Math.max(Duration.ofSeconds(1).toNanos(), 10 * timeoutNanos));
    redisUri.setTimeout(connectTimeout);
    this.description = "redis " + redisUri.getHost() + ":" + redisUri.getPort()
        + (redisUri.getDatabase() != 0 ? "/" + redisUri.getDatabase() : "") + " (shared; timeout "
        + timeout.toMillis() + " ms" + (retention.isZero() ? "" : ", retention " + retention) + ")";
    resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
        .build();
    client = RedisClient.create(resources, redisUri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(REQUEST_QUEUE)
        // Callers give up after `timeout`; this only clears commands a stalled server never answers.
        .timeoutOptions(TimeoutOptions.enabled(connectTimeout))
        .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
        .build());
    try {
      connection = client.connect(ByteArrayCodec.INSTANCE);
    } catch (RuntimeException e) {
      shutdown();
      throw new UncheckedIOException(new IOException("Redis at " + redisUri.getHost() + ":" + redisUri.getPort()
          + " cannot be reached (ranker.state.redis-uri): " + e.getMessage(), e));
    }
    redis = connection.async();
    ids = new Map[NameKind.values().length];
    names = new Map[NameKind.values().length];
    for (NameKind k : NameKind.values()) {
      ids[k.ordinal()] = new ConcurrentHashMap<>();
      names[k.ordinal()] = new ConcurrentHashMap<>();
    }
    try {
      checkLayout();
      warmUp();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void checkLayout() {
    byte[] key = ascii(LAYOUT_KEY);
    await("check the layout", redis.setnx(key, ascii(LAYOUT)), bulkNanos);
    byte[] held = await("check the layout", redis.get(key), bulkNanos);
    String layout = held == null ? "" : new String(held, StandardCharsets.UTF_8);
    if (!layout.equals(LAYOUT)) {
      throw new BadInputException("the Redis database holds " + LAYOUT_KEY + " '"
          + layout.substring(0, Math.min(60, layout.length())) + "', not '" + LAYOUT + "': another program's data "
          + "or another layout; use an empty database (redis://HOST:PORT/N picks one)");
    }
  }

  /** Loads the scripts and the names now, so the first requests need neither (nor a cold client's first call). */
  private void warmUp() {
    for (String script : List.of(APPEND, COMPACT, PROFILES, NAME_ID, CATALOG_WRITE)) {
      shas.put(script, await("load a script", redis.scriptLoad(script), bulkNanos));
    }
    for (NameKind kind : NameKind.values()) {
      learnNames(kind, bulkNanos);
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public String kind() {
    return "redis";
  }

  @Override
  public boolean shared() {
    return true;
  }

  /** As durable as the server's persistence (AOF) makes it; this process keeps nothing. */
  @Override
  public boolean durable() {
    return true;
  }

  /** True while the connection is up (it reconnects by itself). */
  @Override
  public boolean connected() {
    return connection.isOpen();
  }

  private static byte[] key(String userId) {
    byte[] id = userId.getBytes(StandardCharsets.UTF_8);
    byte[] k = new byte[2 + id.length];
    k[0] = 'u';
    k[1] = ':';
    System.arraycopy(id, 0, k, 2, id.length);
    return k;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public StoredUser read(String userId) {
    return UserValue.decode(userId, await("read", redis.get(key(userId)), timeoutNanos));
  }

  @Override
  public void append(String userId, byte[] records) {
    appendAll(List.of(new UserRecords(userId, records)));
  }

  @Override
  public void appendAll(List<UserRecords> batch) {
    if (batch.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + budget(batch.size());
    // One script for the whole batch: on the server it is applied all at once or (when the call fails) not at all.
    byte[][] keys = new byte[batch.size()][];
    byte[][] args = new byte[batch.size() + 3][];
    args[0] = ttlMillis;
    args[1] = returnAtAppended;
    args[2] = returnAtBytes;
    for (int i = 0; i < batch.size(); i++) {
      keys[i] = key(batch.get(i).userId());
      args[i + 3] = batch.get(i).records();
    }
    List<Object> values = new Script<List<Object>>(APPEND, ScriptOutputType.MULTI, keys, args).send()
        .result("append", deadline);
    // Compaction after the appends landed: the events are stored whether or not a swap wins.
    List<Script<Long>> swaps = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      byte[] v = (byte[]) values.get(i);
      if (v == null || v.length == 0) {
        continue;
      }
      byte[] log = UserValue.decode(batch.get(i).userId(), v).log();
      if (log == null || !StoredLog.needsCompaction(log, limits, slack)) {
        continue;
      }
      byte[] compacted = StoredLog.compact(log, limits, true);
      if (compacted != log) {
        swaps.add(new Script<Long>(COMPACT, ScriptOutputType.INTEGER, new byte[][] {key(batch.get(i).userId())}, log,
            compacted, ttlMillis).send());
      }
    }
    for (Script<Long> swap : swaps) {
      swap.result("compact", deadline);
    }
  }

  @Override
  public void upsertProfiles(List<UserProfile> profiles) {
    if (profiles.isEmpty()) {
      return;
    }
    byte[][] keys = new byte[profiles.size()][];
    byte[][] args = new byte[profiles.size() + 1][];
    args[0] = ttlMillis;
    for (int i = 0; i < profiles.size(); i++) {
      keys[i] = key(profiles.get(i).id());
      args[i + 1] = StoredProfile.encode(profiles.get(i));
    }
    long deadline = System.nanoTime() + budget(profiles.size());
    new Script<Long>(PROFILES, ScriptOutputType.INTEGER, keys, args).send().result("upsert profiles", deadline);
  }

  @Override
  public void replaceUsers(List<StoredUser> users) {
    long deadline = System.nanoTime() + Math.max(bulkNanos, budget(users.size()));
    List<RedisFuture<?>> sent = new ArrayList<>(users.size());
    for (StoredUser u : users) {
      if (u.profile() == null && u.log() == null) {
        sent.add(redis.del(key(u.userId())));
      } else {
        byte[] v = UserValue.encode(u.profile(), u.log());
        sent.add(ttl > 0 ? redis.set(key(u.userId()), v, SetArgs.Builder.px(ttl)) : redis.set(key(u.userId()), v));
      }
    }
    for (RedisFuture<?> f : sent) {
      await("replace users", f, deadline - System.nanoTime());
    }
  }

  @Override
  public boolean delete(String userId) {
    Long n = await("delete", redis.del(key(userId)), timeoutNanos);
    return n != null && n > 0;
  }

  @Override
  public boolean isEmpty() {
    long deadline = System.nanoTime() + bulkNanos;
    ScanArgs match = ScanArgs.Builder.matches("u:*").limit(1_000);
    KeyScanCursor<byte[]> c = await("scan", redis.scan(match), deadline - System.nanoTime());
    while (c.getKeys().isEmpty() && !c.isFinished()) {
      c = await("scan", redis.scan(ScanCursor.of(c.getCursor()), match), deadline - System.nanoTime());
    }
    return c.getKeys().isEmpty();
  }

  @Override
  public int nameId(NameKind kind, String name) {
    Integer id = ids[kind.ordinal()].get(name);
    if (id != null) {
      return id;
    }
    byte[][] keys = {namesKey(kind), idsKey(kind), ascii("ranker:next:" + kind.code())};
    byte[] arg = name.getBytes(StandardCharsets.UTF_8);
    Long assigned = new Script<Long>(NAME_ID, ScriptOutputType.INTEGER, keys, arg).send()
        .result("name id", System.nanoTime() + timeoutNanos);
    int storeId = Math.toIntExact(assigned);
    names[kind.ordinal()].put(storeId, name);
    ids[kind.ordinal()].put(name, storeId);
    return storeId;
  }

  @Override
  public String name(NameKind kind, int id) {
    String name = names[kind.ordinal()].get(id);
    if (name != null) {
      return name;
    }
    // Another replica named it: take the whole table once (a few thousand names at most) rather than one by one.
    learnNames(kind, timeoutNanos);
    return names[kind.ordinal()].get(id);
  }

  private void learnNames(NameKind kind, long nanos) {
    Map<byte[], byte[]> all = await("read names", redis.hgetall(idsKey(kind)), nanos);
    all.forEach((k, v) -> {
      int storeId = Integer.parseInt(new String(k, StandardCharsets.US_ASCII));
      String n = new String(v, StandardCharsets.UTF_8);
      names[kind.ordinal()].put(storeId, n);
      ids[kind.ordinal()].put(n, storeId);
    });
  }

  private static byte[] namesKey(NameKind kind) {
    return ascii("ranker:names:" + kind.code());
  }

  private static byte[] idsKey(NameKind kind) {
    return ascii("ranker:ids:" + kind.code());
  }

  /** One call of a script by its SHA-1 (EVALSHA), loaded first when this process has not yet. */
  private final class Script<T> {
    private final String source;
    private final ScriptOutputType type;
    private final byte[][] keys;
    private final byte[][] args;
    private RedisFuture<T> sent;

    Script(String source, ScriptOutputType type, byte[][] keys, byte[]... args) {
      this.source = source;
      this.type = type;
      this.keys = keys;
      this.args = args;
    }

    Script<T> send() {
      String sha = shas.get(source);
      if (sha == null) {
        sha = load(bulkNanos);
      }
      sent = redis.evalsha(sha, type, keys, args);
      return this;
    }

    private String load(long nanos) {
      String sha = await("load a script", redis.scriptLoad(source), nanos);
      shas.put(source, sha);
      return sha;
    }

    /** The result; a server that lost its scripts (restarted) gets this one again and the call is repeated. */
    T result(String op, long deadline) {
      try {
        return RedisUserStore.this.await(op, sent, deadline - System.nanoTime());
      } catch (StoreUnavailableException e) {
        if (!lostScript(e)) {
          throw e;
        }
        sent = redis.evalsha(load(deadline - System.nanoTime()), type, keys, args);
        return RedisUserStore.this.await(op, sent, deadline - System.nanoTime());
      }
    }
  }

  private static boolean lostScript(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof RedisNoScriptException) {
        return true;
      }
    }
    return false;
  }

  private long budget(int items) {
    return timeoutNanos * (1 + items / BATCH_PER_TIMEOUT);
  }

  private <T> T await(String op, RedisFuture<T> f, long nanos) {
    try {
      return f.get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new StoreUnavailableException("Redis did not answer " + op + " in time");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StoreUnavailableException("Redis failed to " + op + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while waiting for Redis to " + op, e);
    } catch (RuntimeException e) { // a command refused before it was sent
      throw new StoreUnavailableException("Redis failed to " + op + ": " + e.getMessage(), e);
    }
  }

  private volatile io.lettuce.core.pubsub.StatefulRedisPubSubConnection<byte[], byte[]> pubSub;

  private final CatalogStore catalog = new CatalogStore() {
    @Override
    public StoredCatalog read() {
      byte[] v = await("read the catalog", redis.get(ascii(CATALOG_KEY)), bulkNanos);
      return v == null ? null : new StoredCatalog(java.nio.ByteBuffer.wrap(v).getLong(),
          java.util.Arrays.copyOfRange(v, 8, v.length));
    }

    @Override
    public long version() {
      byte[] v = await("read the catalog version", redis.get(ascii(CATALOG_VERSION_KEY)), timeoutNanos);
      return v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.US_ASCII));
    }

    @Override
    public boolean write(long expected, long version, byte[] encoded) {
      byte[] v = java.nio.ByteBuffer.allocate(8 + encoded.length).putLong(version).put(encoded).array();
      Long done = new Script<Long>(CATALOG_WRITE, ScriptOutputType.INTEGER,
          new byte[][] {ascii(CATALOG_VERSION_KEY), ascii(CATALOG_KEY)}, ascii(Long.toString(expected)),
          ascii(Long.toString(version)), v, ascii(CATALOG_CHANNEL)).send()
          .result("write the catalog", System.nanoTime() + bulkNanos);
      return done != null && done == 1L;
    }

    @Override
    public synchronized void subscribe(Runnable listener) {
      if (pubSub == null) {
        pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
      }
      pubSub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
        @Override
        public void message(byte[] channel, byte[] message) {
          listener.run();
        }
      });
      // Lettuce subscribes again by itself after a reconnect; polling covers the messages missed meanwhile.
      pubSub.async().subscribe(ascii(CATALOG_CHANNEL));
    }
  };

  @Override
  public CatalogStore catalog() {
    return catalog;
  }

  @Override
  public void close() {
    if (pubSub != null) {
      pubSub.close();
    }
    connection.close();
    shutdown();
  }

  private void shutdown() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
