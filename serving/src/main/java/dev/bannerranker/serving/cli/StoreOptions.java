package dev.bannerranker.serving.cli;

import dev.bannerranker.serving.config.StateSettings;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Which user store a command uses: {@code --state-dir} (embedded) or {@code --redis}; shared by serve and import. */
final class StoreOptions {
  @Option(names = "--state-dir", description = "Directory of the embedded (RocksDB) user store, created when missing. "
      + "Default: ranker.state.dir (RANKER_STATE_DIR), else work/state under the working directory.")
  Path stateDir;

  @Option(names = "--redis", paramLabel = "URI", description = "Keep user state in Redis (redis://HOST:PORT), shared "
      + "by every replica, instead of the embedded store.")
  String redis;

  /** Checks the options and adds the configuration they stand for to {@code props}. */
  void apply(CommandLine cl, Map<String, Object> props) {
    if (stateDir != null && redis != null) {
      throw new ParameterException(cl, "--state-dir and --redis choose different stores; give one");
    }
    if (stateDir != null && stateDir.toString().isBlank()) {
      throw new ParameterException(cl, "--state-dir must name a directory");
    }
    if (redis != null && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
      throw new ParameterException(cl, "--redis must be a URI like redis://localhost:6379");
    }
    if (stateDir != null) {
      props.put("ranker.state.store", StateSettings.ROCKSDB);
      props.put("ranker.state.dir", stateDir.toString());
    }
    if (redis != null) {
      props.put("ranker.state.store", StateSettings.REDIS);
      props.put("ranker.state.redis-uri", redis);
    }
  }
}
