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
    assertEquals(ServingModels.bucket("salt", "user-1"), ServingModels.bucket("salt", "user-1"));
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
