package dev.bannerranker.serving.store;

import dev.bannerranker.serving.model.NameDictionary;
import java.util.Arrays;

/**
 * Translates between the process's name ids ({@link NameDictionary}, numbered in the order this process met the
 * names) and the store's ({@link UserStore#nameId}, the same for every process): one table each way per kind,
 * filled on first use, so a translation is an array read. Thread-safe.
 */
public final class StoreNames {
  private final UserStore store;
  private final Table[] tables = new Table[NameKind.values().length];

  public StoreNames(UserStore store) {
    this.store = store;
    for (NameKind k : NameKind.values()) {
      tables[k.ordinal()] = new Table();
    }
  }

  /** The store id of the process's name {@code processId} (0 stays 0). */
  public int toStore(NameKind kind, int processId) {
    if (processId == 0) {
      return 0;
    }
    Table t = tables[kind.ordinal()];
    int[] a = t.toStore;
    if (processId < a.length && a[processId] != 0) {
      return a[processId];
    }
    String name = kind.dictionary().nameOf(processId);
    if (name == null) {
      return 0;
    }
    int storeId = store.nameId(kind, name);
    t.put(processId, storeId);
    return storeId;
  }

  /** The process's id of the store's name {@code storeId} (0 stays 0, and so does an id the store cannot name). */
  public int toProcess(NameKind kind, int storeId) {
    if (storeId == 0) {
      return 0;
    }
    Table t = tables[kind.ordinal()];
    int[] a = t.toProcess;
    if (storeId < a.length && a[storeId] != 0) {
      return a[storeId];
    }
    String name = store.name(kind, storeId);
    if (name == null) {
      return 0;
    }
    // The store's names were registered by a process with a budget or from trusted tables; no second budget here.
    int processId = kind.dictionary().register(name);
    t.put(processId, storeId);
    return processId;
  }

  /** Forgets the translations (after the store was replaced wholesale, as in tests). */
  public void clear() {
    for (NameKind k : NameKind.values()) {
      tables[k.ordinal()] = new Table();
    }
  }

  private static final class Table {
    volatile int[] toStore = new int[64];
    volatile int[] toProcess = new int[64];

    synchronized void put(int processId, int storeId) {
      int[] s = toStore;
      if (processId >= s.length) {
        s = Arrays.copyOf(s, Math.max(processId + 1, 2 * s.length));
      }
      s[processId] = storeId;
      toStore = s;
      int[] p = toProcess;
      if (storeId >= p.length) {
        p = Arrays.copyOf(p, Math.max(storeId + 1, 2 * p.length));
      }
      p[storeId] = processId;
      toProcess = p;
    }
  }
}
