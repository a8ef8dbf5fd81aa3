package dev.bannerranker.trainer.item2vec;

/**
 * Skip-gram with negative sampling settings; every one is a CLI option of {@code train}.
 *
 * @param dimension vector size
 * @param window context window (tokens each side)
 * @param negatives negative samples per positive pair
 * @param epochs passes over the corpus
 * @param minCount tokens seen fewer times get no vector (cold banners are then composed)
 * @param subsampling frequent-token down-sampling threshold (word2vec's {@code -sample})
 * @param learningRate starting learning rate, decayed linearly to {@code learningRate / 100}
 * @param sessionGapMinutes a pause longer than this starts a new session
 * @param workers training threads; 1 keeps runs bit-for-bit reproducible
 * @param seed random seed
 */
public record Item2VecConfig(int dimension, int window, int negatives, int epochs, int minCount, double subsampling,
    double learningRate, int sessionGapMinutes, int workers, long seed) {

  public Item2VecConfig {
    if (dimension < 2 || window < 1 || negatives < 1 || epochs < 1 || minCount < 1 || workers < 1
        || subsampling < 0 || learningRate <= 0 || sessionGapMinutes < 1) {
      throw new IllegalArgumentException("item2vec: every size and count must be positive (got " + this + ")");
    }
  }

  public static Item2VecConfig defaults(long seed) {
    return new Item2VecConfig(32, 5, 5, 5, 5, 1e-3, 0.025, 30, 1, seed);
  }
}
