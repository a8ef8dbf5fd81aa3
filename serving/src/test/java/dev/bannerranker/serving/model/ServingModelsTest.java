package dev.bannerranker.serving.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.serving.TestBundles;
import org.junit.jupiter.api.Test;

class ServingModelsTest {
  static final ModelGeneration G = TestBundles.generation();

  @Test
  void theSplitIsStableAndFollowsTheShare() {
    ServingModels m = new ServingModels(G, G, 20, "salt");
    int treated = 0;
    for (int i = 0; i < 10_000; i++) {
      String id = "user-" + i;
      Arm arm = m.armFor(id);
      assertEquals(arm, m.armFor(id));
      treated += arm == Arm.TREATMENT ? 1 : 0;
    }
    assertTrue(Math.abs(treated - 2000) < 200, "treated " + treated);
    // Pinned buckets, computed outside Java from the documented hash: a user must keep its arm across restarts and
    // releases, or a running A/B test would mix arms.
    assertEquals(70, ServingModels.bucket("salt", "user-1"));
    assertEquals(35, ServingModels.bucket("salt", "user-2"));
    assertEquals(59, ServingModels.bucket("banner-ranker-ab-1", "u-000001"));
    assertEquals(6, ServingModels.bucket("banner-ranker-ab-1", "u-000002"));
  }

  @Test
  void aUserIsTreatedExactlyAtSharesAboveItsBucket() {
    int[] perBucket = new int[100];
    int moved = 0;
    for (int i = 0; i < 10_000; i++) {
      String id = "user-" + i;
      int b = ServingModels.bucket("salt", id);
      perBucket[b]++;
      // So raising the share only moves control users to treatment, never back.
      assertEquals(Arm.CONTROL, new ServingModels(G, G, b, "salt").armFor(id), id);
      assertEquals(Arm.TREATMENT, new ServingModels(G, G, b + 1, "salt").armFor(id), id);
      moved += ServingModels.bucket("pepper", id) != b ? 1 : 0;
    }
    for (int b = 0; b < 100; b++) {
      assertTrue(perBucket[b] > 50 && perBucket[b] < 150, "bucket " + b + " holds " + perBucket[b] + " of 10000");
    }
    assertTrue(moved > 9_500, "another salt reshuffles the split; moved " + moved);
  }

  @Test
  void withoutATreatmentModelEveryoneIsControl() {
    ServingModels m = new ServingModels(G, null, 100, "salt");
    for (int i = 0; i < 100; i++) {
      assertEquals(Arm.CONTROL, m.armFor("user-" + i));
    }
    ServingModels none = new ServingModels(G, G, 0, "salt");
    assertEquals(Arm.CONTROL, none.armFor("user-1"));
  }
}
