package dev.bannerranker.trainer.generate;

import java.util.SplittableRandom;

/**
 * The shape of one visit, drawn from its own stream before anything else: platform, whether it is a bounce
 * (home page only) or a browsing session, and how many slots each home-page view renders. Because the shape does
 * not depend on banners or tastes, the number of impressions is known before generation.
 */
final class VisitPlan {

  static final double PRIMARY_PLATFORM_PROBABILITY = 0.85;
  /** A bounce visit only looks at the home page (once, sometimes twice). */
  static final double BOUNCE_PROBABILITY = 0.15;
  static final double BOUNCE_SECOND_VIEW_PROBABILITY = 0.3;
  /** A browsing session starts on the home page with this probability (else a deep link). */
  static final double ENTER_VIA_HOME_PROBABILITY = 0.85;
  static final double TWO_CATEGORIES_PROBABILITY = 0.6;
  /** Between two categories the shopper goes back to the home page with this probability. */
  static final double RETURN_HOME_PROBABILITY = 0.5;
  /** The carousel is rendered only when the shopper scrolls down to it. */
  static final double CAROUSEL_SHOWN_PROBABILITY = 0.6;
  /** Slot counts per placement (home_hero, home_carousel, home_sidebar), inclusive. */
  static final int[] MIN_SLOTS = {2, 3, 2};
  static final int[] MAX_SLOTS = {3, 4, 3};
  /** The sidebar exists only on the web. */
  static final int WEB = 0;
  static final int MAX_HOME_VIEWS = 2;

  final int platform;
  final boolean bounce;
  final boolean enterViaHome;
  final int categories;
  final boolean returnHome;
  final int homeViews;
  /** [view][placement] slot count, 0 when the placement is not rendered. */
  final int[][] slots;

  private VisitPlan(int platform, boolean bounce, boolean enterViaHome, int categories, boolean returnHome,
      int homeViews, int[][] slots) {
    this.platform = platform;
    this.bounce = bounce;
    this.enterViaHome = enterViaHome;
    this.categories = categories;
    this.returnHome = returnHome;
    this.homeViews = homeViews;
    this.slots = slots;
  }

  static VisitPlan draw(SplittableRandom r, int primaryPlatform) {
    int platform = r.nextDouble() < PRIMARY_PLATFORM_PROBABILITY
        ? primaryPlatform
        : Rand.categorical(r, Population.PLATFORM_WEIGHTS);
    boolean bounce = r.nextDouble() < BOUNCE_PROBABILITY;
    boolean enter = false;
    int categories = 0;
    boolean returnHome = false;
    int views;
    if (bounce) {
      views = r.nextDouble() < BOUNCE_SECOND_VIEW_PROBABILITY ? 2 : 1;
    } else {
      enter = r.nextDouble() < ENTER_VIA_HOME_PROBABILITY;
      categories = r.nextDouble() < TWO_CATEGORIES_PROBABILITY ? 2 : 1;
      returnHome = categories == 2 && r.nextDouble() < RETURN_HOME_PROBABILITY;
      views = (enter ? 1 : 0) + (returnHome ? 1 : 0);
    }
    int[][] slots = new int[views][3];
    for (int v = 0; v < views; v++) {
      slots[v][Catalog.HERO] = Rand.between(r, MIN_SLOTS[Catalog.HERO], MAX_SLOTS[Catalog.HERO]);
      if (r.nextDouble() < CAROUSEL_SHOWN_PROBABILITY) {
        slots[v][Catalog.CAROUSEL] = Rand.between(r, MIN_SLOTS[Catalog.CAROUSEL], MAX_SLOTS[Catalog.CAROUSEL]);
      }
      if (platform == WEB) {
        slots[v][Catalog.SIDEBAR] = Rand.between(r, MIN_SLOTS[Catalog.SIDEBAR], MAX_SLOTS[Catalog.SIDEBAR]);
      }
    }
    return new VisitPlan(platform, bounce, enter, categories, returnHome, views, slots);
  }

  int plannedImpressions() {
    int n = 0;
    for (int[] view : slots) {
      for (int s : view) {
        n += s;
      }
    }
    return n;
  }
}
