package dev.bannerranker.serving.store;

import dev.bannerranker.data.UserProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * User state in this process's heap ({@code ranker.state.store: memory}): NOT durable, lost when the process stops.
 * The baseline the durable stores are measured against, and the store of tests that need none on disk. Unlike the
 * cache in front of it, it evicts nothing.
 */
public final class MemoryUserStore implements UserStore {
  private final StoredLog.Limits limits;
  private final Map<String, byte[]> logs = new ConcurrentHashMap<>();
  private final Map<String, UserProfile> profiles = new ConcurrentHashMap<>();
  private final Names[] names = new Names[NameKind.values().length];

  private final CatalogStore catalog = new MemoryCatalogStore();

  @Override
  public CatalogStore catalog() {
    return catalog;
  }

  public MemoryUserStore(StoredLog.Limits limits) {
    this.limits = limits;
    for (NameKind k : NameKind.values()) {
      names[k.ordinal()] = new Names();
    }
  }

  @Override
  public String describe() {
    return "memory (not durable: state is lost when the process stops)";
  }

  @Override
  public String kind() {
    return "memory";
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public StoredUser read(String userId) {
    UserProfile p = profiles.get(userId);
    byte[] log = logs.get(userId);
    return p == null && log == null ? null : new StoredUser(userId, p, log);
  }

  @Override
  public void append(String userId, byte[] records) {
    logs.compute(userId, (id, old) -> {
      byte[] v = old == null ? records : concat(old, records);
      return StoredLog.needsCompaction(v, limits) ? StoredLog.compact(v, limits, true) : v;
    });
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public void upsertProfiles(List<UserProfile> list) {
    list.forEach(p -> profiles.put(p.id(), p));
  }

  @Override
  public void replaceUsers(List<StoredUser> users) {
    for (StoredUser u : users) {
      if (u.profile() == null) {
        profiles.remove(u.userId());
      } else {
        profiles.put(u.userId(), u.profile());
      }
      if (u.log() == null) {
        logs.remove(u.userId());
      } else {
        logs.put(u.userId(), u.log());
      }
    }
  }

  @Override
  public boolean delete(String userId) {
    boolean p = profiles.remove(userId) != null;
    return logs.remove(userId) != null || p;
  }

  @Override
  public boolean isEmpty() {
    return logs.isEmpty() && profiles.isEmpty();
  }

  @Override
  public int nameId(NameKind kind, String name) {
    return names[kind.ordinal()].idOf(name);
  }

  @Override
  public String name(NameKind kind, int id) {
    return names[kind.ordinal()].nameOf(id);
  }

  @Override
  public void close() {}

  /** Users held, for tests and the memory report. */
  public int size() {
    return Math.max(logs.size(), profiles.size());
  }

  private static final class Names {
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private final List<String> byId = new ArrayList<>(List.of(""));

    int idOf(String name) {
      Integer id = ids.get(name);
      if (id != null) {
        return id;
      }
      synchronized (this) {
        return ids.computeIfAbsent(name, n -> {
          byId.add(n);
          return byId.size() - 1;
        });
      }
    }

    synchronized String nameOf(int id) {
      return id > 0 && id < byId.size() ? byId.get(id) : null;
    }
  }
}
