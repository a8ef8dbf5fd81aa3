package dev.bannerranker.trainer.dataset;

import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.Impression;
import java.util.List;
import java.util.function.Consumer;

/**
 * Replays a log's product events and impressions in time order, up to a point in time: the point-in-time rule of the
 * feature sweep, kept in one place for every replay of a log with the training rules (evaluation, the research
 * module's off-policy spread study; {@code offpolicy} replays the service's own user state instead). Of an event and
 * an impression in the same second, the product event comes first.
 */
public final class HistoryReplay {
  private final List<BehaviourEvent> events;
  private final List<Impression> impressions;
  private int e;
  private int i;

  /** Both lists sorted by time. */
  public HistoryReplay(List<BehaviourEvent> events, List<Impression> impressions) {
    this.events = events;
    this.impressions = impressions;
  }

  /** Hands on, in time order, every event and impression strictly before {@code time} not handed on yet. */
  public void advanceTo(long time, Consumer<BehaviourEvent> onEvent, Consumer<Impression> onImpression) {
    while (true) {
      boolean eventDue = e < events.size() && events.get(e).timestamp() < time;
      boolean impDue = i < impressions.size() && impressions.get(i).timestamp() < time;
      if (eventDue && (!impDue || events.get(e).timestamp() <= impressions.get(i).timestamp())) {
        onEvent.accept(events.get(e++));
      } else if (impDue) {
        onImpression.accept(impressions.get(i++));
      } else {
        return;
      }
    }
  }
}
