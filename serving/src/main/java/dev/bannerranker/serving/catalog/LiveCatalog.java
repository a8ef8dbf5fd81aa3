package dev.bannerranker.serving.catalog;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.data.CsvSchemas;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One immutable generation of the catalog of record: every banner by id, the placements' rules set at run time, and
 * the version, which grows by one with every change. A change builds the next generation; nothing here is mutated.
 */
public final class LiveCatalog {
  /**
   * Layout of {@link #encode}. 2 adds each banner's {@code bid_per_conversion} cell after the others; layout 1 (without
   * it) still reads, as banners bid per click only. A stored catalog of another layout is refused.
   */
  static final int LAYOUT = 2;

  private final long version;
  private final SortedMap<String, LiveBanner> banners;
  private final SortedMap<String, PlacementRules> rules;

  private LiveCatalog(long version, SortedMap<String, LiveBanner> banners, SortedMap<String, PlacementRules> rules) {
    this.version = version;
    this.banners = Collections.unmodifiableSortedMap(banners);
    this.rules = Collections.unmodifiableSortedMap(rules);
  }

  /** Version 1: a bundle's catalog, none paused, no rules of its own. */
  public static LiveCatalog seed(Collection<Banner> banners) {
    SortedMap<String, LiveBanner> all = new TreeMap<>();
    banners.forEach(b -> all.put(b.id(), new LiveBanner(b, false)));
    return new LiveCatalog(1, all, new TreeMap<>());
  }

  public long version() {
    return version;
  }

  /** Every banner by id, paused ones too. */
  public SortedMap<String, LiveBanner> banners() {
    return banners;
  }

  /** The banner, or null. */
  public LiveBanner banner(String id) {
    return banners.get(id);
  }

  /** Rules set at run time, by placement; a placement not here has the configured ones. */
  public SortedMap<String, PlacementRules> rules() {
    return rules;
  }

  /** The next version with these banners created or replaced whole. */
  public LiveCatalog withBanners(List<LiveBanner> changed) {
    SortedMap<String, LiveBanner> all = new TreeMap<>(banners);
    changed.forEach(b -> all.put(b.id(), b));
    return new LiveCatalog(version + 1, all, new TreeMap<>(rules));
  }

  /** The next version with the placement's rules replaced. */
  public LiveCatalog withRules(String placement, PlacementRules placementRules) {
    SortedMap<String, PlacementRules> all = new TreeMap<>(rules);
    all.put(placement, placementRules);
    return new LiveCatalog(version + 1, new TreeMap<>(banners), all);
  }

  /** Banners by status at {@code now}: {@code active}, {@code paused}, {@code expired}. */
  public Map<String, Integer> statusCounts(long now) {
    Map<String, Integer> out = new HashMap<>();
    for (String s : List.of("active", "paused", "expired")) {
      out.put(s, 0);
    }
    banners.values().forEach(b -> out.merge(b.status(now), 1, Integer::sum));
    return out;
  }

  /**
   * The stored form: the layout, the banners as their {@code banners.csv} cells and the paused flag, then the rules.
   * Decoding checks every banner again by the rules of a {@code banners.csv} row.
   */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(LAYOUT);
      out.writeLong(version);
      out.writeInt(banners.size());
      for (LiveBanner b : banners.values()) {
        for (String cell : BannerCsv.cells(b.banner())) {
          out.writeUTF(cell);
        }
        out.writeUTF(BannerCsv.bidPerConversionCell(b.banner()));
        out.writeBoolean(b.paused());
      }
      out.writeInt(rules.size());
      for (Map.Entry<String, PlacementRules> e : rules.entrySet()) {
        out.writeUTF(e.getKey());
        writeList(out, e.getValue().pinned());
        writeList(out, e.getValue().blocked());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads {@link #encode}'s form; a stored catalog that fails its checks is an {@link IllegalStateException}. */
  public static LiveCatalog decode(byte[] encoded) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
      int layout = in.readInt();
      if (layout != 1 && layout != LAYOUT) {
        throw new IllegalStateException("the stored catalog has layout " + layout + ", this service reads 1 and "
            + LAYOUT);
      }
      long version = in.readLong();
      int n = in.readInt();
      SortedMap<String, LiveBanner> banners = new TreeMap<>();
      List<String> header = CsvSchemas.BANNERS_HEADER;
      for (int i = 0; i < n; i++) {
        Map<String, String> cells = new HashMap<>();
        for (String column : header) {
          cells.put(column, in.readUTF());
        }
        if (layout >= 2) {
          cells.put(CsvSchemas.BID_PER_CONVERSION, in.readUTF());
        }
        Banner b = BannerCsv.parse(cells);
        banners.put(b.id(), new LiveBanner(b, in.readBoolean()));
      }
      int r = in.readInt();
      SortedMap<String, PlacementRules> rules = new TreeMap<>();
      for (int i = 0; i < r; i++) {
        rules.put(in.readUTF(), new PlacementRules(readList(in), readList(in)));
      }
      return new LiveCatalog(version, banners, rules);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("the stored catalog cannot be read: " + e.getMessage(), e);
    }
  }

  private static void writeList(DataOutputStream out, List<String> values) throws IOException {
    out.writeInt(values.size());
    for (String v : values) {
      out.writeUTF(v);
    }
  }

  private static List<String> readList(DataInputStream in) throws IOException {
    int n = in.readInt();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.readUTF());
    }
    return out;
  }
}
