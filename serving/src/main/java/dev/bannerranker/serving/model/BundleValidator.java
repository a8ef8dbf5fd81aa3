package dev.bannerranker.serving.model;

import dev.bannerranker.bundle.Bundle;
import dev.bannerranker.bundle.BundleIO;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Gender;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.features.BannerFeatures;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.ScoringContext;
import dev.bannerranker.features.UserFeatures;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.scoring.ScoringModel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Loads a bundle and decides whether it may serve: {@link BundleIO#load} checks the format version, every
 * checksum and the tensor shapes; {@link ScoringModel#of} checks the stored banner parts against the weights;
 * then golden requests score every banner of every placement for a few synthetic users, and every click
 * probability must be finite, inside (0, 1), and not all the same.
 */
public final class BundleValidator {
  private BundleValidator() {}

  /** Loads and validates; a failure names the check and the reason. */
  public static ModelGeneration load(Path dir, UnaryOperator<HistoryKey> canonicalKey) throws ModelRefusedException {
    Bundle bundle;
    try {
      bundle = BundleIO.load(dir);
    } catch (RuntimeException e) {
      throw new ModelRefusedException("bundle check failed: " + e.getMessage(), e);
    }
    ModelGeneration generation;
    try {
      generation = new ModelGeneration(ScoringModel.of(bundle), dir, Instant.now(), canonicalKey);
    } catch (RuntimeException e) {
      throw new ModelRefusedException("consistency check failed: " + e.getMessage(), e);
    }
    try {
      goldenRequests(generation);
    } catch (IllegalStateException e) {
      throw new ModelRefusedException("golden requests failed: " + e.getMessage(), e);
    }
    return generation;
  }

  /** Scores every placement's banners for a few synthetic users, with and without history. */
  static void goldenRequests(ModelGeneration g) {
    if (g.placements().isEmpty()) {
      throw new IllegalStateException("the catalog has no banners");
    }
    ScoringModel model = g.model();
    List<UserProfile> users = List.of(new UserProfile("golden-f", Gender.F, "25-34", 1),
        new UserProfile("golden-m", Gender.M, "45-54", 3), UserProfile.unknown("golden-unknown"));
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (String placement : g.placements()) {
      List<BannerFeatures> banners = g.banners(placement);
      BannerFeatures[] candidates = banners.toArray(BannerFeatures[]::new);
      long time = banners.get(0).banner().startTime() + 12 * 3600;
      ScoringContext ctx = new ScoringContext(time, Platform.WEB, model.spec().neutralSlot());
      for (UserProfile user : users) {
        for (boolean withHistory : new boolean[] {false, true}) {
          UserHistory history = UserHistory.forSpec(model.spec());
          if (withHistory) {
            for (BannerFeatures b : candidates) {
              HistoryUpdates.productEvent(history, b.brandIdx(), b.categoryIdx(), EventType.VIEW,
                  b.banner().priceTier(), 30f, time - 3600);
            }
          }
          UserFeatures u = model.userFeatures(user, history, time);
          float[] p = new float[candidates.length];
          model.predict(u, ctx, candidates, candidates.length, p);
          for (int i = 0; i < p.length; i++) {
            if (!(p[i] > 0f && p[i] < 1f)) {
              throw new IllegalStateException("banner " + candidates[i].banner().id() + " scored " + p[i]
                  + " for " + user.id() + " in " + placement + "; a click probability must be in (0, 1)");
            }
            min = Math.min(min, p[i]);
            max = Math.max(max, p[i]);
          }
        }
      }
    }
    if (max - min < 1e-7) {
      throw new IllegalStateException("every banner scored " + min + " for every user; the model does not discriminate");
    }
  }
}
