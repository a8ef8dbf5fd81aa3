package dev.bannerranker.serving.users;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.ChoiceCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Profiles from {@code users.csv}, and optionally each user's recent activity replayed from the event tables: what
 * {@link StoreImport} writes into a user store ({@code bin/ranker import}, or {@code serve --data} on an empty store).
 */
public final class ProfileStore {
  private static final Logger LOG = LoggerFactory.getLogger(ProfileStore.class);
  /** Share of malformed rows tolerated, as the trainer's default. */
  private static final double MAX_BAD_FRACTION = 0.01;

  private static final UserProfile NOBODY = UserProfile.unknown("");

  private final ProfileTable profiles;
  private final Map<String, UserState> seeds;

  private ProfileStore(ProfileTable profiles, Map<String, UserState> seeds) {
    this.profiles = profiles;
    this.seeds = seeds;
  }

  /** No profiles: every user is unknown until events arrive. */
  public static ProfileStore empty() {
    return new ProfileStore(new ProfileTable(Map.of()), Map.of());
  }

  /**
   * Reads {@code dir/users.csv}; with {@code bootstrap}, also replays {@code events.csv} and
   * {@code impressions.csv} (which need {@code banners.csv} beside them), keeping each user's latest
   * {@code capacity} events and impressions and the whole history's choice counts.
   */
  public static ProfileStore load(Path dir, boolean bootstrap, int capacity) {
    long start = System.nanoTime();
    Map<String, UserProfile> profiles = new HashMap<>(); // id -> shared shape
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
    // Few distinct genders, age bands and city tiers: one shared instance of each combination.
    Map<UserProfile, UserProfile> shapes = new HashMap<>();
    for (UserProfile u : users) {
      UserProfile shape = new UserProfile("", u.gender(), u.ageBand(), u.cityTier());
      profiles.put(u.id(), shapes.computeIfAbsent(shape, k -> k));
    }
    LOG.atInfo().addKeyValue("data_dir", dir.toString()).addKeyValue("profiles", profiles.size())
        .addKeyValue("users_with_history", seeds.size()).addKeyValue("bad_rows", problems.badRows())
        .addKeyValue("ms", (System.nanoTime() - start) / 1_000_000)
        .log("loaded {} user profiles, {} with recent activity", profiles.size(), seeds.size());
    return new ProfileStore(new ProfileTable(profiles), Map.copyOf(seeds));
  }

  /** A log to replay the tables into, never served itself, and the whole history's choice counts. */
  private record Seed(UserState log, ChoiceCounts counts) {
    Seed(int capacity) {
      this(new UserState(NOBODY, false, capacity, List.of()), new ChoiceCounts());
    }

    void append(Activity a) {
      log.append(a, null, counts);
    }
  }

  /**
   * The event log in time order, as the training sweep applies it: an impression and its click together. Every
   * state keeps its choice counts: only here is the whole history seen, whichever model serves later.
   */
  private static Map<String, UserState> replay(EventLog log, int capacity) {
    Map<String, Banner> banners = new HashMap<>();
    log.banners().forEach(b -> banners.put(b.id(), b));
    Map<String, Seed> seeds = new HashMap<>();
    List<BehaviourEvent> events = log.events();
    int ev = 0;
    for (Impression imp : log.impressions()) {
      while (ev < events.size() && events.get(ev).timestamp() <= imp.timestamp()) {
        addEvent(seeds, events.get(ev++), capacity);
      }
      Seed a = seeds.computeIfAbsent(imp.userId(), u -> new Seed(capacity));
      a.append(new Activity.Shown(imp.bannerId(), imp.timestamp()));
      if (imp.clicked()) {
        a.append(Activity.click(banners.get(imp.bannerId()), imp.timestamp()));
      }
    }
    for (; ev < events.size(); ev++) {
      addEvent(seeds, events.get(ev), capacity);
    }
    Map<String, UserState> logs = new HashMap<>();
    seeds.forEach((user, seed) -> {
      seed.log().keepChoiceCounts(seed.counts());
      logs.put(user, seed.log());
    });
    return logs;
  }

  private static void addEvent(Map<String, Seed> seeds, BehaviourEvent e, int capacity) {
    seeds.computeIfAbsent(e.userId(), u -> new Seed(capacity)).append(new Activity.Behaviour(e.type(), e.brand(),
        e.category(), e.priceTier(), e.dwellSeconds(), e.timestamp()));
  }

  /** A state for the user: the profile (or none) and the bootstrap activity, as the store's import writes them. */
  UserState newState(String userId, int capacity) {
    int slot = profiles.find(userId);
    return new UserState(userId, slot < 0 ? null : profiles.shapes[slot], capacity, seeds.get(userId));
  }

  /** The table's own instance of the id when the user is on file; else {@code userId}. */
  String canonicalId(String userId) {
    int slot = profiles.find(userId);
    return slot < 0 ? userId : profiles.ids[slot];
  }

  /**
   * Visits every user on file or with bootstrap activity: the profile (null when none is on file) and the
   * bootstrap state (null when none).
   */
  void forEachUser(UserVisitor visitor) {
    ProfileTable t = profiles;
    for (int i = 0; i < t.ids.length; i++) {
      if (t.ids[i] != null) {
        UserProfile shape = t.shapes[i];
        visitor.user(t.ids[i], new UserProfile(t.ids[i], shape.gender(), shape.ageBand(), shape.cityTier()),
            seeds.get(t.ids[i]));
      }
    }
    seeds.forEach((id, seed) -> {
      if (t.find(id) < 0) {
        visitor.user(id, null, seed);
      }
    });
  }

  /** Receives one user of {@link #forEachUser}. */
  interface UserVisitor {
    void user(String userId, UserProfile profile, UserState seed);
  }

  /** Users {@link #forEachUser} visits. */
  int userCount() {
    int extra = 0;
    for (String id : seeds.keySet()) {
      extra += profiles.find(id) < 0 ? 1 : 0;
    }
    return profiles.size + extra;
  }

  public int size() {
    return profiles.size;
  }

  public boolean knows(String userId) {
    return profiles.find(userId) >= 0;
  }

  /**
   * Profiles by user id with open addressing (at most half full): a user costs the id string and two slots,
   * against a map entry and a profile object each.
   */
  private static final class ProfileTable {
    final String[] ids;
    final UserProfile[] shapes;
    final int size;

    ProfileTable(Map<String, UserProfile> byId) {
      int slots = 2;
      while (slots < 2 * byId.size()) {
        slots <<= 1;
      }
      ids = new String[slots];
      shapes = new UserProfile[slots];
      size = byId.size();
      byId.forEach((id, shape) -> {
        int i = home(id);
        while (ids[i] != null) {
          i = (i + 1) & (ids.length - 1);
        }
        ids[i] = id;
        shapes[i] = shape;
      });
    }

    /** The id's slot, or -1. */
    int find(String id) {
      for (int i = home(id); ids[i] != null; i = (i + 1) & (ids.length - 1)) {
        if (ids[i].equals(id)) {
          return i;
        }
      }
      return -1;
    }

    private int home(String id) {
      int h = id.hashCode();
      return (h ^ (h >>> 16)) & (ids.length - 1);
    }
  }
}
