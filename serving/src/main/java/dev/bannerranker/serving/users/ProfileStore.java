package dev.bannerranker.serving.users;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.UserProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Profiles from {@code users.csv}, and optionally each user's recent activity replayed from the event tables:
 * what a user's state starts from when the cache first sees them (or sees them again after eviction).
 */
public final class ProfileStore {
  private static final Logger LOG = LoggerFactory.getLogger(ProfileStore.class);
  /** Share of malformed rows tolerated, as the trainer's default. */
  private static final double MAX_BAD_FRACTION = 0.01;

  private static final UserProfile NOBODY = UserProfile.unknown("");

  private final Map<String, UserProfile> profiles;
  private final Map<String, UserState> seeds;

  private ProfileStore(Map<String, UserProfile> profiles, Map<String, UserState> seeds) {
    this.profiles = profiles;
    this.seeds = seeds;
  }

  /** No profiles: every user is unknown until events arrive. */
  public static ProfileStore empty() {
    return new ProfileStore(Map.of(), Map.of());
  }

  /**
   * Reads {@code dir/users.csv}; with {@code bootstrap}, also replays {@code events.csv} and
   * {@code impressions.csv} (which need {@code banners.csv} beside them), keeping each user's latest
   * {@code capacity} events and impressions.
   */
  public static ProfileStore load(Path dir, boolean bootstrap, int capacity) {
    long start = System.nanoTime();
    Map<String, UserProfile> profiles = new HashMap<>();
    Map<String, UserState> seeds = new HashMap<>();
    DataProblems problems = new DataProblems(MAX_BAD_FRACTION);
    List<UserProfile> users;
    if (bootstrap && Files.exists(dir.resolve(CsvSchemas.EVENTS_FILE))) {
      EventLog log = EventLogReader.read(dir, MAX_BAD_FRACTION);
      users = log.users();
      seeds.putAll(replay(log, capacity));
      problems = log.problems();
    } else {
      users = EventLogReader.readUsers(dir, problems);
    }
    Map<String, String> ageBands = new HashMap<>(); // one instance per band, shared by all profiles
    for (UserProfile u : users) {
      profiles.put(u.id(), new UserProfile(u.id(), u.gender(), ageBands.computeIfAbsent(u.ageBand(), b -> b),
          u.cityTier()));
    }
    LOG.atInfo().addKeyValue("data_dir", dir.toString()).addKeyValue("profiles", profiles.size())
        .addKeyValue("users_with_history", seeds.size()).addKeyValue("bad_rows", problems.badRows())
        .addKeyValue("ms", (System.nanoTime() - start) / 1_000_000)
        .log("loaded {} user profiles, {} with recent activity", profiles.size(), seeds.size());
    return new ProfileStore(Map.copyOf(profiles), Map.copyOf(seeds));
  }

  /** The event log in time order, as the training sweep applies it: an impression and its click together. */
  private static Map<String, UserState> replay(EventLog log, int capacity) {
    Map<String, Banner> banners = new HashMap<>();
    log.banners().forEach(b -> banners.put(b.id(), b));
    Map<String, UserState> logs = new HashMap<>();
    List<BehaviourEvent> events = log.events();
    int ev = 0;
    for (Impression imp : log.impressions()) {
      while (ev < events.size() && events.get(ev).timestamp() <= imp.timestamp()) {
        addEvent(logs, events.get(ev++), capacity);
      }
      UserState a = logs.computeIfAbsent(imp.userId(), u -> seed(capacity));
      a.append(new Activity.Shown(imp.bannerId(), imp.timestamp()), null);
      if (imp.clicked()) {
        Banner b = banners.get(imp.bannerId());
        a.append(new Activity.Behaviour(EventType.BANNER_CLICK, b.brand(), b.category(), b.priceTier(), 0f,
            imp.timestamp()), null);
      }
    }
    for (; ev < events.size(); ev++) {
      addEvent(logs, events.get(ev), capacity);
    }
    return logs;
  }

  private static void addEvent(Map<String, UserState> logs, BehaviourEvent e, int capacity) {
    logs.computeIfAbsent(e.userId(), u -> seed(capacity)).append(new Activity.Behaviour(e.type(), e.brand(),
        e.category(), e.priceTier(), e.dwellSeconds(), e.timestamp()), null);
  }

  /** A log to replay the tables into; never served itself. */
  private static UserState seed(int capacity) {
    return new UserState(NOBODY, false, capacity, List.of());
  }

  /** A new state for the user: the profile (or an unknown one) and the bootstrap activity. */
  UserState newState(String userId, int capacity) {
    UserProfile p = profiles.get(userId);
    UserProfile profile = p != null ? p : UserProfile.unknown(userId);
    UserState seed = seeds.get(userId);
    return seed == null ? new UserState(profile, p != null, capacity, List.of())
        : new UserState(profile, p != null, capacity, seed);
  }

  /** The profile's own instance of the id when the user is on file, so the cache key shares it; else {@code userId}. */
  String canonicalId(String userId) {
    UserProfile p = profiles.get(userId);
    return p != null ? p.id() : userId;
  }

  public int size() {
    return profiles.size();
  }

  public boolean knows(String userId) {
    return profiles.containsKey(userId);
  }
}
