package dev.bannerranker.serving.users;

import dev.bannerranker.serving.store.StoreNames;
import dev.bannerranker.serving.store.StoredUser;
import dev.bannerranker.serving.store.UserStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Loads a data directory's users into a store: each user's profile and the latest activity replayed from the event
 * tables (with the choice counts of their whole history). Each user's stored state is replaced, not added to, so
 * importing the same directory twice leaves the same state.
 */
public final class StoreImport {
  private StoreImport() {}

  /** The outcome: users written, and how many of them had activity. */
  public record Result(int users, int withActivity) {}

  /**
   * Reads {@code dir} (users.csv, and with {@code withActivity} events.csv and impressions.csv when present) and
   * writes it to {@code store}.
   */
  public static Result load(Path dir, boolean withActivity, int capacity, UserStore store, int batchSize,
      IntConsumer progress) {
    return copy(ProfileStore.load(dir, withActivity, capacity), store, new StoreNames(store), batchSize, progress);
  }

  /** Writes every user of a loaded {@link ProfileStore} to {@code store}, as {@link #load} does. */
  public static Result write(ProfileStore profiles, UserStore store, int batchSize, IntConsumer progress) {
    return copy(profiles, store, new StoreNames(store), batchSize, progress);
  }

  /** Users {@code load} would write from a loaded {@link ProfileStore}. */
  public static int userCount(ProfileStore profiles) {
    return profiles.userCount();
  }

  /**
   * Writes every user of {@code profiles} to {@code store} in batches of {@code batchSize}; {@code progress} hears how
   * many users each written batch held.
   */
  static Result copy(ProfileStore profiles, UserStore store, StoreNames names, int batchSize, IntConsumer progress) {
    List<StoredUser> batch = new ArrayList<>(batchSize);
    int[] counts = new int[2];
    profiles.forEachUser((id, profile, seed) -> {
      byte[] log = seed == null ? null : seed.stored(names);
      batch.add(new StoredUser(id, profile, log));
      counts[0]++;
      counts[1] += seed == null ? 0 : 1;
      if (batch.size() >= batchSize) {
        store.replaceUsers(batch);
        progress.accept(batch.size());
        batch.clear();
      }
    });
    if (!batch.isEmpty()) {
      store.replaceUsers(batch);
      progress.accept(batch.size());
    }
    return new Result(counts[0], counts[1]);
  }
}
