package dev.bannerranker.serving.catalog;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A placement's business rules: banners pinned to its top, in this order, while they are eligible, and banners never
 * shown in it. Immutable; the sets are built once, for the request path.
 */
public final class PlacementRules {
  public static final PlacementRules NONE = new PlacementRules(List.of(), List.of());

  private final List<String> pinned;
  private final List<String> blocked;
  private final Set<String> pinnedSet;
  private final Set<String> blockedSet;

  public PlacementRules(List<String> pinned, List<String> blocked) {
    this.pinned = List.copyOf(pinned);
    this.blocked = List.copyOf(blocked);
    this.pinnedSet = Set.copyOf(pinned);
    this.blockedSet = Set.copyOf(blocked);
  }

  /** Pinned banner ids, in pin order. */
  public List<String> pinned() {
    return pinned;
  }

  /** Blocked banner ids. */
  public List<String> blocked() {
    return blocked;
  }

  public Set<String> pinnedSet() {
    return pinnedSet;
  }

  public Set<String> blockedSet() {
    return blockedSet;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlacementRules r && r.pinned.equals(pinned) && r.blocked.equals(blocked);
  }

  @Override
  public int hashCode() {
    return Objects.hash(pinned, blocked);
  }
}
