package dev.bannerranker.serving.store;

import dev.bannerranker.serving.config.StateSettings;
import java.nio.file.Path;

/** Opens the store {@code ranker.state} names. */
public final class UserStores {
  private UserStores() {}

  public static UserStore open(StateSettings state, StoredLog.Limits limits) {
    return switch (state.store()) {
      case StateSettings.MEMORY -> new MemoryUserStore(limits);
      case StateSettings.ROCKSDB -> new RocksDbUserStore(Path.of(state.dir()), limits,
          state.sync().equals(StateSettings.ALWAYS), state.syncInterval(), state.retention());
      default -> throw new IllegalArgumentException("ranker.state.store: " + state.store()
          + " is not available in this build");
    };
  }
}
