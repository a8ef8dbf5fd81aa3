package dev.bannerranker.trainer.item2vec;

import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.Impression;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns each user's time-ordered behaviour into item2vec sentences. A product event contributes its brand
 * and category tokens; a banner click contributes the banner's token. A gap longer than the session gap
 * ends a sentence; a gap of 0 never does. Only activity before {@code until} is used, so test-day behaviour never trains vectors.
 */
public final class SessionBuilder {
  private SessionBuilder() {}

  private record Item(long time, int order, String[] tokens) {}

  public static List<List<String>> sessions(EventLog log, long until, int gapMinutes) {
    Map<String, Banner> banners = new HashMap<>();
    log.banners().forEach(b -> banners.put(b.id(), b));
    Map<String, List<Item>> byUser = new TreeMap<>(); // sorted users: order independent of hashing
    int order = 0;
    for (BehaviourEvent e : log.events()) {
      if (e.timestamp() < until) {
        byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>())
            .add(new Item(e.timestamp(), order++, new String[] {ItemTokens.brand(e.brand()), ItemTokens.category(e.category())}));
      }
    }
    for (Impression imp : log.impressions()) {
      if (imp.clicked() && imp.timestamp() < until && banners.containsKey(imp.bannerId())) {
        byUser.computeIfAbsent(imp.userId(), u -> new ArrayList<>())
            .add(new Item(imp.timestamp(), order++, new String[] {ItemTokens.banner(imp.bannerId())}));
      }
    }
    long gap = gapMinutes == 0 ? Long.MAX_VALUE : gapMinutes * 60L;
    List<List<String>> out = new ArrayList<>();
    for (List<Item> items : byUser.values()) {
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
    return out;
  }

  private static void addIfUseful(List<List<String>> out, List<String> s) {
    if (s.size() >= 2) { // a lone token has no context to learn from
      out.add(s);
    }
  }
}
