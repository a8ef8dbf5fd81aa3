package dev.bannerranker.serving.users;

import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's latest behaviour events and impressions by name, each bounded to {@code capacity}, oldest first.
 * It is the source a {@link UserHistory} is rebuilt from when a model with other vocabularies takes over.
 * Not thread-safe: {@link UserState} guards it. Grows with use, so quiet users stay small.
 */
final class ActivityLog {
  private final int capacity;
  private final ArrayDeque<Activity.Behaviour> behaviour = new ArrayDeque<>();
  private final ArrayDeque<Activity.Shown> shown = new ArrayDeque<>();

  ActivityLog(int capacity) {
    this.capacity = capacity;
  }

  void add(Activity a) {
    if (a instanceof Activity.Behaviour b) {
      push(behaviour, b);
    } else {
      push(shown, (Activity.Shown) a);
    }
  }

  private <T> void push(ArrayDeque<T> ring, T item) {
    if (ring.size() == capacity) {
      ring.pollFirst();
    }
    ring.addLast(item);
  }

  boolean isEmpty() {
    return behaviour.isEmpty() && shown.isEmpty();
  }

  /** Replays everything, oldest first, into a fresh history. */
  void replay(UserHistory history, Vocabularies vocab) {
    behaviour.forEach(a -> a.applyTo(history, vocab));
    shown.forEach(a -> a.applyTo(history, vocab));
  }

  List<Activity> all() {
    List<Activity> out = new ArrayList<>(behaviour);
    out.addAll(shown);
    return out;
  }
}
