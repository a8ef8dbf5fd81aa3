package dev.bannerranker.serving.model;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serving-wide, append-only numbering of the names of one kind (brands, categories or banners), so per-user
 * state can hold small ints instead of strings, and keep meaning the same name across models with other
 * vocabularies. Id 0 means "no name". Every loaded model's vocabulary and the bootstrap tables are registered;
 * names that only arrive in RecordEvents (a brand no model knows yet) are numbered too, up to {@link #MAX_EVENT_NAMES}, after which such a
 * name is held as id 0 (unknown to every model) and a warning is logged once. Thread-safe; lookups of known
 * names do not lock.
 */
public final class NameDictionary {
  private static final Logger LOG = LoggerFactory.getLogger(NameDictionary.class);
  /** Most names numbered from events alone, per kind: bounds what clients can make the service remember. */
  public static final int MAX_EVENT_NAMES = 100_000;

  public static final NameDictionary BRANDS = new NameDictionary("brand");
  public static final NameDictionary CATEGORIES = new NameDictionary("category");
  public static final NameDictionary BANNERS = new NameDictionary("banner");

  private final String kind;
  private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
  private volatile String[] names = new String[64]; // names[0] stays null
  private int size = 1; // guarded by this
  private int eventNames; // guarded by this
  private boolean warned; // guarded by this

  NameDictionary(String kind) {
    this.kind = kind;
  }

  /** The name's id, numbering it if new and the event-name budget allows; 0 when it does not. */
  public int idOf(String name) {
    Integer id = ids.get(name);
    return id != null ? id : add(name, true);
  }

  /**
   * The name's id, numbering it if new, outside the event-name budget: for trusted, bounded sources (model
   * vocabularies, the bootstrap tables of the data directory).
   */
  public int register(String name) {
    Integer id = ids.get(name);
    return id != null ? id : add(name, false);
  }

  private synchronized int add(String name, boolean fromEvent) {
    Integer id = ids.get(name);
    if (id != null) {
      return id;
    }
    if (fromEvent && eventNames >= MAX_EVENT_NAMES) {
      if (!warned) {
        warned = true;
        LOG.atWarn().addKeyValue("kind", kind).addKeyValue("limit", MAX_EVENT_NAMES)
            .log("more than {} {} names seen only in events; further new ones are kept as unknown", MAX_EVENT_NAMES,
                kind);
      }
      return 0;
    }
    String[] n = names;
    if (size == n.length) {
      n = Arrays.copyOf(n, n.length * 2);
    }
    n[size] = name;
    names = n; // publish the array before the id
    ids.put(name, size);
    if (fromEvent) {
      eventNames++;
    }
    return size++;
  }

  /** The name with this id; null for 0. */
  public String nameOf(int id) {
    return names[id];
  }

  /**
   * Registers a vocabulary (index 1 = {@code values.get(0)}) and returns the table from id to its index: ids
   * past the table's end, and ids of names not in it, map to 0 (unknown).
   */
  int[] indexTable(List<String> values) {
    int[] idOf = new int[values.size()];
    int max = 0;
    for (int i = 0; i < idOf.length; i++) {
      idOf[i] = register(values.get(i));
      max = Math.max(max, idOf[i]);
    }
    int[] table = new int[max + 1];
    for (int i = 0; i < idOf.length; i++) {
      table[idOf[i]] = i + 1;
    }
    return table;
  }
}
