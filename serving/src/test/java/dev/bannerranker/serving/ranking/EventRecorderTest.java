package dev.bannerranker.serving.ranking;

import static dev.bannerranker.serving.TestBundles.KNOWN_USER;
import static dev.bannerranker.serving.TestBundles.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bannerranker.data.EventType;
import dev.bannerranker.serving.TestPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventRecorderTest {
  @Test
  void eachBadEventIsNamedByItsPosition() {
    TestPipeline p = TestPipeline.standard();
    record Case(EventInput event, String field) {}
    for (Case c : List.of(
        new Case(EventInput.impression("", T, "bn-00004"), "events[1].user_id"),
        new Case(EventInput.impression("x".repeat(200), T, "bn-00004"), "events[1].user_id"),
        new Case(new EventInput(KNOWN_USER, T, null, "", null, "", "", 0, 0f), "events[1]"),
        new Case(EventInput.impression(KNOWN_USER, T, "bn-nope"), "events[1].impression.banner_id"),
        new Case(EventInput.click(KNOWN_USER, T, ""), "events[1].click.banner_id"),
        new Case(EventInput.conversion(KNOWN_USER, T, "", "r1"), "events[1].conversion.banner_id"),
        new Case(EventInput.conversion(KNOWN_USER, T, "bn-nope", "r1"), "events[1].conversion.banner_id"),
        new Case(EventInput.conversion(KNOWN_USER, T, "bn-00004", "r".repeat(129)), "events[1].conversion.request_id"),
        new Case(EventInput.conversion("", T, "bn-00004", "r1"), "events[1].user_id"),
        new Case(EventInput.product(KNOWN_USER, T, EventType.VIEW, "", "jeans", 1, 3f), "events[1].product_event.brand"),
        new Case(EventInput.product(KNOWN_USER, T, EventType.VIEW, "Nornor", "", 1, 3f),
            "events[1].product_event.category"),
        new Case(EventInput.product(KNOWN_USER, T, EventType.VIEW, "Nornor", "jeans", 7, 3f),
            "events[1].product_event.price_tier"),
        new Case(EventInput.product(KNOWN_USER, T, EventType.VIEW, "Nornor", "jeans", 1, -3f),
            "events[1].product_event.dwell_seconds"))) {
      List<EventInput> batch = List.of(EventInput.impression(KNOWN_USER, T, "bn-00004"), c.event());
      InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> p.events().record(batch));
      assertEquals(c.field(), e.field());
      assertTrue(e.getMessage().startsWith(c.field()), e.getMessage());
      assertTrue(e.getMessage().length() < 400, "echoes a bounded part of the input: " + e.getMessage().length());
    }
    // Nothing of a rejected batch was applied: the good first impressions left no trace.
    assertEquals(0, p.counter("ranker.events.recorded", "type", "impression"));
  }

  @Test
  void tooManyEventsInOneCall() {
    TestPipeline p = TestPipeline.standard();
    List<EventInput> many = new ArrayList<>();
    IntStream.range(0, 1001).forEach(i -> many.add(EventInput.impression(KNOWN_USER, T, "bn-00004")));
    assertEquals("events", assertThrows(InvalidRequestException.class, () -> p.events().record(many)).field());
  }

  @Test
  void acceptedEventsAreCountedByType() {
    TestPipeline p = TestPipeline.standard();
    assertEquals(3, p.events().record(List.of(EventInput.impression(KNOWN_USER, T, "bn-00004"),
        EventInput.click(KNOWN_USER, T, "bn-00004"),
        EventInput.product(KNOWN_USER, null, EventType.PURCHASE, "Some New Brand", "jeans", 0, 0f))));
    assertEquals(1, p.counter("ranker.events.recorded", "type", "impression"));
    assertEquals(1, p.counter("ranker.events.recorded", "type", "click"));
    assertEquals(1, p.counter("ranker.events.recorded", "type", "product"));
  }

  @Test
  void aConversionIsCountedAndChangesNoStateWhileAClickDoes() {
    TestPipeline p = TestPipeline.standard();
    List<RankedItem> before = p.ranking().rank(TestPipeline.query(KNOWN_USER, "home_hero")).banners();
    String top = before.get(0).bannerId();
    assertEquals(2, p.events().record(List.of(EventInput.conversion(KNOWN_USER, T, top, "r1"),
        EventInput.conversion("u-never-seen", T, top, ""))));
    assertEquals(2, p.counter("ranker.events.recorded", "type", "conversion"));
    assertEquals(before, p.ranking().rank(TestPipeline.query(KNOWN_USER, "home_hero")).banners(),
        "a conversion is no event of the user's history");
    p.events().record(List.of(EventInput.click(KNOWN_USER, T, top, "r1")));
    assertNotEquals(before, p.ranking().rank(TestPipeline.query(KNOWN_USER, "home_hero")).banners(),
        "a click is");
  }
}
