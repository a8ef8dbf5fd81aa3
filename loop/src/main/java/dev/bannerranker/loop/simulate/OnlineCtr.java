package dev.bannerranker.loop.simulate;

import dev.bannerranker.trainer.generate.LiveShoppers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Online click-through of what the shoppers were shown: overall, per slot, per placement and slot, per model, and
 * the top slot's per model and per day (UTC, of the simulated clock).
 */
public final class OnlineCtr {
  /** Impressions, clicks, conversions and the sums of the true click and (over clicks) conversion probabilities. */
  static final class Cell {
    long impressions;
    long clicks;
    long conversions;
    double trueCtrSum;
    double clickTrueCvrSum;

    void add(LiveShoppers.Shown s) {
      impressions++;
      trueCtrSum += s.trueCtr();
      if (s.clicked()) {
        clicks++;
        clickTrueCvrSum += s.trueCvr();
        conversions += s.converted() ? 1 : 0;
      }
    }

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("impressions", impressions);
      m.put("clicks", clicks);
      m.put("ctr", impressions == 0 ? 0.0 : (double) clicks / impressions);
      m.put("mean_true_ctr", impressions == 0 ? 0.0 : trueCtrSum / impressions);
      m.put("conversions", conversions);
      m.put("cvr", clicks == 0 ? 0.0 : (double) conversions / clicks);
      m.put("mean_true_cvr_of_clicks", clicks == 0 ? 0.0 : clickTrueCvrSum / clicks);
      return m;
    }
  }

  private final Cell all = new Cell();
  private final Map<Integer, Cell> bySlot = new TreeMap<>();
  private final Map<String, Map<Integer, Cell>> byPlacementSlot = new TreeMap<>();
  private final Map<String, Cell> byModel = new TreeMap<>();
  private final Map<String, Cell> topSlotByModel = new TreeMap<>();
  private final Map<String, Cell> topSlotByDay = new TreeMap<>();

  public void add(LiveShoppers.Shown s) {
    all.add(s);
    bySlot.computeIfAbsent(s.slot(), k -> new Cell()).add(s);
    byPlacementSlot.computeIfAbsent(s.placement(), k -> new TreeMap<>()).computeIfAbsent(s.slot(), k -> new Cell()).add(s);
    String model = s.modelVersion() == null ? "" : s.modelVersion();
    byModel.computeIfAbsent(model, k -> new Cell()).add(s);
    if (s.slot() == 1) {
      topSlotByModel.computeIfAbsent(model, k -> new Cell()).add(s);
      String day = java.time.LocalDate.ofEpochDay(Math.floorDiv(s.epochSecond(), 86_400L)).toString();
      topSlotByDay.computeIfAbsent(day, k -> new Cell()).add(s);
    }
  }

  public long impressions() {
    return all.impressions;
  }

  public long clicks() {
    return all.clicks;
  }

  /**
   * {@code all}, {@code by_slot}, {@code by_placement_slot}, {@code by_model_version}, {@code top_slot_by_model_version},
   * {@code top_slot_by_day} (keys {@code 2026-03-16}, ...).
   */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("all", all.json());
    Map<String, Object> slots = new LinkedHashMap<>();
    bySlot.forEach((k, v) -> slots.put(Integer.toString(k), v.json()));
    m.put("by_slot", slots);
    Map<String, Object> ps = new LinkedHashMap<>();
    byPlacementSlot.forEach((p, cells) -> {
      Map<String, Object> inner = new LinkedHashMap<>();
      cells.forEach((k, v) -> inner.put(Integer.toString(k), v.json()));
      ps.put(p, inner);
    });
    m.put("by_placement_slot", ps);
    Map<String, Object> models = new LinkedHashMap<>();
    byModel.forEach((k, v) -> models.put(k, v.json()));
    m.put("by_model_version", models);
    Map<String, Object> top = new LinkedHashMap<>();
    topSlotByModel.forEach((k, v) -> top.put(k, v.json()));
    m.put("top_slot_by_model_version", top);
    Map<String, Object> days = new LinkedHashMap<>();
    topSlotByDay.forEach((k, v) -> days.put(k, v.json()));
    m.put("top_slot_by_day", days);
    return m;
  }
}
