package dev.bannerranker.serving.users;

import dev.bannerranker.data.EventType;
import dev.bannerranker.features.HistoryUpdates;
import dev.bannerranker.features.UserHistory;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.features.Vocabulary;

/**
 * One thing a user did, by name rather than by vocabulary index, so it can be replayed into the history of
 * any model. Applying goes through {@link HistoryUpdates}, the rules the training sweep uses.
 */
public sealed interface Activity {

  long time();

  /** Applies this activity to a history indexed by {@code vocab}. */
  void applyTo(UserHistory history, Vocabularies vocab);

  /** A product event, or a banner click (type {@link EventType#BANNER_CLICK}, on the banner's brand and category). */
  record Behaviour(EventType type, String brand, String category, int priceTier, float dwellSeconds, long time)
      implements Activity {
    @Override
    public void applyTo(UserHistory history, Vocabularies vocab) {
      int brand = vocab.brands().indexOf(this.brand);
      int category = vocab.categories().indexOf(this.category);
      if (type == EventType.BANNER_CLICK) {
        HistoryUpdates.click(history, brand, category, priceTier, time);
      } else {
        HistoryUpdates.productEvent(history, brand, category, type, priceTier, dwellSeconds, time);
      }
    }
  }

  /** A banner shown to the user. */
  record Shown(String bannerId, long time) implements Activity {
    @Override
    public void applyTo(UserHistory history, Vocabularies vocab) {
      int banner = vocab.banners().indexOf(bannerId);
      if (banner != Vocabulary.UNKNOWN) {
        HistoryUpdates.impression(history, banner, time);
      }
    }
  }
}
