package dev.bannerranker.trainer.generate;

import dev.bannerranker.data.CsvSchemas;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Platform;
import dev.bannerranker.trainer.generate.Catalog.BannerDef;
import dev.bannerranker.trainer.generate.Catalog.Brand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.apache.commons.csv.CSVPrinter;

/**
 * Plays the visits in start order and streams events.csv, impressions.csv and impressions_truth.csv. Rows of a
 * visit wait in a small heap until no later visit can produce an earlier row, so memory holds only the visits in
 * flight plus each user's last 72 hours of impressions (for fatigue), never the whole output.
 */
final class Simulation {

  // ---- browsing ----
  /** Category choice: softmax of popularity + GENDER × genderSign × skew + TASTE × categoryTaste. */
  static final double BROWSE_CATEGORY_GENDER = 1.5;
  static final double BROWSE_CATEGORY_TASTE = 1.0;
  /** Brand choice within a category: softmax of AFFINITY × brandAffinity + PRICE × priceMatch + popularity. */
  static final double BROWSE_BRAND_AFFINITY = 1.3;
  static final double BROWSE_BRAND_PRICE = 0.5;
  /** Product views per category: 1 + Poisson(mean), at most MAX. */
  static final double EXTRA_VIEWS_MEAN = 5.0;
  static final int MAX_VIEWS_PER_CATEGORY = 10;
  /** Dwell seconds: exp(ln(MEDIAN) + AFFINITY × brandAffinity + SD × N(0,1)), clamped. */
  static final double DWELL_MEDIAN_SECONDS = 25;
  static final double DWELL_AFFINITY = 0.35;
  static final double DWELL_LOG_SD = 0.6;
  static final double MIN_DWELL_SECONDS = 1.0;
  static final int MAX_DWELL_SECONDS = 300;
  /** Add to cart after a view: sigmoid(BASE + AFFINITY × brandAffinity + PRICE × priceMatch). */
  static final double CART_BASE = -3.0;
  static final double CART_AFFINITY = 0.9;
  static final double CART_PRICE = 0.4;
  /** Purchase of a cart item at the end of the session: sigmoid(BASE + AFFINITY × affinity + PRICE × match). */
  static final double PURCHASE_BASE = -1.2;
  static final double PURCHASE_AFFINITY = 0.7;
  static final double PURCHASE_PRICE = 0.5;
  /** A product's price tier is its brand's tier with this probability, else one tier up or down. */
  static final double PRODUCT_AT_BRAND_TIER = 0.8;
  // step delays in seconds (inclusive ranges)
  static final int MIN_VIEW_GAP = 5;
  static final int MAX_VIEW_GAP = 60;
  static final int MIN_CART_DELAY = 3;
  static final int MAX_CART_DELAY = 20;
  static final int MIN_CHECKOUT_DELAY = 30;
  static final int MAX_CHECKOUT_DELAY = 120;
  static final int MIN_SCROLL_DELAY = 3;
  static final int MAX_SCROLL_DELAY = 15;
  static final int MIN_HOME_DWELL = 5;
  static final int MAX_HOME_DWELL = 40;
  static final int MIN_CLICK_DELAY = 2;
  static final int MAX_CLICK_DELAY = 10;
  static final int MIN_BOUNCE_GAP = 20;
  static final int MAX_BOUNCE_GAP = 120;

  /** Upper bound of a visit's length, from the caps above (2 home views, 2 categories, every view carted). */
  static final int MAX_VISIT_SECONDS;
  /** A user's visits start at least this far apart, so one user's visits never overlap. */
  static final int MIN_VISIT_GAP_SECONDS = 4 * Timeline.SECONDS_PER_HOUR;

  static {
    int home = MAX_SCROLL_DELAY + MAX_HOME_DWELL + MAX_CLICK_DELAY + MAX_DWELL_SECONDS + 1 + MAX_VIEW_GAP
        + MAX_BOUNCE_GAP;
    int views = 2 * MAX_VIEWS_PER_CATEGORY;
    MAX_VISIT_SECONDS = VisitPlan.MAX_HOME_VIEWS * home
        + views * (MAX_DWELL_SECONDS + 1 + MAX_CART_DELAY + MAX_VIEW_GAP) + views * MAX_CHECKOUT_DELAY;
    if (MAX_VISIT_SECONDS >= MIN_VISIT_GAP_SECONDS) {
      throw new ExceptionInInitializerError("visit caps exceed the minimum gap between visits");
    }
  }

  // ---- logging policy (never looks at the click model) ----
  /** Serving weight of an eligible banner: (bid in currency units)^BID_TILT × (1 + PRIORITY_TILT × priority). */
  static final double BID_TILT = 0.3;
  static final double PRIORITY_TILT = 0.02;
  /**
   * Frequency rule: with this probability a slot re-serves a banner the user was shown in the last 72 hours (still
   * live, same placement, admitted), chosen uniformly among them; this is what makes fatigue observable.
   */
  static final double RESERVE_PROBABILITY = 0.2;
  /** Rejection-sampling attempts per slot before falling back to scanning the eligible banners. */
  static final int REJECTION_TRIES = 32;

  static final int PROGRESS_EVERY = 10_000;
  private static final EventType[] EVENT_TYPES = EventType.values();
  private static final Platform[] PLATFORMS = Platform.values();

  private final World world;
  private final Catalog catalog;
  private final Population people;
  /** [placement][hour] banners live for the whole hour, with running sums of their serving weights. */
  private final int[][][] liveBanners;
  private final double[][][] liveWeights;
  private final FatigueLog[] fatigue;
  private final PriorityQueue<Row> pending = new PriorityQueue<>(
      (a, b) -> a.ts != b.ts ? Long.compare(a.ts, b.ts) : Long.compare(a.seq, b.seq));
  private long seq;

  // output
  private final CSVPrinter events;
  private final CSVPrinter impressions;
  private final CSVPrinter truth;
  /** The true conversion probability of every impression; null in a live run. */
  private final CSVPrinter conversionTruth;
  private final LongConsumer progress;
  private final Fmt fmt = new Fmt();
  private final String[] userIds;
  /** Set when the home page is served by a live service instead of the world's logging policy. */
  private final LiveShoppers.Service service;
  private final LiveShoppers.Output online;
  private final long onlineShift;
  /** The world's click seed; a live run may draw other clicks from the same shoppers. */
  private final long clickSeed;
  /** The conversions' own seed, so that adding them left every other draw of the world as it was. */
  private final long conversionSeed;
  private final double[] landing;
  private final java.util.Map<String, Integer> bannerIndex = new java.util.HashMap<>();
  private long eventCount;
  private long impressionCount;
  private long clickCount;
  private long conversionCount;
  private double trueCtrSum;

  Simulation(World world, CSVPrinter events, CSVPrinter impressions, CSVPrinter truth, CSVPrinter conversionTruth,
      LongConsumer progress) {
    this(world, events, impressions, truth, conversionTruth, progress, null, null, 0, 0);
  }

  /** Shoppers of {@code world} served by a live service; rows go to {@code online}, times shifted by {@code shift} s. */
  Simulation(World world, LiveShoppers.Service service, LiveShoppers.Output online, long shift, long clickSalt) {
    this(world, null, null, null, null, null, service, online, shift, clickSalt);
  }

  private Simulation(World world, CSVPrinter events, CSVPrinter impressions, CSVPrinter truth,
      CSVPrinter conversionTruth, LongConsumer progress, LiveShoppers.Service service, LiveShoppers.Output online,
      long shift, long clickSalt) {
    this.clickSeed = clickSalt == 0 ? world.clickSeed : Rand.derive(world.clickSeed, clickSalt);
    this.conversionSeed = ConversionModel.seed(clickSeed);
    this.conversionTruth = conversionTruth;
    this.service = service;
    this.online = online;
    this.onlineShift = shift;
    this.world = world;
    this.catalog = world.catalog;
    this.people = world.population;
    this.events = events;
    this.impressions = impressions;
    this.truth = truth;
    this.progress = progress;
    this.fatigue = new FatigueLog[people.size];
    this.userIds = new String[people.size];
    for (int u = 0; u < people.size; u++) {
      userIds[u] = Population.id(u);
    }
    liveBanners = new int[Catalog.PLACEMENTS.length][Timeline.HOURS][];
    liveWeights = new double[Catalog.PLACEMENTS.length][Timeline.HOURS][];
    for (BannerDef b : catalog.banners) {
      bannerIndex.put(b.id, b.index);
    }
    landing = new double[catalog.banners.length];
    for (BannerDef b : catalog.banners) {
      landing[b.index] = ConversionModel.landing(ConversionModel.seed(world.clickSeed), b.index); // the world's, not the run's
    }
    double[] weight = new double[catalog.banners.length];
    for (BannerDef b : catalog.banners) {
      weight[b.index] = StrictMath.pow(b.bidCents / 100.0, BID_TILT) * (1 + PRIORITY_TILT * b.priority);
    }
    int[] buffer = new int[catalog.banners.length];
    for (int p = 0; p < Catalog.PLACEMENTS.length; p++) {
      for (int h = 0; h < Timeline.HOURS; h++) {
        int n = 0;
        for (BannerDef b : catalog.banners) {
          if (b.placement == p && b.liveInHour(h)) {
            buffer[n++] = b.index;
          }
        }
        liveBanners[p][h] = Arrays.copyOf(buffer, n);
        double[] cumulative = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
          sum += weight[buffer[i]];
          cumulative[i] = sum;
        }
        liveWeights[p][h] = cumulative;
      }
    }
  }

  GenerationSummary run() throws IOException {
    return run(Integer.MAX_VALUE, Long.MAX_VALUE, () -> false);
  }

  /** Plays the visits of users below {@code users} that start before second {@code end}, until {@code stop}. */
  GenerationSummary run(int users, long end, java.util.function.BooleanSupplier stop) throws IOException {
    for (long key : world.visits) {
      long start = World.startOf(key);
      if (start >= end || stop.getAsBoolean()) {
        break;
      }
      if (World.userOf(key) >= users) {
        continue;
      }
      flushUpTo(start);
      visit(World.userOf(key), start);
    }
    flushUpTo(Long.MAX_VALUE);
    if (online != null) {
      online.flush();
    }
    if (progress != null) {
      progress.accept(impressionCount);
    }
    return new GenerationSummary(catalog.brands.length, catalog.categories.size(), catalog.banners.length,
        people.size, eventCount, impressionCount, clickCount, conversionCount,
        impressionCount == 0 ? 0 : trueCtrSum / impressionCount);
  }

  // ---------------------------------------------------------------- one visit

  /** Per-visit state: the streams and the clock. */
  private final class Visit {
    final int user;
    final long start;
    final VisitPlan plan;
    final SplittableRandom behaviour;
    final SplittableRandom serving;
    final SplittableRandom clicks;
    final SplittableRandom conversions;
    long t;
    int homeView;
    /** The live service's answer for the placement being rendered. */
    LiveShoppers.Answer answer;

    Visit(int user, long start) {
      this.user = user;
      this.start = start;
      this.plan = world.plan(user, start);
      this.behaviour = Rand.stream(world.behaviourSeed, user, start);
      this.serving = Rand.stream(world.servingSeed, user, start);
      this.clicks = Rand.stream(clickSeed, user, start);
      this.conversions = Rand.stream(conversionSeed, user, start);
      this.t = start;
    }
  }

  private void visit(int user, long start) throws IOException {
    Visit v = new Visit(user, start);
    if (v.plan.bounce) {
      for (int i = 0; i < v.plan.homeViews; i++) {
        if (i > 0) {
          v.t += Rand.between(v.behaviour, MIN_BOUNCE_GAP, MAX_BOUNCE_GAP);
        }
        homeView(v);
      }
    } else {
      if (v.plan.enterViaHome) {
        homeView(v);
      }
      int[] cats = pickCategories(v);
      double[][] cart = new double[2 * MAX_VIEWS_PER_CATEGORY][];
      int carted = 0;
      for (int ci = 0; ci < cats.length; ci++) {
        if (ci == 1 && v.plan.returnHome) {
          homeView(v);
        }
        carted = browse(v, cats[ci], cart, carted);
      }
      for (int i = 0; i < carted; i++) {
        double[] item = cart[i]; // brand, category, tier, affinity, price match
        double logit = PURCHASE_BASE + PURCHASE_AFFINITY * item[3] + PURCHASE_PRICE * item[4];
        if (v.behaviour.nextDouble() < Rand.sigmoid(logit)) {
          v.t += Rand.between(v.behaviour, MIN_CHECKOUT_DELAY, MAX_CHECKOUT_DELAY);
          emitEvent(v.user, v.t, EventType.PURCHASE, (int) item[0], (int) item[1], (int) item[2], 0);
        }
      }
    }
    if (v.t - start > MAX_VISIT_SECONDS || v.homeView != v.plan.homeViews) {
      throw new IllegalStateException("visit of user " + user + " broke its plan");
    }
  }

  private int[] pickCategories(Visit v) {
    int n = catalog.categories.size();
    double[] w = new double[n];
    int sign = people.genderSign(v.user);
    for (int c = 0; c < n; c++) {
      Categories.Category cat = catalog.categories.get(c);
      w[c] = StrictMath.exp(cat.popularity() + BROWSE_CATEGORY_GENDER * sign * cat.genderSkew()
          + BROWSE_CATEGORY_TASTE * people.categoryTaste(v.user, c));
    }
    int k = Math.min(n, v.plan.categories);
    int[] cats = new int[k];
    for (int i = 0; i < k; i++) {
      cats[i] = Rand.categorical(v.behaviour, w);
      w[cats[i]] = 0;
    }
    return cats;
  }

  private int browse(Visit v, int category, double[][] cart, int carted) {
    int[] brands = catalog.brandsByCategory[category];
    double[] affinity = new double[brands.length];
    double[] weights = new double[brands.length];
    for (int i = 0; i < brands.length; i++) {
      Brand b = catalog.brands[brands[i]];
      affinity[i] = people.brandAffinity(v.user, b.index);
      weights[i] = StrictMath.exp(BROWSE_BRAND_AFFINITY * affinity[i]
          + BROWSE_BRAND_PRICE * people.priceMatch(v.user, b.tier) + b.popularity);
    }
    int views = Math.min(MAX_VIEWS_PER_CATEGORY, 1 + Rand.poisson(v.behaviour, EXTRA_VIEWS_MEAN));
    for (int k = 0; k < views; k++) {
      int i = Rand.categorical(v.behaviour, weights);
      Brand brand = catalog.brands[brands[i]];
      int tier = productTier(v.behaviour, brand.tier);
      int dwell = dwellTenths(v.behaviour, affinity[i]);
      emitEvent(v.user, v.t, EventType.VIEW, brand.index, category, tier, dwell);
      v.t += (dwell + 9) / 10;
      int match = people.priceMatch(v.user, tier);
      double cartLogit = CART_BASE + CART_AFFINITY * affinity[i] + CART_PRICE * match;
      if (v.behaviour.nextDouble() < Rand.sigmoid(cartLogit)) {
        v.t += Rand.between(v.behaviour, MIN_CART_DELAY, MAX_CART_DELAY);
        emitEvent(v.user, v.t, EventType.ADD_TO_CART, brand.index, category, tier, 0);
        cart[carted++] = new double[] {brand.index, category, tier, affinity[i], match};
      }
      v.t += Rand.between(v.behaviour, MIN_VIEW_GAP, MAX_VIEW_GAP);
    }
    return carted;
  }

  private static int productTier(SplittableRandom r, int brandTier) {
    if (r.nextDouble() < PRODUCT_AT_BRAND_TIER) {
      return brandTier;
    }
    int tier = brandTier + (r.nextBoolean() ? 1 : -1);
    return Math.max(CsvSchemas.MIN_PRICE_TIER, Math.min(CsvSchemas.MAX_PRICE_TIER, tier));
  }

  private static int dwellTenths(SplittableRandom r, double affinity) {
    double seconds = StrictMath.exp(StrictMath.log(DWELL_MEDIAN_SECONDS) + DWELL_AFFINITY * affinity
        + DWELL_LOG_SD * Rand.gaussian(r));
    seconds = Math.max(MIN_DWELL_SECONDS, Math.min(MAX_DWELL_SECONDS, seconds));
    return (int) StrictMath.round(seconds * 10);
  }

  // ---------------------------------------------------------------- home page and the logging policy

  /** Renders the planned placements of the next home-page view at v.t and advances the clock past it. */
  private void homeView(Visit v) throws IOException {
    int[] slots = v.plan.slots[v.homeView++];
    long renderTime = v.t;
    long carouselTime = renderTime;
    if (slots[Catalog.CAROUSEL] > 0) {
      carouselTime = renderTime + Rand.between(v.behaviour, MIN_SCROLL_DELAY, MAX_SCROLL_DELAY);
    }
    int clicked = -1;
    int[] order = {Catalog.HERO, Catalog.SIDEBAR, Catalog.CAROUSEL};
    for (int placement : order) {
      if (slots[placement] == 0) {
        continue;
      }
      long time = placement == Catalog.CAROUSEL ? carouselTime : renderTime;
      int[] shown = serve(v, placement, time, slots[placement]);
      for (int s = 0; s < shown.length; s++) {
        if (impression(v, shown[s], placement, s + 1, time) && clicked < 0) {
          clicked = shown[s];
        }
      }
    }
    v.t = carouselTime + Rand.between(v.behaviour, MIN_HOME_DWELL, MAX_HOME_DWELL);
    if (clicked >= 0) { // the landing page: a product view of the banner's brand and category
      BannerDef b = catalog.banners[clicked];
      v.t += Rand.between(v.behaviour, MIN_CLICK_DELAY, MAX_CLICK_DELAY);
      int dwell = dwellTenths(v.behaviour, people.brandAffinity(v.user, b.brand));
      emitEvent(v.user, v.t, EventType.VIEW, b.brand, b.category, productTier(v.behaviour, b.priceTier), dwell);
      v.t += (dwell + 9) / 10 + Rand.between(v.behaviour, MIN_VIEW_GAP, MAX_VIEW_GAP);
    }
  }

  /**
   * The logging policy: up to {@code k} distinct banners live in this hour, of this placement, whose targeting
   * admits the user, drawn without replacement with probability proportional to the serving weight.
   */
  private int[] serve(Visit v, int placement, long time, int k) throws IOException {
    if (service != null) {
      return serveLive(v, placement, time, k);
    }
    int hour = (int) (time / Timeline.SECONDS_PER_HOUR);
    if (hour >= Timeline.HOURS) {
      throw new IllegalStateException("impression after the end of the period");
    }
    int[] live = liveBanners[placement][hour];
    double[] cumulative = liveWeights[placement][hour];
    int g = people.gender[v.user];
    int a = people.ageBand[v.user];
    int c = people.cityIndex[v.user];
    int[] chosen = new int[k];
    int n = 0;
    if (live.length == 0) {
      return new int[0];
    }
    FatigueLog log = fatigue[v.user];
    for (int slot = 0; slot < k; slot++) {
      int pick = -1;
      if (v.serving.nextDouble() < RESERVE_PROBABILITY && log != null) {
        pick = reserve(v.serving, log, placement, hour, time, g, a, c, chosen, n);
      }
      for (int attempt = 0; attempt < REJECTION_TRIES && pick < 0; attempt++) {
        int candidate = live[Rand.fromCumulative(v.serving, cumulative, live.length)];
        if (catalog.banners[candidate].admits(g, a, c) && !contains(chosen, n, candidate)) {
          pick = candidate;
        }
      }
      if (pick < 0) { // rare: few eligible banners left; draw exactly among them
        double[] w = new double[live.length];
        boolean any = false;
        for (int i = 0; i < live.length; i++) {
          int b = live[i];
          if (catalog.banners[b].admits(g, a, c) && !contains(chosen, n, b)) {
            w[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
            any = true;
          }
        }
        if (!any) {
          break;
        }
        pick = live[Rand.categorical(v.serving, w)];
      }
      chosen[n++] = pick;
    }
    return n == k ? chosen : Arrays.copyOf(chosen, n);
  }

  /** Asks the live service, after sending it everything that happened up to {@code time}. */
  private int[] serveLive(Visit v, int placement, long time, int k) throws IOException {
    flushUpTo(time);
    online.flush();
    v.answer = service.rank(new LiveShoppers.Request(userIds[v.user], Catalog.PLACEMENTS[placement],
        PLATFORMS[v.plan.platform].code(), k, Timeline.epoch(time) + onlineShift));
    int[] shown = new int[Math.min(k, v.answer.bannerIds().size())];
    int n = 0;
    for (String id : v.answer.bannerIds()) {
      Integer index = bannerIndex.get(id);
      if (n < shown.length && index != null) { // a banner the world does not know is not shown
        shown[n++] = index;
      }
    }
    return n == shown.length ? shown : Arrays.copyOf(shown, n);
  }

  /** A uniformly chosen banner among the user's eligible impressions of the last 72 hours, or -1. */
  private int reserve(SplittableRandom r, FatigueLog log, int placement, int hour, long time, int g, int a, int c,
      int[] chosen, int n) {
    int[] candidates = new int[log.size];
    int m = 0;
    for (int i = 0; i < log.size; i++) {
      int b = log.banners[i];
      BannerDef def = catalog.banners[b];
      if (time - log.times[i] < ClickModel.FATIGUE_WINDOW_SECONDS && def.placement == placement
          && def.liveInHour(hour) && def.admits(g, a, c) && !contains(chosen, n, b) && !contains(candidates, m, b)) {
        candidates[m++] = b;
      }
    }
    return m == 0 ? -1 : candidates[r.nextInt(m)];
  }

  private static boolean contains(int[] values, int n, int v) {
    for (int i = 0; i < n; i++) {
      if (values[i] == v) {
        return true;
      }
    }
    return false;
  }

  /** Computes the true probability, draws the click, records fatigue and queues the rows. Returns clicked. */
  private boolean impression(Visit v, int banner, int placement, int slot, long time) {
    BannerDef b = catalog.banners[banner];
    FatigueLog log = fatigue[v.user];
    if (log == null) {
      log = fatigue[v.user] = new FatigueLog();
    }
    int recent = log.countRecent(banner, time);
    Fmt.Prob p = world.clickProbability(v.user, banner, placement, slot, recent);
    boolean clicked = v.clicks.nextDouble() < p.value();
    Fmt.Prob q = Fmt.sixDigits(ConversionModel.probability(ConversionModel.logit(
        people.categoryTaste(v.user, b.category), people.brandAffinity(v.user, b.brand),
        people.priceMatch(v.user, b.priceTier), b.discountPct, landing[banner])));
    // drawn for every impression, so one impression's click never shifts another's conversion draw
    boolean converted = v.conversions.nextDouble() < q.value() && clicked;
    log.add(banner, time);
    Row row = new Row(time, seq++, true, v.user, banner, slot, v.plan.platform, clicked ? 1 : 0, converted ? 1 : 0, p);
    row.conversionProb = q;
    row.answer = v.answer;
    pending.add(row);
    return clicked;
  }

  private void emitEvent(int user, long time, EventType type, int brand, int category, int tier, int dwellTenths) {
    pending.add(new Row(time, seq++, false, user, brand, category, type.ordinal(), tier, dwellTenths, null));
  }

  // ---------------------------------------------------------------- output

  private void flushUpTo(long time) throws IOException {
    while (!pending.isEmpty() && pending.peek().ts <= time) {
      write(pending.poll());
    }
  }

  private void write(Row r) throws IOException {
    if (online != null) {
      writeOnline(r);
      return;
    }
    String timestamp = fmt.timestamp(Timeline.epoch(r.ts));
    if (r.impression) {
      BannerDef b = catalog.banners[r.a];
      String id = Fmt.id("im-", ++impressionCount, 10);
      impressions.printRecord(id, userIds[r.user], timestamp, b.id, Catalog.PLACEMENTS[b.placement],
          Integer.toString(r.b), PLATFORMS[r.c].code(), r.d == 1 ? "1" : "0", r.e == 1 ? "1" : "0");
      truth.printRecord(id, r.prob.text());
      conversionTruth.printRecord(id, r.conversionProb.text());
      clickCount += r.d;
      conversionCount += r.e;
      trueCtrSum += r.prob.value();
      if (progress != null && impressionCount % PROGRESS_EVERY == 0) {
        progress.accept(impressionCount);
      }
    } else {
      eventCount++;
      events.printRecord(userIds[r.user], timestamp, EVENT_TYPES[r.c].code(), catalog.brands[r.a].name,
          catalog.categories.get(r.b).name(), Integer.toString(r.d), Fmt.tenths(r.e));
    }
  }

  private void writeOnline(Row r) throws IOException {
    long time = Timeline.epoch(r.ts) + onlineShift;
    if (r.impression) {
      BannerDef b = catalog.banners[r.a];
      impressionCount++;
      clickCount += r.d;
      conversionCount += r.e;
      trueCtrSum += r.prob.value();
      online.impression(new LiveShoppers.Shown(userIds[r.user], time, b.id, Catalog.PLACEMENTS[b.placement], r.b,
          r.answer == null ? null : r.answer.requestId(), r.answer == null ? null : r.answer.modelVersion(),
          r.d == 1, r.prob.value(), r.e == 1, r.conversionProb.value()));
    } else {
      eventCount++;
      online.productEvent(new LiveShoppers.Browse(userIds[r.user], time, EVENT_TYPES[r.c],
          catalog.brands[r.a].name, catalog.categories.get(r.b).name(), r.d, r.e / 10.0));
    }
  }

  /** A queued output row. Events: a=brand, b=category, c=event type, d=tier, e=dwell tenths. Impressions:
   *  a=banner, b=slot, c=platform, d=clicked, e=converted, prob=true click probability, conversionProb=true
   *  conversion probability of a click. */
  private static final class Row {
    final long ts;
    final long seq;
    final boolean impression;
    final int user;
    final int a;
    final int b;
    final int c;
    final int d;
    final int e;
    final Fmt.Prob prob;
    Fmt.Prob conversionProb;
    LiveShoppers.Answer answer;

    Row(long ts, long seq, boolean impression, int user, int a, int b, int c, int d, int e, Fmt.Prob prob) {
      this.ts = ts;
      this.seq = seq;
      this.impression = impression;
      this.user = user;
      this.a = a;
      this.b = b;
      this.c = c;
      this.d = d;
      this.e = e;
      this.prob = prob;
    }
  }

  /** One user's impressions of the last 72 hours (banner, second), oldest first. */
  private static final class FatigueLog {
    private int[] banners = new int[8];
    private long[] times = new long[8];
    private int size;

    int countRecent(int banner, long now) {
      int n = 0;
      for (int i = 0; i < size; i++) {
        if (banners[i] == banner && now - times[i] < ClickModel.FATIGUE_WINDOW_SECONDS) {
          n++;
        }
      }
      return n;
    }

    void add(int banner, long now) {
      if (size == banners.length) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
          if (now - times[i] < ClickModel.FATIGUE_WINDOW_SECONDS) {
            banners[kept] = banners[i];
            times[kept] = times[i];
            kept++;
          }
        }
        size = kept;
        if (size > banners.length / 2) {
          banners = Arrays.copyOf(banners, banners.length * 2);
          times = Arrays.copyOf(times, times.length * 2);
        }
      }
      banners[size] = banner;
      times[size] = now;
      size++;
    }
  }
}
