package dev.bannerranker.trainer.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Everything fixed before generation: catalog, shoppers and the visit schedule, plus the seeds of the per-visit
 * streams. Each concern has its own stream or seed, all derived from the one generator seed.
 */
final class World {

  /** Mean number of visits per user over the 14 days (times the user's activity multiplier). */
  static final double VISITS_MEAN = 14.0;
  /** Relative visit rate by hour of day (UTC treated as shop-local time). */
  static final double[] HOUR_WEIGHTS = {
      0.60, 0.35, 0.20, 0.15, 0.15, 0.25, 0.50, 0.90, 1.20, 1.20, 1.10, 1.20,
      1.50, 1.50, 1.20, 1.10, 1.10, 1.20, 1.50, 1.90, 2.20, 2.20, 1.80, 1.10};
  static final double WEEKEND_WEIGHT = 1.2;
  /** Bits of a schedule key holding the user index; the rest is the start second. */
  static final int USER_BITS = 24;

  final Scale scale;
  final long seed;
  final Catalog catalog;
  final Population population;
  final long planSeed;
  final long behaviourSeed;
  final long servingSeed;
  final long clickSeed;
  /** Visits sorted by start: (startSecond << USER_BITS) | user. */
  final long[] visits;
  private long expectedImpressions = -1;

  World(Scale scale, long seed) {
    if (scale.users() >= 1 << USER_BITS) {
      throw new IllegalArgumentException("too many users for the schedule encoding");
    }
    this.scale = scale;
    this.seed = seed;
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom catalogStream = root.split();
    long userSeed = root.nextLong();
    long noiseSeed = root.nextLong();
    long scheduleSeed = root.nextLong();
    planSeed = root.nextLong();
    behaviourSeed = root.nextLong();
    servingSeed = root.nextLong();
    clickSeed = root.nextLong();
    long appealSeed = root.nextLong(); // drawn last, so that the seeds above are those of worlds without appeals
    catalog = new Catalog(scale, catalogStream, appealSeed);
    population = new Population(scale.users(), catalog, userSeed, noiseSeed);
    visits = schedule(scheduleSeed);
  }

  private long[] schedule(long scheduleSeed) {
    double[] dayWeights = new double[Timeline.DAYS];
    for (int d = 0; d < Timeline.DAYS; d++) {
      dayWeights[d] = Timeline.isWeekend(d) ? WEEKEND_WEIGHT : 1.0;
    }
    long lastStart = Timeline.SECONDS - Simulation.MAX_VISIT_SECONDS;
    long[] keys = new long[Math.max(16, (int) (population.size * VISITS_MEAN * 1.2))];
    int n = 0;
    for (int u = 0; u < population.size; u++) {
      SplittableRandom r = new SplittableRandom(Rand.derive(scheduleSeed, u));
      int count = Rand.poisson(r, VISITS_MEAN * population.activity[u]);
      long[] starts = new long[count];
      for (int i = 0; i < count; i++) {
        int day = Rand.categorical(r, dayWeights);
        int hour = Rand.categorical(r, HOUR_WEIGHTS);
        starts[i] = (long) day * Timeline.SECONDS_PER_DAY + (long) hour * Timeline.SECONDS_PER_HOUR
            + r.nextInt(Timeline.SECONDS_PER_HOUR);
      }
      Arrays.sort(starts);
      long previous = Long.MIN_VALUE / 2;
      for (long s : starts) {
        long start = Math.max(s, previous + Simulation.MIN_VISIT_GAP_SECONDS);
        if (start > lastStart) {
          break;
        }
        if (n == keys.length) {
          keys = Arrays.copyOf(keys, keys.length * 2);
        }
        keys[n++] = start << USER_BITS | u;
        previous = start;
      }
    }
    long[] result = Arrays.copyOf(keys, n);
    Arrays.sort(result);
    return result;
  }

  static int userOf(long key) {
    return (int) (key & ((1L << USER_BITS) - 1));
  }

  static long startOf(long key) {
    return key >>> USER_BITS;
  }

  /**
   * The true probability that {@code user} clicks {@code banner} shown at {@code slot} (1-based) of {@code placement}
   * after {@code recentImpressions} impressions of it in the previous 72 hours: the click model's.
   */
  Fmt.Prob clickProbability(int user, int banner, int placement, int slot, int recentImpressions) {
    Catalog.BannerDef b = catalog.banners[banner];
    double genderCategory = population.genderSign(user) * catalog.categories.get(b.category).genderSkew();
    double logit = ClickModel.logit(population.brandAffinity(user, b.brand), population.categoryTaste(user, b.category),
        population.priceMatch(user, b.priceTier), genderCategory, b.quality,
        b.appeal(population.gender[user], population.ageBand[user]), b.discountPct, placement, slot,
        recentImpressions);
    return Fmt.sixDigits(ClickModel.probability(logit));
  }

  VisitPlan plan(int user, long start) {
    return VisitPlan.draw(Rand.stream(planSeed, user, start), population.platform[user]);
  }

  /** Impressions the plans ask for; the output has exactly this many unless too few banners are eligible. */
  synchronized long expectedImpressions() {
    if (expectedImpressions < 0) {
      long total = 0;
      for (long key : visits) {
        total += plan(userOf(key), startOf(key)).plannedImpressions();
      }
      expectedImpressions = total;
    }
    return expectedImpressions;
  }
}
