package dev.bannerranker.serving.store;

import dev.bannerranker.data.UserProfile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Times every operation of a store ({@value #DURATION}, tags {@code store} and {@code op}) and counts its failures
 * ({@value #ERRORS}), so no implementation has to. Failures pass through unchanged.
 */
public final class MeteredUserStore implements UserStore {
  public static final String DURATION = "ranker.store.duration";
  public static final String ERRORS = "ranker.store.errors";
  public static final String CONNECTED = "ranker.store.connected";

  private final UserStore store;
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();

  public MeteredUserStore(UserStore store, MeterRegistry registry) {
    this.store = store;
    this.registry = registry;
    for (String op : List.of("read", "append", "upsert_profiles", "delete")) {
      timer(op);
      errors(op);
    }
    Gauge.builder(CONNECTED, store, s -> s.connected() ? 1 : 0)
        .description("1 while the user store is reachable, else 0").tag("store", store.kind()).register(registry);
  }

  @Override
  public boolean connected() {
    return store.connected();
  }

  /** The store behind the meters. */
  public UserStore unwrap() {
    return store;
  }

  private Timer timer(String op) {
    return timers.computeIfAbsent(op, o -> Timer.builder(DURATION).description("Time of one user-store operation")
        .tag("store", store.kind()).tag("op", o).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry));
  }

  private Counter errors(String op) {
    return errors.computeIfAbsent(op, o -> Counter.builder(ERRORS).description("User-store operations that failed")
        .tag("store", store.kind()).tag("op", o).register(registry));
  }

  private <T> T timed(String op, Supplier<T> call) {
    long start = System.nanoTime();
    try {
      return call.get();
    } catch (RuntimeException e) {
      errors(op).increment();
      throw e;
    } finally {
      timer(op).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private void timed(String op, Runnable call) {
    timed(op, () -> {
      call.run();
      return null;
    });
  }

  @Override
  public String describe() {
    return store.describe();
  }

  @Override
  public String kind() {
    return store.kind();
  }

  @Override
  public boolean shared() {
    return store.shared();
  }

  @Override
  public boolean durable() {
    return store.durable();
  }

  @Override
  public StoredUser read(String userId) {
    return timed("read", () -> store.read(userId));
  }

  @Override
  public void append(String userId, byte[] records) {
    timed("append", () -> store.append(userId, records));
  }

  @Override
  public void appendAll(List<UserRecords> batch) {
    timed("append", () -> store.appendAll(batch));
  }

  @Override
  public void upsertProfiles(List<UserProfile> profiles) {
    timed("upsert_profiles", () -> store.upsertProfiles(profiles));
  }

  @Override
  public void replaceUsers(List<StoredUser> users) {
    timed("replace_users", () -> store.replaceUsers(users));
  }

  @Override
  public boolean delete(String userId) {
    return timed("delete", () -> store.delete(userId));
  }

  @Override
  public boolean isEmpty() {
    return timed("is_empty", store::isEmpty);
  }

  @Override
  public int nameId(NameKind kind, String name) {
    return timed("name_id", () -> store.nameId(kind, name));
  }

  @Override
  public String name(NameKind kind, int id) {
    return timed("name", () -> store.name(kind, id));
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public CatalogStore catalog() {
    return store.catalog();
  }
}
