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
 * @param sessionGapMinutes a pause longer than this starts a new session; 0 never cuts, so each user's whole
 *     time-ordered history is one session (MovieLens, whose ratings are the sessions)
 * @param workers training threads; 1 keeps runs bit-for-bit reproducible
 * @param seed random seed
 */
public record Item2VecConfig(int dimension, int window, int negatives, int epochs, int minCount, double subsampling,
    double learningRate, int sessionGapMinutes, int workers, long seed) {

  public Item2VecConfig {
    if (dimension < 2 || window < 1 || negatives < 1 || epochs < 1 || minCount < 1 || workers < 1
        || subsampling < 0 || learningRate <= 0 || sessionGapMinutes < 0) {
      // The record's fields are not set yet here, so the values are listed from the parameters.
      throw new IllegalArgumentException(String.format("item2vec: dimension must be >= 2, window, negatives, epochs,"
          + " min count and workers >= 1, subsampling and session gap >= 0 and learning rate > 0; got dimension %d,"
          + " window %d, negatives %d, epochs %d, min count %d, subsampling %s, learning rate %s, session gap %d,"
          + " workers %d", dimension, window, negatives, epochs, minCount, subsampling, learningRate,
          sessionGapMinutes, workers));
    }
  }

  public static Item2VecConfig defaults(long seed) {
    return new Item2VecConfig(32, 5, 5, 5, 5, 1e-3, 0.025, 30, 1, seed);
  }
}
