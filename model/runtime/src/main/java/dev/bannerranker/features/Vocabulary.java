package dev.bannerranker.features;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A fixed string-to-index dictionary. Index 0 is reserved for values not seen in training, so every
 * lookup succeeds and unknown values share one learned embedding.
 */
public final class Vocabulary {
  public static final int UNKNOWN = 0;

  private final List<String> values; // values.get(i - 1) is index i
  private final Map<String, Integer> index;

  private Vocabulary(List<String> values) {
    this.values = List.copyOf(values);
    this.index = new HashMap<>(values.size() * 2);
    for (int i = 0; i < values.size(); i++) {
      if (index.put(values.get(i), i + 1) != null) {
        throw new IllegalArgumentException("duplicate vocabulary value '" + values.get(i) + "'");
      }
    }
  }

  /** A vocabulary of the distinct values, sorted, so it does not depend on input order. */
  public static Vocabulary ofDistinct(Collection<String> values) {
    return new Vocabulary(new ArrayList<>(new TreeSet<>(values)));
  }

  /** A vocabulary with exactly this order (as stored in a bundle). */
  public static Vocabulary ofOrdered(List<String> values) {
    return new Vocabulary(values);
  }

  public int indexOf(String value) {
    Integer i = index.get(value);
    return i == null ? UNKNOWN : i;
  }

  public boolean contains(String value) {
    return index.containsKey(value);
  }

  /** The value at {@code i}, or {@code "<unknown>"} for index 0. */
  public String valueAt(int i) {
    return i == UNKNOWN ? "<unknown>" : values.get(i - 1);
  }

  /** Number of indices including the unknown slot. */
  public int cardinality() {
    return values.size() + 1;
  }

  /** The known values in index order (index 1 first). */
  public List<String> values() {
    return values;
  }
}
