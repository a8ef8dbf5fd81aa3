package dev.bannerranker.trainer.item2vec;

import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.Impression;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns each user's time-ordered behaviour into item2vec sentences. A product event contributes its brand
 * and category tokens; a banner click contributes the banner's token. A gap longer than the session gap
 * ends a sentence; a gap of 0 never does. Only activity before {@code until} is used, so test-day behaviour never trains vectors.
 */
public final class SessionBuilder {
  private SessionBuilder() {}

  private record Item(long time, int order, String[] tokens) {}

  /** One user's rows: events and impressions, each in log order. */
  private record UserRows(List<BehaviourEvent> events, List<Impression> impressions) {}

  /** Every user's sessions, users in id order. */
  public static List<List<String>> sessions(EventLog log, long until, int gapMinutes) {
    Set<String> banners = new HashSet<>();
    log.banners().forEach(b -> banners.add(b.id()));
    Map<String, UserRows> byUser = new TreeMap<>(); // sorted users: order independent of hashing
    for (BehaviourEvent e : log.events()) {
      if (e.timestamp() < until) {
        byUser.computeIfAbsent(e.userId(), u -> new UserRows(new ArrayList<>(), new ArrayList<>())).events().add(e);
      }
    }
    for (Impression imp : log.impressions()) {
      if (imp.clicked() && imp.timestamp() < until) {
        byUser.computeIfAbsent(imp.userId(), u -> new UserRows(new ArrayList<>(), new ArrayList<>()))
            .impressions().add(imp);
      }
    }
    List<List<String>> out = new ArrayList<>();
    for (UserRows u : byUser.values()) {
      ofUser(u.events(), u.impressions(), banners, until, gapMinutes, out::add);
    }
    return out;
  }

  /**
   * One user's sessions, from the user's events and impressions each in log order (time, then file order). At equal
   * times events come before banner clicks. Only sessions of two tokens or more are handed on.
   */
  public static void ofUser(List<BehaviourEvent> events, List<Impression> impressions, Set<String> bannerIds,
      long until, int gapMinutes, Consumer<List<String>> out) {
    List<Item> items = new ArrayList<>();
    int order = 0;
    for (BehaviourEvent e : events) {
      if (e.timestamp() < until) {
        items.add(new Item(e.timestamp(), order++, new String[] {ItemTokens.brand(e.brand()),
            ItemTokens.category(e.category())}));
      }
    }
    for (Impression imp : impressions) {
      if (imp.clicked() && imp.timestamp() < until && bannerIds.contains(imp.bannerId())) {
        items.add(new Item(imp.timestamp(), order++, new String[] {ItemTokens.banner(imp.bannerId())}));
      }
    }
    if (items.isEmpty()) {
      return;
    }
    long gap = gapMinutes == 0 ? Long.MAX_VALUE : gapMinutes * 60L;
    items.sort(Comparator.comparingLong(Item::time).thenComparingInt(Item::order));
    List<String> current = new ArrayList<>();
    long last = Long.MIN_VALUE;
    for (Item it : items) {
      if (!current.isEmpty() && it.time() - last > gap) {
        addIfUseful(out, current);
        current = new ArrayList<>();
      }
      for (String t : it.tokens()) {
        current.add(t);
      }
      last = it.time();
    }
    addIfUseful(out, current);
  }

  private static void addIfUseful(Consumer<List<String>> out, List<String> s) {
    if (s.size() >= 2) { // a lone token has no context to learn from
      out.accept(s);
    }
  }
}
