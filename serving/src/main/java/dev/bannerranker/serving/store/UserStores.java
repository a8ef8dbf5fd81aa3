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
      default -> { // StateSettings admits only memory, rocksdb and redis

        if (state.redisUri().isEmpty()) {
          throw new IllegalArgumentException("ranker.state.store is redis but ranker.state.redis-uri is empty; give "
              + "redis://HOST:PORT (bin/ranker serve --redis URI)");
        }
        yield new RedisUserStore(state.redisUri(), limits, state.timeout(), state.retention());
      }
    };
  }
}
