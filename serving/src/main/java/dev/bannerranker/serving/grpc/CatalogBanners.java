package dev.bannerranker.serving.grpc;

import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BannerCsv;
import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.proto.v1.CatalogBanner;
import dev.bannerranker.serving.catalog.BannerInput;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code CatalogBanner} to and from the domain: the endpoint's mapping, and the {@code catalog} command's. */
public final class CatalogBanners {
  private CatalogBanners() {}

  /** The banner's fields as {@code banners.csv} cells, unchecked: the domain checks them. */
  public static BannerInput input(CatalogBanner b) {
    Map<String, String> cells = new HashMap<>();
    cells.put("banner_id", b.getBannerId());
    cells.put("brand", b.getBrand());
    cells.put("category", b.getCategory());
    cells.put("placement", b.getPlacement());
    cells.put("creative_format", b.getCreativeFormat());
    cells.put("creative_color", b.getCreativeColor());
    cells.put("discount_pct", Integer.toString(b.getDiscountPct()));
    cells.put("campaign_id", b.getCampaignId());
    cells.put("price_tier", Integer.toString(b.getPriceTier()));
    cells.put("start_time", b.getStartTime());
    cells.put("end_time", b.getEndTime());
    cells.put("bid", Double.toString(b.getBid()));
    cells.put("priority", Integer.toString(b.getPriority()));
    cells.put("target_genders", join(b.getTargetGendersList()));
    cells.put("target_age_bands", join(b.getTargetAgeBandsList()));
    cells.put("target_city_tiers", join(b.getTargetCityTiersList()));
    if (b.hasBidPerConversion()) {
      cells.put(CsvSchemas.BID_PER_CONVERSION, Double.toString(b.getBidPerConversion()));
    }
    return new BannerInput(cells, b.getPaused());
  }

  /** The banner as the RPCs carry it. */
  public static CatalogBanner proto(Banner b, boolean paused) {
    CatalogBanner.Builder out = CatalogBanner.newBuilder().setBannerId(b.id()).setBrand(b.brand()).setCategory(b.category())
        .setPlacement(b.placement()).setCreativeFormat(b.creativeFormat()).setCreativeColor(b.creativeColor())
        .setDiscountPct(b.discountPct()).setCampaignId(b.campaignId()).setPriceTier(b.priceTier())
        .setStartTime(Instant.ofEpochSecond(b.startTime()).toString())
        .setEndTime(Instant.ofEpochSecond(b.endTime()).toString()).setBid(b.bid()).setPriority(b.priority())
        .addAllTargetGenders(b.targetGenders().stream().map(Enum::name).sorted().toList())
        .addAllTargetAgeBands(b.targetAgeBands().stream().sorted().toList())
        .addAllTargetCityTiers(b.targetCityTiers().stream().sorted().toList()).setPaused(paused);
    if (b.hasBidPerConversion()) {
      out.setBidPerConversion(b.bidPerConversion());
    }
    return out.build();
  }

  private static String join(Collection<?> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(CsvSchemas.LIST_SEPARATOR));
  }

  /** A banner read back from the service, checked as a {@code banners.csv} row. */
  public static Banner banner(CatalogBanner b) {
    return BannerCsv.parse(input(b).cells());
  }
}
