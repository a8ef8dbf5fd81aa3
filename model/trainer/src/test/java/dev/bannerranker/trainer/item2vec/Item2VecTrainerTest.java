package dev.bannerranker.trainer.item2vec;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class Item2VecTrainerTest {
  private static Item2VecConfig minCount(int n) {
    return new Item2VecConfig(8, 5, 5, 1, n, 1e-3, 0.025, 30, 1, 7);
  }

  @Test
  void noSessionsIsTheDataProblemNotADivisionByZero() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Item2VecTrainer.train(List.of(), minCount(1), null));
    assertTrue(e.getMessage().contains("no sessions to learn from"), e.getMessage());
    assertThrows(BadInputException.class, () -> Item2VecTrainer.train(List.of(List.of(), List.of()), minCount(1), null));
  }

  @Test
  void aMinCountAboveEveryItemNamesTheOption() {
    List<List<String>> sessions = List.of(List.of("b:a", "b:b", "b:a"), List.of("b:a", "c:x"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Item2VecTrainer.train(sessions, minCount(4), null));
    assertEquals("--min-count 4 leaves item2vec an empty vocabulary: the most frequent of the 3 items occurs 3 times "
        + "in 2 sessions", e.getMessage());
    Item2VecTrainer.checkSomethingToLearn(sessions, minCount(3)); // b:a occurs 3 times: something to learn
  }
}
