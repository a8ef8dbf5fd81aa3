package dev.bannerranker.trainer.item2vec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleConsumer;
import org.deeplearning4j.models.embeddings.inmemory.InMemoryLookupTable;
import org.deeplearning4j.models.embeddings.learning.impl.elements.SkipGram;
import org.deeplearning4j.models.embeddings.loader.VectorsConfiguration;
import org.deeplearning4j.models.sequencevectors.SequenceVectors;
import org.deeplearning4j.models.sequencevectors.interfaces.SequenceIterator;
import org.deeplearning4j.models.sequencevectors.iterators.AbstractSequenceIterator;
import org.deeplearning4j.models.sequencevectors.sequence.Sequence;
import org.deeplearning4j.models.word2vec.VocabWord;
import org.deeplearning4j.models.word2vec.wordstore.inmemory.AbstractCache;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Skip-gram with negative sampling over pre-built token sequences, with DL4J's {@link SequenceVectors}
 * (not {@code Word2Vec} with a tokenizer, whose vocabulary building dominated the run time).
 */
public final class Item2VecTrainer {
  private Item2VecTrainer() {}

  /**
   * Input vectors by token, output vectors by token (the negative-sampling context weights, syn1neg; empty when
   * trained without negatives), and how fast training went.
   */
  public record Result(Map<String, float[]> vectors, Map<String, float[]> outputs, long corpusTokens, double seconds) {
    public double tokensPerSecond(int epochs) {
      return seconds <= 0 ? 0 : corpusTokens * (double) epochs / seconds;
    }
  }

  /**
   * DL4J fails on an empty vocabulary with a division by zero or "can't fit() model with empty Vocabulary"; say
   * which it is instead: no sessions at all is the data's problem, no token frequent enough is {@code --min-count}'s.
   */
  static void checkSomethingToLearn(List<List<String>> sentences, Item2VecConfig cfg) {
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    long tokens = 0;
    for (List<String> s : sentences) {
      tokens += s.size();
      for (String t : s) {
        counts.merge(t, 1, Integer::sum);
      }
    }
    checkSomethingToLearn(counts, tokens, sentences.size(), cfg);
  }

  static void checkSomethingToLearn(Map<String, Integer> counts, long tokens, long sessions, Item2VecConfig cfg) {
    if (tokens == 0) {
      throw new dev.bannerranker.data.BadInputException("item2vec has no sessions to learn from: the data holds no "
          + "behaviour (product events or banner clicks) before the held-out days");
    }
    int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    if (max < cfg.minCount()) {
      throw new IllegalArgumentException("--min-count " + cfg.minCount() + " leaves item2vec an empty vocabulary: the "
          + "most frequent of the " + counts.size() + " items occurs " + max + " times in " + sessions
          + " sessions");
    }
  }

  /** One session as DL4J's sequence. */
  static Sequence<VocabWord> sequence(List<String> tokens) {
    Sequence<VocabWord> seq = new Sequence<>();
    for (String t : tokens) {
      seq.addElement(new VocabWord(1.0, t));
    }
    return seq;
  }

  /** As {@link #train(List, Item2VecConfig, DoubleConsumer)}, reading the sessions from a file on every pass. */
  public static Result train(SessionFile sessions, Item2VecConfig cfg, DoubleConsumer onProgress) {
    checkSomethingToLearn(sessions.counts(), sessions.tokens(), sessions.sessions(), cfg);
    return fit(sessions.iterator(), sessions.sessions(), sessions.tokens(), cfg, onProgress);
  }

  /**
   * Trains on the sentences. {@code onProgress} (may be null) is told the share done, in [0, 1]: DL4J M2.1
   * does not deliver its epoch events, so progress is counted from the sequences it reads (one vocabulary
   * pass, then one pass per epoch).
   */
  public static Result train(List<List<String>> sentences, Item2VecConfig cfg, DoubleConsumer onProgress) {
    checkSomethingToLearn(sentences, cfg);
    List<Sequence<VocabWord>> seqs = new ArrayList<>(sentences.size());
    long tokens = 0;
    for (List<String> s : sentences) {
      seqs.add(sequence(s));
      tokens += s.size();
    }
    return fit(new AbstractSequenceIterator.Builder<>(seqs).build(), seqs.size(), tokens, cfg, onProgress);
  }

  private static Result fit(SequenceIterator<VocabWord> base, long sessions, long tokens, Item2VecConfig cfg,
      DoubleConsumer onProgress) {
    Nd4j.getRandom().setSeed(cfg.seed());
    AbstractCache<VocabWord> vocab = new AbstractCache.Builder<VocabWord>().build();
    InMemoryLookupTable<VocabWord> table = new InMemoryLookupTable.Builder<VocabWord>()
        .vectorLength(cfg.dimension()).useAdaGrad(false).cache(vocab).seed(cfg.seed())
        .negative(cfg.negatives()).build();
    double total = (double) sessions * (cfg.epochs() + 1);
    SequenceIterator<VocabWord> counting = new SequenceIterator<>() {
      private long read;

      @Override
      public boolean hasMoreSequences() {
        return base.hasMoreSequences();
      }

      @Override
      public Sequence<VocabWord> nextSequence() {
        if (onProgress != null && (++read & 0x3FF) == 0) {
          onProgress.accept(Math.min(1.0, read / total));
        }
        return base.nextSequence();
      }

      @Override
      public void reset() {
        base.reset();
      }
    };
    SequenceVectors<VocabWord> model = new SequenceVectors.Builder<VocabWord>(new VectorsConfiguration())
        .iterate(counting)
        .vocabCache(vocab)
        .lookupTable(table)
        .layerSize(cfg.dimension())
        .windowSize(cfg.window())
        .negativeSample(cfg.negatives())
        .useHierarchicSoftmax(false)
        .minWordFrequency(cfg.minCount())
        .sampling(cfg.subsampling())
        .learningRate(cfg.learningRate())
        .minLearningRate(cfg.learningRate() / 100)
        .epochs(cfg.epochs())
        .iterations(1)
        .batchSize(4096)
        .workers(cfg.workers())
        .seed(cfg.seed())
        .elementsLearningAlgorithm(new SkipGram<>())
        .trainElementsRepresentation(true)
        .trainSequencesRepresentation(false)
        .resetModel(true)
        .build();
    long start = System.nanoTime();
    model.fit();
    double seconds = (System.nanoTime() - start) / 1e9;

    Map<String, float[]> out = new HashMap<>();
    Map<String, float[]> outputs = new HashMap<>();
    INDArray syn1Neg = table.getSyn1Neg();
    for (VocabWord w : vocab.vocabWords()) {
      INDArray v = table.vector(w.getLabel());
      if (v != null) {
        out.put(w.getLabel(), v.toFloatVector());
        int row = vocab.indexOf(w.getLabel());
        if (syn1Neg != null && row >= 0 && row < syn1Neg.rows()) {
          outputs.put(w.getLabel(), syn1Neg.getRow(row).toFloatVector());
        }
      }
    }
    return new Result(out, outputs, tokens, seconds);
  }
}
