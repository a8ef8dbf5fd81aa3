package dev.bannerranker.serving.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.TestPipeline;
import dev.bannerranker.serving.TestSettings;
import dev.bannerranker.serving.config.OrderingSettings.Diversity;
import dev.bannerranker.serving.ranking.RankResult;
import dev.bannerranker.serving.users.ProfileStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelVersionsTest {
  @TempDir Path root;

  ModelVersions versions(ModelRegistry r) {
    return new ModelVersions(r, root);
  }

  @Test
  void servesTheNewestValidVersionAndSkipsARefusedOne() throws Exception {
    TestBundles.withVersion(root.resolve("1"), "wd-1");
    TestBundles.withVersion(root.resolve("2"), "wd-2");
    TestBundles.corruptChecksum(root.resolve("10")); // newest, numerically (not by name), but refused
    TestBundles.withVersion(root.resolve("tmp-3"), "wd-x"); // not a version name
    ModelRegistry r = new ModelRegistry(0, "s");
    ModelVersions v = versions(r);
    assertEquals(List.of(1L, 2L, 10L), v.onDisk());
    assertEquals("wd-2", v.start(0).version());
    assertEquals(2, v.versionOf(r.current().control()));
    assertTrue(r.lastRefusal(Arm.CONTROL).isEmpty(), "the successful load clears the refusal");
  }

  @Test
  void aPinnedVersionServesEvenWhenNewerOnesExist() throws Exception {
    TestBundles.withVersion(root.resolve("1"), "wd-1");
    TestBundles.withVersion(root.resolve("2"), "wd-2");
    ModelRegistry r = new ModelRegistry(0, "s");
    assertEquals("wd-1", versions(r).start(1).version());
    assertThrows(ModelRefusedException.class, () -> versions(new ModelRegistry(0, "s")).start(7));
  }

  @Test
  void anEmptyRootOrOnlyBadVersionsRefuseTheStart() throws Exception {
    assertThrows(ModelRefusedException.class, () -> versions(new ModelRegistry(0, "s")).start(0));
    TestBundles.corruptChecksum(root.resolve("1"));
    assertThrows(ModelRefusedException.class, () -> versions(new ModelRegistry(0, "s")).start(0));
  }

  @Test
  void newVersionsAreSwappedInAndARollbackIsNotUndoneByTheWatch() throws Exception {
    TestBundles.withVersion(root.resolve("1"), "wd-1");
    ModelRegistry r = new ModelRegistry(0, "s");
    ModelVersions v = versions(r);
    v.start(0);
    assertNull(r.previous(Arm.CONTROL));
    assertThrows(NoPreviousModelException.class, () -> r.rollback(Arm.CONTROL));

    v.check();
    assertEquals("wd-1", r.current().control().version(), "nothing new");
    TestBundles.withVersion(root.resolve("2"), "wd-2");
    v.check();
    assertEquals("wd-2", r.current().control().version());
    assertEquals("wd-1", r.previous(Arm.CONTROL).version());

    // A bad new version is refused once and the serving model stays.
    TestBundles.corruptChecksum(root.resolve("3"));
    v.check();
    assertEquals("wd-2", r.current().control().version());
    assertTrue(r.lastRefusal(Arm.CONTROL).isPresent());

    ModelGeneration left = r.rollback(Arm.CONTROL);
    assertEquals("wd-2", left.version());
    assertEquals("wd-1", r.current().control().version());
    assertEquals("wd-2", r.previous(Arm.CONTROL).version());
    v.check();
    assertEquals("wd-1", r.current().control().version(), "the watch does not bring back what was rolled back");
    r.rollback(Arm.CONTROL);
    assertEquals("wd-2", r.current().control().version(), "a second rollback switches forward");

    // ReloadModel with an older version loads it on request.
    assertEquals("wd-1", v.load(Arm.CONTROL, 1).version());
  }

  @Test
  void rollbackAndSwapsUnderConcurrentRanksFailNoRequest() throws Exception {
    TestBundles.withVersion(root.resolve("1"), "wd-1");
    TestBundles.withVersion(root.resolve("2"), "wd-2");
    ModelRegistry r = new ModelRegistry(0, "s");
    ModelVersions v = versions(r);
    v.load(Arm.CONTROL, 1);
    v.load(Arm.CONTROL, 2);
    TestPipeline p = TestPipeline.of(r, ProfileStore.load(TestBundles.USERS, false, 64), TestSettings.request(),
        TestSettings.eligibility(3, List.of(), List.of()), TestSettings.ordering(Diversity.MAX_PER_BRAND, 0.05));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Set<String> served = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> workers = new java.util.ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          int i = 0;
          while (!stop.get()) {
            try {
              RankResult res = p.ranking().rank(TestPipeline.query("u-" + String.format("%06d", 1 + (thread * 7 + i++) % 40),
                  "home_carousel"));
              served.add(res.modelVersion());
              if (res.banners().isEmpty()) {
                throw new AssertionError("empty ranking");
              }
              ok.incrementAndGet();
            } catch (Throwable e) {
              failures.add(e);
            }
          }
        }));
      }
      for (int k = 0; k < 80; k++) {
        if (k % 20 == 19) {
          v.load(Arm.CONTROL, k % 40 == 19 ? 1 : 2); // a swap that reads a bundle, between the rollbacks
        } else {
          r.rollback(Arm.CONTROL);
        }
        Thread.sleep(1);
      }
      stop.set(true);
      for (Future<?> f : workers) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    assertEquals(List.of(), failures);
    assertTrue(ok.get() > 100, "ranked " + ok.get());
    assertEquals(Set.of("wd-1", "wd-2"), served);
  }
}
