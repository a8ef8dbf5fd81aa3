package dev.bannerranker.trainer.sessions;

import dev.bannerranker.data.DataProblems;
import java.util.List;
import java.util.Map;

/**
 * A session log: each session's items in time order, and the problems met while reading it.
 *
 * @param sessions ordered by start time, then session id
 * @param categories item id to its category, for the items whose rows named one
 */
public record SessionLog(List<Session> sessions, Map<String, String> categories, DataProblems problems) {

  /** One session: its id, the time of its first item (epoch seconds) and its items in time order. */
  public record Session(String id, long start, List<String> items) {}
}
