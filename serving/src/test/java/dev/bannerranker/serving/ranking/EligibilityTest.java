package dev.bannerranker.serving.ranking;

import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.Gender;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestSettings;
import dev.bannerranker.serving.model.ModelGeneration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class EligibilityTest {
  static final ModelGeneration G = TestBundles.generation();
  static final UserProfile WOMAN_55 = new UserProfile("u", Gender.F, "55+", 1);

  static BannerFeatures find(Predicate<BannerFeatures> p) {
    return G.model().banners().values().stream().filter(p).sorted((a, b) -> a.banner().id().compareTo(b.banner().id()))
        .findFirst().orElseThrow();
  }

  static boolean untargeted(BannerFeatures b) {
    return b.banner().targetGenders().isEmpty() && b.banner().targetAgeBands().isEmpty()
        && b.banner().targetCityTiers().isEmpty();
  }

  static Eligibility.Eligible select(Eligibility e, String placement, List<String> candidates, UserProfile p,
      UserHistory h, long now) {
    return e.select(G, placement, candidates, p, h, now);
  }

  static Eligibility plain() {
    return new Eligibility(TestSettings.eligibility(3, List.of(), List.of()));
  }

  static UserHistory empty() {
    return UserHistory.forSpec(G.spec());
  }

  @Test
  void onlyBannersOfThePlacementInFlightAtTheRequestTime() {
    BannerFeatures ended = find(b -> !b.banner().liveAt(T) && b.banner().endTime() <= T && untargeted(b));
    String placement = ended.banner().placement();
    List<BannerFeatures> live = select(plain(), placement, List.of(), WOMAN_55, empty(), T).ranked();
    assertFalse(live.isEmpty());
    assertFalse(live.contains(ended));
    assertTrue(live.stream().allMatch(b -> b.banner().placement().equals(placement) && b.banner().liveAt(T)));
    // Start inclusive, end exclusive.
    long start = ended.banner().startTime();
    assertTrue(select(plain(), placement, List.of(), WOMAN_55, empty(), start).ranked().contains(ended));
    assertFalse(select(plain(), placement, List.of(), WOMAN_55, empty(), ended.banner().endTime()).ranked()
        .contains(ended));
  }

  @Test
  void candidatesOfAnotherPlacementAreNotEligible() {
    BannerFeatures hero = find(b -> b.banner().placement().equals("home_hero") && b.banner().liveAt(T) && untargeted(b));
    BannerFeatures sidebar = find(b -> b.banner().placement().equals("home_sidebar") && b.banner().liveAt(T)
        && untargeted(b));
    List<BannerFeatures> out = select(plain(), "home_hero", List.of(hero.banner().id(), sidebar.banner().id()),
        WOMAN_55, empty(), T).ranked();
    assertEquals(List.of(hero), out);
  }

  @Test
  void targetingByAgeGenderAndCityTier() {
    BannerFeatures byAge = find(b -> b.banner().liveAt(T) && !b.banner().targetAgeBands().isEmpty()
        && b.banner().targetGenders().isEmpty() && b.banner().targetCityTiers().isEmpty());
    String age = byAge.banner().targetAgeBands().iterator().next();
    String otherAge = List.of("18-24", "25-34", "35-44", "45-54", "55+").stream()
        .filter(a -> !byAge.banner().targetAgeBands().contains(a)).findFirst().orElseThrow();
    String placement = byAge.banner().placement();
    Eligibility e = plain();
    assertTrue(select(e, placement, List.of(), new UserProfile("a", Gender.M, age, 2), empty(), T).ranked()
        .contains(byAge));
    assertFalse(select(e, placement, List.of(), new UserProfile("b", Gender.M, otherAge, 2), empty(), T).ranked()
        .contains(byAge));
    // Nothing is known of an unknown user, so targeted banners are not shown to them.
    assertFalse(select(e, placement, List.of(), UserProfile.unknown("c"), empty(), T).ranked().contains(byAge));

    BannerFeatures byGender = find(b -> b.banner().liveAt(T) && b.banner().targetGenders().equals(java.util.Set.of(Gender.F))
        && b.banner().targetCityTiers().isEmpty());
    String band = byGender.banner().targetAgeBands().isEmpty() ? "25-34" : byGender.banner().targetAgeBands().iterator().next();
    assertTrue(select(e, byGender.banner().placement(), List.of(), new UserProfile("d", Gender.F, band, 3), empty(), T)
        .ranked().contains(byGender));
    assertFalse(select(e, byGender.banner().placement(), List.of(), new UserProfile("e", Gender.M, band, 3), empty(), T)
        .ranked().contains(byGender));
  }

  @Test
  void blockedBannersAreNeverEligible() {
    BannerFeatures b = find(x -> x.banner().liveAt(T) && untargeted(x));
    Eligibility e = new Eligibility(TestSettings.eligibility(3, List.of(), List.of(b.banner().id())));
    assertFalse(select(e, b.banner().placement(), List.of(), WOMAN_55, empty(), T).ranked().contains(b));
  }

  @Test
  void pinnedBannersComeSeparatelyInConfiguredOrderWhileEligible() {
    List<BannerFeatures> live = G.banners("home_carousel").stream().filter(b -> b.banner().liveAt(T) && untargeted(b))
        .toList();
    BannerFeatures first = live.get(3);
    BannerFeatures second = live.get(1);
    BannerFeatures ended = find(b -> b.banner().placement().equals("home_carousel") && !b.banner().liveAt(T));
    Eligibility e = new Eligibility(TestSettings.eligibility(3,
        List.of(first.banner().id(), ended.banner().id(), second.banner().id()), List.of()));
    Eligibility.Eligible out = select(e, "home_carousel", List.of(), WOMAN_55, empty(), T);
    assertEquals(List.of(first, second), out.pinned());
    assertFalse(out.ranked().contains(first));
    assertFalse(out.ranked().contains(second));
    // Pins of another placement do not leak in.
    assertTrue(select(e, "home_hero", List.of(), WOMAN_55, empty(), T).pinned().isEmpty());
  }

  @Test
  void frequencyCapCountsImpressionsOfTheLast24Hours() {
    BannerFeatures b = find(x -> x.banner().liveAt(T) && untargeted(x));
    String placement = b.banner().placement();
    Eligibility e = new Eligibility(TestSettings.eligibility(2, List.of(), List.of()));
    UserHistory h = empty();
    HistoryUpdates.impression(h, b.index(), T - 25 * 3600); // older than a day: does not count
    HistoryUpdates.impression(h, b.index(), T - 3600);
    assertTrue(select(e, placement, List.of(), WOMAN_55, h, T).ranked().contains(b));
    HistoryUpdates.impression(h, b.index(), T - 60);
    assertFalse(select(e, placement, List.of(), WOMAN_55, h, T).ranked().contains(b));
    // With the cap off, it is eligible again.
    Eligibility uncapped = new Eligibility(TestSettings.eligibility(0, List.of(), List.of()));
    assertTrue(select(uncapped, placement, List.of(), WOMAN_55, h, T).ranked().contains(b));
  }

  @Test
  void theCapFoundOncePerRequestAgreesWithThePerBannerRule() {
    String placement = "home_carousel";
    List<BannerFeatures> banners = G.banners(placement).stream().filter(b -> b.banner().liveAt(T)).limit(6).toList();
    java.util.Random random = new java.util.Random(11);
    for (int cap = 1; cap <= 4; cap++) {
      Eligibility e = new Eligibility(TestSettings.eligibility(cap, List.of(), List.of()));
      for (int trial = 0; trial < 50; trial++) {
        UserHistory h = empty();
        int n = random.nextInt(3 * G.spec().maxRecentImpressions()); // empty, partial and wrapped rings
        for (int i = 0; i < n; i++) {
          long time = T - random.nextInt(2 * 86_400) + 600; // around the 24-hour edge, a few in the future
          HistoryUpdates.impression(h, banners.get(random.nextInt(banners.size())).index(), time);
        }
        List<BannerFeatures> expected = G.banners(placement).stream()
            .filter(b -> e.eligible(G, b, placement, WOMAN_55, h, T)).toList();
        assertEquals(expected, select(e, placement, List.of(), WOMAN_55, h, T).ranked(), "cap " + cap + " trial " + trial);
      }
    }
  }
}
