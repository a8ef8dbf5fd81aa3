package dev.bannerranker.serving.users;

import dev.bannerranker.data.EventType;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.ChoiceCounts;
import dev.bannerranker.features.FoldInFactors;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabulary;
import dev.bannerranker.serving.model.HistoryKey;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.NameDictionary;
import dev.bannerranker.serving.store.NameKind;
import dev.bannerranker.serving.store.StoreNames;
import dev.bannerranker.serving.store.StoredLog;
import java.util.ArrayList;
import java.util.List;

/**
 * One user's mutable state: the profile and the packed log of recent activity ({@link ActivityLog}). Each
 * request builds the model's {@link UserHistory} from the log through {@link HistoryUpdates}, the rules of the
 * training sweep, translating name ids to the model's indices; nothing else is kept per user. Every method a
 * request reaches holds the instance's lock (the bootstrap fills a state before anything shares it).
 *
 * <p>The history equals the one an incrementally updated history would hold (as this class kept until it
 * became compact): since the last change of {@link HistoryKey} the log keeps at least the model's ring sizes,
 * and counts the events it forgot for {@link UserHistory#totalEvents()}; a change of key starts again from the
 * latest {@code capacity} activities, as a rebuild did.
 *
 * <p>For a model with the fold-in taste the state also keeps the whole history's browsing choice counts ({@link
 * ChoiceCounts}, by name id, so they outlive a model), and the history gets them translated to the model's
 * indices. A state keeps counts from the bootstrap (which sees the whole history) or from the first activity
 * recorded under a fold-in model (which starts them from the log), and from then on under every model.
 */
public final class UserState extends ActivityLog {
  /** The frequency caps count impressions this recent (a day). */
  public static final long CAP_WINDOW_SECONDS = 86_400;
  /** Most impressions a store-backed state keeps for the caps, however many were shown in the window. */
  public static final int MAX_IMPRESSIONS = 256;
  private final String userId;
  /** Gender, age band and city tier, shared by every user with the same ones; null when none is on file. */
  private final UserProfile shape;
  /** A char (up to 65,535) and an int below keep the object at 72 bytes. */
  private final char capacity;
  /** Keep the impressions of the frequency-cap window beyond {@code capacity} (states backed by a store). */
  private boolean keepCapWindow;
  private HistoryKey historyKey;
  /**
   * Behaviour events dropped from the log, still counted in the history: since the last change of key, or for a
   * store-backed state all the user's stored history dropped; stops at {@code Integer.MAX_VALUE}.
   */
  private int forgotten;
  /** Impressions in the log of banners the current model knows. */
  private int knownImpressions;

  UserState(UserProfile profile, boolean knownProfile, int capacity, List<Activity> seed) {
    this.userId = profile.id();
    this.shape = knownProfile ? profile : null;
    this.capacity = checkedCapacity(capacity);
    seed.forEach(a -> append(a, null, null));
  }

  /**
   * A state starting from {@code seed}'s activities (the latest {@code capacity} of each kind; no seed: none).
   *
   * @param shape the user's gender, age band and city tier (its id is not used); null when none is on file
   */
  UserState(String userId, UserProfile shape, int capacity, UserState seed) {
    super(seed);
    this.userId = userId;
    this.shape = shape;
    this.capacity = checkedCapacity(capacity);
    trimTo(capacity);
  }

  /**
   * A state from its stored form ({@link StoredLog}, store ids translated by {@code names}): every stored impression
   * (the store keeps the frequency-cap window), the latest {@code capacity} events, and the choice counts of the
   * whole stored history.
   */
  static UserState fromStored(String userId, UserProfile shape, int capacity, byte[] log, StoreNames names) {
    UserState s = new UserState(userId, shape, capacity, null);
    s.keepCapWindow = true;
    if (log == null) {
      return s;
    }
    StoredLog.Header h = StoredLog.header(log);
    s.forgotten = (int) Math.min(Integer.MAX_VALUE, h.droppedEvents());
    ChoiceCounts stored = h.choiceCounts();
    ChoiceCounts counts = stored == null ? new ChoiceCounts() : stored;
    int[] seen = {0};
    StoredLog.forEach(log, new StoredLog.Visitor() {
      @Override
      public void event(EventType type, int brand, int category, int priceTier, float dwell, long time) {
        if (seen[0]++ >= h.countedEvents()) {
          counts.add(brand, category, type, time);
        }
        s.addEvent(type, names.toProcess(NameKind.BRAND, brand), names.toProcess(NameKind.CATEGORY, category),
            priceTier, dwell, time);
        if (s.eventCount() > capacity) {
          s.dropOldestEvent();
          s.forgotten += s.forgotten < Integer.MAX_VALUE ? 1 : 0;
        }
      }

      @Override
      public void impression(int banner, long time) {
        s.addImpression(names.toProcess(NameKind.BANNER, banner), time);
      }
    });
    if (stored != null || seen[0] > 0) {
      s.keepChoiceCounts(counts.translate(b -> names.toProcess(NameKind.BRAND, b),
          c -> names.toProcess(NameKind.CATEGORY, c)));
    }
    return s;
  }

  /** The records of {@code activities} in the store's form, with the store's ids. */
  static byte[] stored(List<Activity> activities, ModelGeneration g, StoreNames names) {
    StoredLog.Writer w = new StoredLog.Writer();
    for (Activity a : activities) {
      if (a instanceof Activity.Behaviour b) {
        w.event(b.type(), names.toStore(NameKind.BRAND, id(NameDictionary.BRANDS, b.brand(), g)),
            names.toStore(NameKind.CATEGORY, id(NameDictionary.CATEGORIES, b.category(), g)), b.priceTier(),
            b.dwellSeconds(), b.time());
      } else {
        Activity.Shown s = (Activity.Shown) a;
        w.impression(names.toStore(NameKind.BANNER, id(NameDictionary.BANNERS, s.bannerId(), g)), s.time());
      }
    }
    return w.toBytes();
  }

  /** This (bootstrap) state's log in the store's form, its choice counts covering every event in it. */
  synchronized byte[] stored(StoreNames names) {
    StoredLog.Writer w = new StoredLog.Writer();
    forEach(0, 0, new Visitor() {
      @Override
      public void event(EventType type, int brand, int category, int priceTier, float dwell, long time) {
        w.event(type, names.toStore(NameKind.BRAND, brand), names.toStore(NameKind.CATEGORY, category), priceTier,
            dwell, time);
      }

      @Override
      public void impression(int banner, long time) {
        w.impression(names.toStore(NameKind.BANNER, banner), time);
      }
    });
    ChoiceCounts counts = keepsChoiceCounts() ? choiceCounts().translate(b -> names.toStore(NameKind.BRAND, b),
        c -> names.toStore(NameKind.CATEGORY, c)) : null;
    return StoredLog.withHeader(0, 0, counts == null ? 0 : eventCount(), counts, w.toBytes());
  }

  private static char checkedCapacity(int capacity) {
    if (capacity < 1 || capacity > Character.MAX_VALUE) {
      throw new IllegalArgumentException("activity capacity must be 1 to " + (int) Character.MAX_VALUE + ", got "
          + capacity);
    }
    return (char) capacity;
  }

  /**
   * A consistent copy for one request, with the history indexed by {@code g}. With fold-in the history carries the
   * model's taste: {@code g}'s cached one when the counts are unchanged (the history then holds no counts: the
   * taste is all they are for, and translating them is most of the cost of a cached Rank), else solved here,
   * outside the lock, from the translated counts, and cached.
   */
  public UserSnapshot snapshot(ModelGeneration g) {
    byte[] uncached = null;
    UserSnapshot snapshot;
    synchronized (this) {
      UserProfile profile = profile();
      ModelGeneration.CachedTaste cached = null;
      if (g.spec().hasFoldIn() && keepsChoiceCounts()) {
        cached = g.cachedTaste(userId);
        if (cached == null || cached.genderRow() != FoldInFactors.genderRow(profile)
            || !hasChoiceCounts(cached.counts())) {
          cached = null;
          uncached = packedChoiceCounts();
        }
      }
      snapshot = build(g, profile, cached == null);
      if (cached != null) {
        snapshot.history().setFoldIn(g.model().vectors().foldIn(), profile, cached.taste());
      }
    }
    if (uncached != null) {
      g.cacheTaste(userId, uncached, FoldInFactors.genderRow(snapshot.profile()),
          snapshot.history().foldIn(g.model().vectors().foldIn(), snapshot.profile()));
    }
    return snapshot;
  }

  /** The profile on file, or null when none is. */
  public UserProfile profileOnFile() {
    return shape == null ? null : profile();
  }

  private UserProfile profile() {
    return shape == null ? UserProfile.unknown(userId)
        : new UserProfile(userId, shape.gender(), shape.ageBand(), shape.cityTier());
  }

  /** @param withCounts with fold-in, give the history the translated choice counts */
  private UserSnapshot build(ModelGeneration g, UserProfile profile, boolean withCounts) {
    ensureKey(g);
    // With fold-in the counts come from the kept ones below, not from the replayed ring.
    UserHistory history = new UserHistory(g.spec().maxRecentEvents(), g.spec().maxRecentImpressions(), false);
    // Only what the model's rings will hold is replayed: the events before them are counted, not added, and
    // the known impressions before them would be overwritten anyway.
    int skippedEvents = Math.max(0, eventCount() - g.spec().maxRecentEvents());
    int[] knownToSkip = {Math.max(0, knownImpressions - g.spec().maxRecentImpressions())};
    ShownBanners.Builder shown = new ShownBanners.Builder(impressionCount());
    forEach(skippedEvents, 0, new Visitor() {
      @Override
      public void event(EventType type, int brand, int category, int priceTier, float dwell, long time) {
        if (type == EventType.BANNER_CLICK) {
          HistoryUpdates.click(history, g.brandIndex(brand), g.categoryIndex(category), priceTier, time);
        } else {
          HistoryUpdates.productEvent(history, g.brandIndex(brand), g.categoryIndex(category), type, priceTier,
              dwell, time);
        }
      }

      @Override
      public void impression(int banner, long time) {
        int index = g.bannerIndex(banner);
        if (index == Vocabulary.UNKNOWN) {
          return;
        }
        shown.add(index, time);
        if (knownToSkip[0] > 0) {
          knownToSkip[0]--;
        } else {
          HistoryUpdates.impression(history, index, time);
        }
      }
    });
    history.countForgottenEvents((long) forgotten + skippedEvents);
    if (g.spec().hasFoldIn() && withCounts) {
      ChoiceCounts counts = keepsChoiceCounts() ? choiceCounts() : countsOfLog();
      history.setChoiceCounts(counts.translate(g::brandIndex, g::categoryIndex));
    }
    return new UserSnapshot(profile, shape == null && eventCount() == 0 && impressionCount() == 0, history,
        shown.build());
  }

  /** Appends activities, in order, to the log; the next snapshot's history of {@code g} holds them. */
  public synchronized void apply(List<Activity> activities, ModelGeneration g) {
    ensureKey(g);
    ChoiceCounts counts = keepsChoiceCounts() ? choiceCounts() : g.spec().hasFoldIn() ? countsOfLog() : null;
    activities.forEach(a -> append(a, g, counts));
    if (counts != null) {
      keepChoiceCounts(counts);
    }
  }

  /** Choice counts of the events in the log: all a state that kept none knows of the user's browsing. */
  private ChoiceCounts countsOfLog() {
    ChoiceCounts counts = new ChoiceCounts();
    forEach(0, impressionCount(), new Visitor() {
      @Override
      public void event(EventType type, int brand, int category, int priceTier, float dwell, long time) {
        counts.add(brand, category, type, time);
      }

      @Override
      public void impression(int banner, long time) {}
    });
    return counts;
  }

  /**
   * Appends to the log. Before any model ({@code g} null, the bootstrap) it keeps the latest {@code capacity}
   * of each kind. Under a model it also keeps what that model's history holds: its ring of events (counting
   * the ones it forgets), and its ring of the impressions it knows (impressions of banners it does not know
   * never enter its history, so they must not push known ones out). A behaviour event also counts in {@code
   * counts} (by name id) unless that is null.
   */
  final void append(Activity a, ModelGeneration g, ChoiceCounts counts) {
    if (a instanceof Activity.Behaviour b) {
      int brand = id(NameDictionary.BRANDS, b.brand(), g);
      int category = id(NameDictionary.CATEGORIES, b.category(), g);
      addEvent(b.type(), brand, category, b.priceTier(), b.dwellSeconds(), b.time());
      if (counts != null) {
        counts.add(brand, category, b.type(), b.time());
      }
      int limit = g == null ? capacity : Math.max(capacity, g.spec().maxRecentEvents());
      while (eventCount() > limit) {
        dropOldestEvent();
        forgotten += forgotten < Integer.MAX_VALUE ? 1 : 0;
      }
    } else {
      Activity.Shown s = (Activity.Shown) a;
      int banner = id(NameDictionary.BANNERS, s.bannerId(), g);
      addImpression(banner, s.time());
      if (g == null) {
        while (impressionCount() > capacity) {
          dropOldestImpression();
        }
        return;
      }
      if (g.bannerIndex(banner) != Vocabulary.UNKNOWN) {
        knownImpressions++;
      }
      int ring = g.spec().maxRecentImpressions();
      while (impressionCount() > capacity) {
        boolean known = g.bannerIndex(oldestBanner()) != Vocabulary.UNKNOWN;
        if (known && knownImpressions <= ring || keepCapWindow && impressionCount() <= MAX_IMPRESSIONS
            && oldestImpressionTime() >= lastImpressionTime() - CAP_WINDOW_SECONDS) {
          break;
        }
        dropOldestImpression();
        knownImpressions -= known ? 1 : 0;
      }
    }
  }

  /** The bootstrap ({@code g} null) reads the data directory's own tables; RecordEvents is held to a budget. */
  private static int id(NameDictionary names, String name, ModelGeneration g) {
    return g == null ? names.register(name) : names.idOf(name);
  }

  /** On a change of vocabularies or ring sizes, starts again from the latest {@code capacity} activities. */
  private void ensureKey(ModelGeneration g) {
    HistoryKey key = g.historyKey();
    if (key == historyKey) {
      return;
    }
    if (historyKey == null || !historyKey.equals(key)) {
      if (keepCapWindow) {
        // A store-backed state counts every event of the user's stored history, under every model, so its total
        // is the same after an eviction or a restart; a change of key keeps the count.
        while (eventCount() > capacity) {
          dropOldestEvent();
          forgotten += forgotten < Integer.MAX_VALUE ? 1 : 0;
        }
        while (impressionCount() > capacity && (impressionCount() > MAX_IMPRESSIONS
            || oldestImpressionTime() < lastImpressionTime() - CAP_WINDOW_SECONDS)) {
          dropOldestImpression();
        }
      } else {
        trimTo(capacity);
        forgotten = 0;
      }
      int[] known = {0};
      forEach(eventCount(), 0, new Visitor() {
        @Override
        public void event(EventType type, int brand, int category, int priceTier, float dwell, long time) {}

        @Override
        public void impression(int banner, long time) {
          known[0] += g.bannerIndex(banner) != Vocabulary.UNKNOWN ? 1 : 0;
        }
      });
      knownImpressions = known[0];
    }
    historyKey = key;
  }

  /** The latest {@code capacity} activities by name: behaviour events, then impressions, each oldest first. */
  synchronized List<Activity> activities() {
    List<Activity> behaviour = new ArrayList<>();
    List<Activity> shown = new ArrayList<>();
    forEach(Math.max(0, eventCount() - capacity), Math.max(0, impressionCount() - capacity), new Visitor() {
      @Override
      public void event(EventType type, int brand, int category, int priceTier, float dwell, long time) {
        behaviour.add(new Activity.Behaviour(type, name(NameDictionary.BRANDS, brand),
            name(NameDictionary.CATEGORIES, category), priceTier, dwell, time));
      }

      @Override
      public void impression(int banner, long time) {
        shown.add(new Activity.Shown(name(NameDictionary.BANNERS, banner), time));
      }
    });
    behaviour.addAll(shown);
    return behaviour;
  }

  private static String name(NameDictionary names, int id) {
    String n = names.nameOf(id);
    return n == null ? "" : n;
  }
}
