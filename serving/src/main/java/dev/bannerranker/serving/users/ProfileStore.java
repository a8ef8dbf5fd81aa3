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

  private final Map<String, UserProfile> profiles;
  private final Map<String, List<Activity>> seeds;

  private ProfileStore(Map<String, UserProfile> profiles, Map<String, List<Activity>> seeds) {
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
    Map<String, List<Activity>> seeds = new HashMap<>();
    DataProblems problems = new DataProblems(MAX_BAD_FRACTION);
    if (bootstrap && Files.exists(dir.resolve(CsvSchemas.EVENTS_FILE))) {
      EventLog log = EventLogReader.read(dir, MAX_BAD_FRACTION);
      log.users().forEach(u -> profiles.put(u.id(), u));
      replay(log, capacity).forEach((user, activity) -> seeds.put(user, List.copyOf(activity.all())));
      problems = log.problems();
    } else {
      EventLogReader.readUsers(dir, problems).forEach(u -> profiles.put(u.id(), u));
    }
    LOG.atInfo().addKeyValue("data_dir", dir.toString()).addKeyValue("profiles", profiles.size())
        .addKeyValue("users_with_history", seeds.size()).addKeyValue("bad_rows", problems.badRows())
        .addKeyValue("ms", (System.nanoTime() - start) / 1_000_000)
        .log("loaded {} user profiles, {} with recent activity", profiles.size(), seeds.size());
    return new ProfileStore(Map.copyOf(profiles), Map.copyOf(seeds));
  }

  /** The event log in time order, as the training sweep applies it: an impression and its click together. */
  private static Map<String, ActivityLog> replay(EventLog log, int capacity) {
    Map<String, Banner> banners = new HashMap<>();
    log.banners().forEach(b -> banners.put(b.id(), b));
    Map<String, String> names = new HashMap<>(); // one String instance per distinct name
    Map<String, ActivityLog> logs = new HashMap<>();
    List<BehaviourEvent> events = log.events();
    int ev = 0;
    for (Impression imp : log.impressions()) {
      while (ev < events.size() && events.get(ev).timestamp() <= imp.timestamp()) {
        BehaviourEvent e = events.get(ev++);
        logs.computeIfAbsent(e.userId(), u -> new ActivityLog(capacity)).add(new Activity.Behaviour(e.type(),
            intern(names, e.brand()), intern(names, e.category()), e.priceTier(), e.dwellSeconds(), e.timestamp()));
      }
      ActivityLog a = logs.computeIfAbsent(imp.userId(), u -> new ActivityLog(capacity));
      a.add(new Activity.Shown(intern(names, imp.bannerId()), imp.timestamp()));
      if (imp.clicked()) {
        Banner b = banners.get(imp.bannerId());
        a.add(new Activity.Behaviour(EventType.BANNER_CLICK, intern(names, b.brand()), intern(names, b.category()),
            b.priceTier(), 0f, imp.timestamp()));
      }
    }
    for (; ev < events.size(); ev++) {
      BehaviourEvent e = events.get(ev);
      logs.computeIfAbsent(e.userId(), u -> new ActivityLog(capacity)).add(new Activity.Behaviour(e.type(),
          intern(names, e.brand()), intern(names, e.category()), e.priceTier(), e.dwellSeconds(), e.timestamp()));
    }
    return logs;
  }

  private static String intern(Map<String, String> names, String s) {
    return names.computeIfAbsent(s, k -> k);
  }

  /** A new state for the user: the profile (or an unknown one) and the bootstrap activity. */
  UserState newState(String userId, int capacity) {
    UserProfile p = profiles.get(userId);
    return new UserState(p != null ? p : UserProfile.unknown(userId), p != null, capacity,
        seeds.getOrDefault(userId, List.of()));
  }

  public int size() {
    return profiles.size();
  }

  public boolean knows(String userId) {
    return profiles.containsKey(userId);
  }
}
