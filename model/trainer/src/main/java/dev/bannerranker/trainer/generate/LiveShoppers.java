package dev.bannerranker.trainer.generate;

import dev.bannerranker.data.EventType;
import java.io.IOException;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The demo world's shoppers against a live ranking service: the generator's own visits, browsing and click model
 * (true click probability, position bias and fatigue included), with the home page's banners chosen by the service
 * instead of the world's logging policy. Deterministic given the world and the service's answers.
 */
public final class LiveShoppers {

  /** One placement to fill: user, placement, platform (web, ios, android), slot count and time (epoch seconds). */
  public record Request(String userId, String placement, String platform, int slots, long epochSecond) {}

  /** What the service returned, best first. */
  public record Answer(List<String> bannerIds, String requestId, String modelVersion) {
    public Answer {
      bannerIds = List.copyOf(bannerIds);
    }
  }

  /**
   * A banner shown at {@code slot} (1-based), whether the shopper clicked it and whether the click converted (a purchase
   * within the world's attribution window; false without a click), with the true probabilities of both: {@code trueCvr}
   * is the probability that a click on it converts.
   */
  public record Shown(String userId, long epochSecond, String bannerId, String placement, int slot, String requestId,
      String modelVersion, boolean clicked, double trueCtr, boolean converted, double trueCvr) {}

  /** A product event; {@code priceTier} 0 when unknown. */
  public record Browse(String userId, long epochSecond, EventType type, String brand, String category, int priceTier,
      double dwellSeconds) {}

  /** The service the shoppers visit. */
  public interface Service {
    Answer rank(Request request) throws IOException;
  }

  /** Where the shoppers' actions go, in time order per shopper. */
  public interface Output {
    void productEvent(Browse event) throws IOException;

    void impression(Shown shown) throws IOException;

    /** Called before every {@link Service#rank}: whatever was handed over must reach the service now. */
    void flush() throws IOException;
  }

  /** The first second of the world's 14 days, as epoch seconds. */
  public static final long WORLD_START = Timeline.START_EPOCH_SECONDS;
  public static final int WORLD_DAYS = Timeline.DAYS;

  private final World world;

  public LiveShoppers(Scale scale, long seed) {
    this.world = new World(scale, seed);
  }

  public int users() {
    return world.population.size;
  }

  /** Impressions of a banner to a user this recent lower the true click probability (fatigue). */
  public static final long FATIGUE_WINDOW_SECONDS = ClickModel.FATIGUE_WINDOW_SECONDS;

  /**
   * The world's true probability that {@code userId} clicks {@code bannerId} shown at {@code slot} (1-based) of the
   * banner's placement, after {@code recentImpressions} impressions of that banner to that user in the previous
   * {@link #FATIGUE_WINDOW_SECONDS}: what the shoppers click with. NaN when the world knows the user or the banner
   * not, or the slot is outside 1 to 4.
   */
  public double trueClickProbability(String userId, String bannerId, int slot, int recentImpressions) {
    Integer user = userIndex().get(userId);
    Integer banner = bannerIndex().get(bannerId);
    if (user == null || banner == null || slot < 1 || slot > ClickModel.SLOT_BIAS.length || recentImpressions < 0) {
      return Double.NaN;
    }
    return world.clickProbability(user, banner, world.catalog.banners[banner].placement, slot, recentImpressions)
        .value();
  }

  private java.util.Map<String, Integer> users;
  private java.util.Map<String, Integer> banners;

  private synchronized java.util.Map<String, Integer> userIndex() {
    if (users == null) {
      users = new java.util.HashMap<>();
      for (int u = 0; u < world.population.size; u++) {
        users.put(Population.id(u), u);
      }
    }
    return users;
  }

  private synchronized java.util.Map<String, Integer> bannerIndex() {
    if (banners == null) {
      banners = new java.util.HashMap<>();
      for (Catalog.BannerDef b : world.catalog.banners) {
        banners.put(b.id, b.index);
      }
    }
    return banners;
  }

  /**
   * Plays the visits of the first {@code shoppers} users during the world's first {@code days} days, with every time
   * moved by {@code shiftSeconds}, until {@code stop} says so (checked before each visit). {@code clickSeed} 0 draws
   * the world's own clicks; another value draws other clicks from the same click probabilities.
   */
  public GenerationSummary run(int shoppers, int days, long shiftSeconds, long clickSeed, Service service,
      Output output, BooleanSupplier stop) throws IOException {
    if (days < 1 || days > Timeline.DAYS) {
      throw new IllegalArgumentException("--days must be 1 to " + Timeline.DAYS + ", got " + days);
    }
    if (shoppers < 1) {
      throw new IllegalArgumentException("--shoppers must be positive, got " + shoppers);
    }
    return new Simulation(world, service, output, shiftSeconds, clickSeed)
        .run(shoppers, (long) days * Timeline.SECONDS_PER_DAY, stop);
  }
}
