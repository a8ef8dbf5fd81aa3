package dev.bannerranker.serving.catalog;

import java.util.Map;

/**
 * A banner as a client sends it: its {@code banners.csv} cells by column name, unchecked, and whether it is paused.
 * {@link CatalogService#upsert} checks the cells by the rules of a {@code banners.csv} row.
 */
public record BannerInput(Map<String, String> cells, boolean paused) {
  public BannerInput {
    cells = Map.copyOf(cells);
  }
}
