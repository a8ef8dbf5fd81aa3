package dev.bannerranker.serving.store;

import dev.bannerranker.serving.config.StateSettings;

/** Opens the store {@code ranker.state} names. */
public final class UserStores {
  private UserStores() {}

  public static UserStore open(StateSettings state, StoredLog.Limits limits) {
    return switch (state.store()) {
      case StateSettings.MEMORY -> new MemoryUserStore(limits);
      default -> throw new IllegalArgumentException("ranker.state.store: " + state.store()
          + " is not available in this build");
    };
  }
}
