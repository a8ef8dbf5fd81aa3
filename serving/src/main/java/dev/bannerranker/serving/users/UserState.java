package dev.bannerranker.serving.users;

import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.serving.model.HistoryKey;
import dev.bannerranker.serving.model.ModelGeneration;
import java.util.List;

/**
 * One user's mutable state: profile, recent activity and the {@link UserHistory} of the current model. Every
 * method holds the instance's lock, because {@code UserHistory} is not thread-safe.
 */
public final class UserState {
  private final UserProfile profile;
  private final boolean knownProfile;
  private final ActivityLog activity;
  private UserHistory history;
  private HistoryKey historyKey;

  UserState(UserProfile profile, boolean knownProfile, int capacity, List<Activity> seed) {
    this.profile = profile;
    this.knownProfile = knownProfile;
    this.activity = new ActivityLog(capacity);
    seed.forEach(activity::add);
  }

  /** A consistent copy for one request, with the history indexed by {@code g}. */
  public synchronized UserSnapshot snapshot(ModelGeneration g) {
    ensureHistory(g);
    return new UserSnapshot(profile, !knownProfile && activity.isEmpty(), history.copy());
  }

  /** Appends activities, in order, to the log and to the history of {@code g}. */
  public synchronized void apply(List<Activity> activities, ModelGeneration g) {
    ensureHistory(g);
    for (Activity a : activities) {
      activity.add(a);
      a.applyTo(history, g.model().bundle().vocab());
    }
  }

  /** Rebuilds the history from the activity log when the model's vocabularies or ring sizes differ. */
  private void ensureHistory(ModelGeneration g) {
    HistoryKey key = g.historyKey();
    if (key == historyKey) {
      return;
    }
    if (historyKey == null || !historyKey.equals(key)) {
      history = UserHistory.forSpec(g.spec());
      activity.replay(history, g.model().bundle().vocab());
    }
    historyKey = key;
  }

  synchronized List<Activity> activities() {
    return activity.all();
  }
}
