package dev.bannerranker.features;

import dev.bannerranker.data.EventType;
import dev.bannerranker.data.UserProfile;

/**
 * A user's recent behaviour in primitive ring buffers: the latest behaviour events (product views and
 * banner clicks) and the latest impressions. Offline the training sweep appends in time order; online
 * the service appends from RecordEvents. Not thread-safe: the service guards each instance.
 */
public final class UserHistory {
  private static final EventType[] TYPES = EventType.values();

  private final int[] evBrand;
  private final int[] evCategory;
  private final long[] evTime;
  private final byte[] evType;
  private final byte[] evPriceTier;
  private final float[] evDwell;
  private int evHead; // next write position
  private int evSize;
  private long totalEvents;

  private final int[] impBanner;
  private final long[] impTime;
  private int impHead;
  private int impSize;

  // The last fold-in taste and what it was computed from: it depends only on the events, which change less often
  // than the history is scored.
  private Object foldInOwner;
  private long foldInAt = -1;
  private float[] foldIn;
  /** The profile's gender row the cached taste was solved for. */
  private int foldInGroup = -1;

  /** The whole history's browsing choices for the fold-in taste; null when the spec has no fold-in. */
  private ChoiceCounts choices;

  public UserHistory(int maxEvents, int maxImpressions) {
    this(maxEvents, maxImpressions, false);
  }

  /** @param choiceCounts keep the whole history's browsing choices ({@link ChoiceCounts}) for the fold-in taste */
  public UserHistory(int maxEvents, int maxImpressions, boolean choiceCounts) {
    choices = choiceCounts ? new ChoiceCounts() : null;
    evBrand = new int[maxEvents];
    evCategory = new int[maxEvents];
    evTime = new long[maxEvents];
    evType = new byte[maxEvents];
    evPriceTier = new byte[maxEvents];
    evDwell = new float[maxEvents];
    impBanner = new int[maxImpressions];
    impTime = new long[maxImpressions];
  }

  public static UserHistory forSpec(FeatureSpec spec) {
    return new UserHistory(spec.maxRecentEvents(), spec.maxRecentImpressions(), spec.hasFoldIn());
  }

  /** Appends a behaviour event; the oldest one is forgotten when the ring is full. */
  public void addEvent(int brandIdx, int categoryIdx, EventType type, int priceTier, float dwellSeconds, long time) {
    int i = evHead;
    evBrand[i] = brandIdx;
    evCategory[i] = categoryIdx;
    evTime[i] = time;
    evType[i] = (byte) type.ordinal();
    evPriceTier[i] = (byte) priceTier;
    evDwell[i] = dwellSeconds;
    evHead = (i + 1) % evBrand.length;
    evSize = Math.min(evSize + 1, evBrand.length);
    totalEvents++;
    if (choices != null) {
      choices.add(brandIdx, categoryIdx, type, time);
    }
  }

  public void addImpression(int bannerIdx, long time) {
    impBanner[impHead] = bannerIdx;
    impTime[impHead] = time;
    impHead = (impHead + 1) % impBanner.length;
    impSize = Math.min(impSize + 1, impBanner.length);
  }

  /**
   * Counts {@code n} more events in {@link #totalEvents} without holding them: events a bounded log has already
   * forgotten, when a history is rebuilt from that log. Changes nothing else.
   */
  public void countForgottenEvents(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("forgotten events must not be negative, got " + n);
    }
    totalEvents += n;
  }

  /** Impressions of {@code bannerIdx} at or after {@code since} and before {@code until}. */
  public int impressionsOf(int bannerIdx, long since, long until) {
    int n = 0;
    for (int k = 0; k < impSize; k++) {
      if (impBanner[k] == bannerIdx && impTime[k] >= since && impTime[k] < until) {
        n++;
      }
    }
    return n;
  }

  /**
   * The banners of the impressions at or after {@code since} and before {@code until}, one entry per impression, in
   * no particular order.
   */
  public int[] impressionsBetween(long since, long until) {
    int[] out = new int[impSize];
    int n = 0;
    for (int k = 0; k < impSize; k++) {
      if (impTime[k] >= since && impTime[k] < until) {
        out[n++] = impBanner[k];
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  public int eventCount() {
    return evSize;
  }

  /** Impressions held, at most the ring's size. */
  public int impressionCount() {
    return impSize;
  }

  /** The banner of held impression {@code k} (0 ≤ k < {@link #impressionCount()}), in storage order, not by age. */
  public int impressionBanner(int k) {
    return impBanner[k];
  }

  /** The time of held impression {@code k}, in the same order as {@link #impressionBanner}. */
  public long impressionTime(int k) {
    return impTime[k];
  }

  /** Events ever added, including those the ring has forgotten. */
  public long totalEvents() {
    return totalEvents;
  }

  // Accessors by age rank: k = 0 is the oldest event still held.
  int slot(int k) {
    return (evHead - evSize + k + evBrand.length) % evBrand.length;
  }

  public int eventBrand(int k) {
    return evBrand[slot(k)];
  }

  public int eventCategory(int k) {
    return evCategory[slot(k)];
  }

  public long eventTime(int k) {
    return evTime[slot(k)];
  }

  public EventType eventType(int k) {
    return TYPES[evType[slot(k)]];
  }

  public int eventPriceTier(int k) {
    return evPriceTier[slot(k)];
  }

  public float eventDwell(int k) {
    return evDwell[slot(k)];
  }

  ChoiceCounts choiceCounts() {
    return choices;
  }

  /**
   * Uses {@code counts} as the whole history's browsing choices, in place of what the added events counted: for a
   * history rebuilt from a bounded log whose counts were kept apart (the service keeps them by name and {@link
   * ChoiceCounts#translate}s them). Events added later count into them; null keeps none.
   */
  public void setChoiceCounts(ChoiceCounts counts) {
    choices = counts;
    foldInOwner = null;
    foldIn = null;
  }

  /**
   * Takes {@code taste} as what {@link #foldIn} gives for these factors and this profile until the events change:
   * for a service that cached the taste of the same choice counts. The caller vouches that it equals {@code
   * factors.foldIn(this, profile)}.
   */
  public void setFoldIn(FoldInFactors factors, UserProfile profile, float[] taste) {
    foldInOwner = factors;
    foldInAt = totalEvents;
    foldInGroup = FoldInFactors.genderRow(profile);
    foldIn = taste;
  }

  /** The fold-in taste of the current events and this profile, computed once per change of the events. */
  public float[] foldIn(FoldInFactors factors, UserProfile profile) {
    int group = FoldInFactors.genderRow(profile);
    if (foldInOwner != factors || foldInAt != totalEvents || foldInGroup != group) {
      foldIn = factors.foldIn(this, profile);
      foldInOwner = factors;
      foldInAt = totalEvents;
      foldInGroup = group;
    }
    return foldIn;
  }

  /** A deep copy, for tests and for A/B arms that must not share mutable state. */
  public UserHistory copy() {
    UserHistory c = new UserHistory(evBrand.length, impBanner.length);
    c.choices = choices == null ? null : choices.copy();
    c.foldInOwner = foldInOwner;
    c.foldInAt = foldInAt;
    c.foldInGroup = foldInGroup;
    c.foldIn = foldIn; // never mutated
    System.arraycopy(evBrand, 0, c.evBrand, 0, evBrand.length);
    System.arraycopy(evCategory, 0, c.evCategory, 0, evBrand.length);
    System.arraycopy(evTime, 0, c.evTime, 0, evBrand.length);
    System.arraycopy(evType, 0, c.evType, 0, evBrand.length);
    System.arraycopy(evPriceTier, 0, c.evPriceTier, 0, evBrand.length);
    System.arraycopy(evDwell, 0, c.evDwell, 0, evBrand.length);
    System.arraycopy(impBanner, 0, c.impBanner, 0, impBanner.length);
    System.arraycopy(impTime, 0, c.impTime, 0, impBanner.length);
    c.evHead = evHead;
    c.evSize = evSize;
    c.totalEvents = totalEvents;
    c.impHead = impHead;
    c.impSize = impSize;
    return c;
  }
}
