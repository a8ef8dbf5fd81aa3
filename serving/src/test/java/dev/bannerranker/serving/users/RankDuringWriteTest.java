package dev.bannerranker.serving.users;

import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.config.UserSettings;
import dev.bannerranker.serving.ranking.EventInput;
import dev.bannerranker.serving.store.CatalogStore;
import dev.bannerranker.serving.store.MemoryUserStore;
import dev.bannerranker.serving.store.NameKind;
import dev.bannerranker.serving.store.StoredUser;
import dev.bannerranker.serving.store.UserStore;
import dev.bannerranker.data.UserProfile;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Rank for a user whose RecordEvents is waiting on the store's durable write (a disk sync, a Redis round trip) is
 * answered from the state before those events, without waiting; once the write is acknowledged the next Rank sees
 * them. With one Rank thread per core, a Rank that waited would hold up every Rank behind it.
 */
class RankDuringWriteTest {
  private static final UserSettings SETTINGS = new UserSettings("", false, 64, 1_000, Duration.ofHours(1));

  /** The store of record, whose appends wait for {@code release} once {@code block} is set. */
  private static final class SlowAppends implements UserStore {
    private final MemoryUserStore store = new MemoryUserStore(UserStateStore.limits(SETTINGS));
    volatile boolean block;
    final CountDownLatch writing = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void appendAll(List<UserRecords> batch) {
      if (block) {
        writing.countDown();
        try {
          if (!release.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      store.appendAll(batch);
    }

    @Override
    public void append(String userId, byte[] records) {
      appendAll(List.of(new UserRecords(userId, records)));
    }

    @Override
    public String describe() {
      return "slow " + store.describe();
    }

    @Override
    public String kind() {
      return store.kind();
    }

    @Override
    public boolean shared() {
      return false;
    }

    @Override
    public boolean durable() {
      return store.durable();
    }

    @Override
    public StoredUser read(String userId) {
      return store.read(userId);
    }

    @Override
    public void upsertProfiles(List<UserProfile> profiles) {
      store.upsertProfiles(profiles);
    }

    @Override
    public void replaceUsers(List<StoredUser> users) {
      store.replaceUsers(users);
    }

    @Override
    public boolean delete(String userId) {
      return store.delete(userId);
    }

    @Override
    public boolean isEmpty() {
      return store.isEmpty();
    }

    @Override
    public int nameId(NameKind kind, String name) {
      return store.nameId(kind, name);
    }

    @Override
    public String name(NameKind kind, int id) {
      return store.name(kind, id);
    }

    @Override
    public CatalogStore catalog() {
      return store.catalog();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  private static List<String> ranked(TestPipeline p, String user) {
    return p.ranking().rank(TestPipeline.query(user, "home_hero")).banners().stream()
        .map(b -> b.bannerId()).toList();
  }

  @Test
  void aRankDoesNotWaitForTheStoresWriteOfItsUser() throws Exception {
    SlowAppends store = new SlowAppends();
    TestPipeline p = TestPipeline.over(TestBundles.registry(), new UserStateStore(SETTINGS, store));
    String user = "shopper";
    p.events().record(List.of(EventInput.product(user, T - 900, dev.bannerranker.data.EventType.VIEW,
        TestBundles.generation().model().bundle().vocab().brands().valueAt(1), "jeans", 2, 30f)));
    List<String> before = ranked(p, user);
    String top = before.get(0);

    // Three impressions of the top banner reach the cap (3) once they are stored; the store holds that write.
    store.block = true;
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> recording = writer.submit(() -> p.events().record(List.of(EventInput.impression(user, T - 600, top),
          EventInput.impression(user, T - 500, top), EventInput.impression(user, T - 400, top))));
      assertTrue(store.writing.await(30, TimeUnit.SECONDS), "the write reached the store");

      ExecutorService ranker = Executors.newSingleThreadExecutor();
      try {
        // Waiting for the store's write here would time out: the write is held until after this Rank.
        List<String> during = ranker.submit(() -> ranked(p, user)).get(30, TimeUnit.SECONDS);
        assertEquals(before, during, "answered from the state before the unacknowledged events");
        assertFalse(recording.isDone(), "the write was still held");
      } finally {
        ranker.shutdownNow();
      }
      store.release.countDown();
      recording.get(30, TimeUnit.SECONDS);
    } finally {
      store.release.countDown();
      writer.shutdownNow();
    }
    assertFalse(ranked(p, user).contains(top), "capped once the write was acknowledged");
  }
}
