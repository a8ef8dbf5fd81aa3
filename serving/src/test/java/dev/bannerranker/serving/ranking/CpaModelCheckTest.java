package dev.bannerranker.serving.ranking;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.serving.config.OrderingSettings.Value;
import org.junit.jupiter.api.Test;

class CpaModelCheckTest {
  @Test
  void warnsOnlyWhenCpaMeetsAClickOnlyModel() {
    String w = CpaModelCheck.warning(Value.CPA, false, "wd-1");
    assertNotNull(w);
    assertTrue(w.contains("wd-1") && w.contains("ranker.ordering.value"), w);
    assertNull(CpaModelCheck.warning(Value.CPA, true, "wd-2"));
    for (Value v : new Value[] {Value.BID, Value.PRIORITY, Value.NONE}) {
      assertNull(CpaModelCheck.warning(v, false, "wd-3"), v.name());
    }
  }
}
