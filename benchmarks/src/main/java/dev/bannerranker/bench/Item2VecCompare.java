package dev.bannerranker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bannerranker.data.EventLog;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.features.ItemVectors;
import dev.bannerranker.features.Vocabularies;
import dev.bannerranker.trainer.dataset.ModelVocabulary;
import dev.bannerranker.trainer.dataset.TimeSplit;
import dev.bannerranker.trainer.item2vec.Item2VecConfig;
import dev.bannerranker.trainer.item2vec.Item2VecTrainer;
import dev.bannerranker.trainer.item2vec.SessionBuilder;
import dev.bannerranker.trainer.pipeline.EvaluationPipeline;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * item2vec training speed and quality, DL4J (the trainer's {@link Item2VecTrainer}) against the original C word2vec,
 * on the same corpus with the same settings and one thread each. {@code benchmarks/word2vec/run.sh} drives it:
 *
 * <pre>
 *   Item2VecCompare corpus  --data WORLD --out corpus.txt
 *       the exact sentences train uses: SessionBuilder over the behaviour before the test day (train's default
 *       split), one sentence per line, tokens separated by one space (spaces inside tokens become '~')
 *   Item2VecCompare compare --data WORLD --corpus corpus.txt --c-vectors vectors.txt --c-seconds S --out item2vec.json
 *       trains DL4J on the same sentences with train's defaults, times it, and scores both vector sets with the
 *       evaluator's same-category precision@10 of brand vectors
 * </pre>
 *
 * Tokens/s is corpus tokens × epochs / seconds for both. The DL4J time is {@code SequenceVectors.fit()} (vocabulary
 * and training, sentences already in memory); the C time is the whole process (reading the file, vocabulary,
 * training, writing vectors), which can only favour DL4J.
 */
public final class Item2VecCompare {
  private Item2VecCompare() {}

  /** The settings of both runs: train's item2vec defaults (see TrainCommand). */
  static final Item2VecConfig CONFIG = Item2VecConfig.defaults(7);

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      usage();
    }
    Map<String, String> opt = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        usage();
      }
      opt.put(args[i].substring(2), args[i + 1]);
    }
    switch (args[0]) {
      case "corpus": corpus(Paths.get(need(opt, "data")), Paths.get(need(opt, "out"))); break;
      case "settings": System.out.println(cSettings()); break;
      case "compare": compare(opt); break;
      default: usage();
    }
  }

  private static void usage() {
    System.err.println("usage: Item2VecCompare corpus --data DIR --out FILE\n"
        + "       Item2VecCompare settings\n"
        + "       Item2VecCompare compare --data DIR --corpus FILE --c-vectors FILE --c-seconds S [--out FILE] [--dl4j-runs N]");
    System.exit(2);
  }

  private static String need(Map<String, String> opt, String key) {
    String v = opt.get(key);
    if (v == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }

  /** The C tool's flags for {@link #CONFIG}. */
  static String cSettings() {
    Item2VecConfig c = CONFIG;
    return String.format(Locale.ROOT, "-cbow 0 -size %d -window %d -negative %d -hs 0 -sample %s -iter %d -min-count %d"
        + " -threads %d -alpha %s -binary 0", c.dimension(), c.window(), c.negatives(), fmt(c.subsampling()), c.epochs(),
        c.minCount(), c.workers(), fmt(c.learningRate()));
  }

  private static String fmt(double d) {
    return Double.toString(d).replace("0.001", "1e-3");
  }

  static List<List<String>> sessions(EventLog log) {
    // train's own-format split with its defaults (--valid-days 1 --test-days 1): vectors never see the test day
    long until = TimeSplit.lastDays(log.impressions(), 1, 1).testStart();
    return SessionBuilder.sessions(log, until, CONFIG.sessionGapMinutes());
  }

  /** Stands for a space inside a token (brand names have spaces; word2vec splits on them). */
  static final char SPACE = '~';

  static String safe(String token) {
    if (token.indexOf(SPACE) >= 0 || token.indexOf('\t') >= 0 || token.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("token '" + token + "' cannot be written to a word2vec corpus unambiguously");
    }
    return token.replace(' ', SPACE);
  }

  static String unsafe(String token) {
    return token.replace(SPACE, ' ');
  }

  static void corpus(Path data, Path out) throws IOException {
    EventLog log = EventLogReader.read(data, 0.01);
    List<List<String>> sessions = sessions(log);
    long tokens = 0;
    Files.createDirectories(out.toAbsolutePath().getParent());
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (List<String> s : sessions) {
        for (int i = 0; i < s.size(); i++) {
          if (i > 0) {
            w.write(' ');
          }
          w.write(safe(s.get(i)));
        }
        w.write('\n');
        tokens += s.size();
      }
    }
    System.out.printf("corpus: %d sentences, %d tokens -> %s%n", sessions.size(), tokens, out);
  }

  static List<List<String>> readCorpus(Path file) throws IOException {
    List<List<String>> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isEmpty()) {
          out.add(Arrays.asList(line.split(" ")));
        }
      }
    }
    return out;
  }

  /** word2vec's text output: a header line {@code count dim}, then {@code token v1 … vdim} per line. */
  static Map<String, float[]> readTextVectors(Path file) throws IOException {
    Map<String, float[]> out = new HashMap<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String[] head = r.readLine().trim().split(" ");
      int dim = Integer.parseInt(head[1]);
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.trim().split(" ");
        if (f.length != dim + 1) {
          throw new IOException(file + ": expected " + (dim + 1) + " fields, got " + f.length + " in '" + line + "'");
        }
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
          v[i] = Float.parseFloat(f[i + 1]);
        }
        out.put(unsafe(f[0]), v);
      }
    }
    return out;
  }

  static void compare(Map<String, String> opt) throws IOException {
    Path data = Paths.get(need(opt, "data"));
    Path corpusFile = Paths.get(need(opt, "corpus"));
    double cSeconds = Double.parseDouble(need(opt, "c-seconds"));
    Map<String, float[]> cVectors = readTextVectors(Paths.get(need(opt, "c-vectors")));
    int runs = Integer.parseInt(opt.getOrDefault("dl4j-runs", "1"));

    EventLog log = EventLogReader.read(data, 0.01);
    List<List<String>> corpus = readCorpus(corpusFile);
    long tokens = corpus.stream().mapToLong(List::size).sum();
    Vocabularies vocab = ModelVocabulary.build(log);
    Map<String, String> brandCategory = EvaluationPipeline.dominantCategory(log);

    List<Double> dl4jSeconds = new ArrayList<>();
    Map<String, float[]> dl4jVectors = null;
    for (int run = 0; run < runs; run++) {
      Item2VecTrainer.Result res = Item2VecTrainer.train(corpus, CONFIG, null);
      dl4jSeconds.add(res.seconds());
      if (dl4jVectors == null) {
        dl4jVectors = new HashMap<>();
        for (var e : res.vectors().entrySet()) {
          dl4jVectors.put(unsafe(e.getKey()), e.getValue());
        }
      }
      System.out.printf(Locale.ROOT, "dl4j run %d: %.2f s = %.0f tokens/s%n", run + 1, res.seconds(),
          tokens * (double) CONFIG.epochs() / res.seconds());
    }
    double dl4jTps = tokens * (double) CONFIG.epochs() / dl4jSeconds.get(0);
    double cTps = tokens * (double) CONFIG.epochs() / cSeconds;
    double pDl4j = precision(vocab, log, dl4jVectors, brandCategory);
    double pC = precision(vocab, log, cVectors, brandCategory);

    Map<String, Object> r = new LinkedHashMap<>();
    r.put("corpus", Map.of("file", corpusFile.toString(), "sentences", corpus.size(), "tokens", tokens));
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("skip_gram", true);
    settings.put("dimension", CONFIG.dimension());
    settings.put("window", CONFIG.window());
    settings.put("negative", CONFIG.negatives());
    settings.put("hierarchical_softmax", false);
    settings.put("sample", CONFIG.subsampling());
    settings.put("epochs", CONFIG.epochs());
    settings.put("min_count", CONFIG.minCount());
    settings.put("alpha", CONFIG.learningRate());
    settings.put("threads", CONFIG.workers());
    settings.put("c_flags", cSettings());
    r.put("settings", settings);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("seconds", dl4jSeconds.get(0));
    d.put("all_run_seconds", dl4jSeconds);
    d.put("tokens_per_second", dl4jTps);
    d.put("vectors", dl4jVectors.size());
    d.put("category_precision_at_10", pDl4j);
    d.put("timed", "SequenceVectors.fit(): vocabulary + training, sentences in memory, first run in a fresh JVM");
    r.put("dl4j", d);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("seconds", cSeconds);
    c.put("tokens_per_second", cTps);
    c.put("vectors", cVectors.size());
    c.put("category_precision_at_10", pC);
    c.put("timed", "the whole word2vec process: read file, vocabulary, training, write vectors");
    c.put("source", "npm word2vec@1.1.5, src/word2vec.c built with its makefile (gcc -O3 -march=native)");
    r.put("c_word2vec", c);
    r.put("tokens_per_second_ratio_dl4j_over_c", dl4jTps / cTps);
    r.put("chance_category_precision", chance(vocab, log, dl4jVectors, brandCategory));
    Map<String, Object> goals = new LinkedHashMap<>();
    goals.put("dl4j_at_least_half_of_c_tokens_per_second", dl4jTps >= 0.5 * cTps);
    goals.put("dl4j_precision_at_least_c", pDl4j >= pC);
    r.put("goals", goals);
    r.put("machine", Report.machine());
    r.put("java", System.getProperty("java.version"));
    r.put("omp_num_threads", System.getenv("OMP_NUM_THREADS"));

    System.out.printf(Locale.ROOT, "%d sentences, %d tokens, %d epochs%n", corpus.size(), tokens, CONFIG.epochs());
    System.out.printf(Locale.ROOT, "C word2vec: %.2f s = %.0f tokens/s, precision@10 %.4f%n", cSeconds, cTps, pC);
    System.out.printf(Locale.ROOT, "DL4J:       %.2f s = %.0f tokens/s, precision@10 %.4f%n", dl4jSeconds.get(0), dl4jTps, pDl4j);
    System.out.printf(Locale.ROOT, "ratio DL4J / C tokens/s = %.3f (goal >= 0.5: %s); precision DL4J >= C: %s%n",
        dl4jTps / cTps, dl4jTps >= 0.5 * cTps ? "met" : "not met", pDl4j >= pC ? "met" : "not met");
    String out = opt.get("out");
    if (out != null) {
      Path p = Paths.get(out);
      if (p.toAbsolutePath().getParent() != null) {
        Files.createDirectories(p.toAbsolutePath().getParent());
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(p.toFile(), r);
      System.out.println("wrote " + p);
    }
  }

  /** The evaluator's same-category precision@10 of brand vectors laid out as the bundle lays them out. */
  static double precision(Vocabularies vocab, EventLog log, Map<String, float[]> tokens, Map<String, String> brandCategory) {
    ItemVectors v = ModelVocabulary.itemVectors(vocab, log.banners(), tokens, CONFIG.dimension());
    return EvaluationPipeline.categoryPrecisionAt10(vocab, v, brandCategory);
  }

  /** The precision random vectors would get: per scored brand, the share of the other brands in its category. */
  static double chance(Vocabularies vocab, EventLog log, Map<String, float[]> tokens, Map<String, String> brandCategory) {
    ItemVectors v = ModelVocabulary.itemVectors(vocab, log.banners(), tokens, CONFIG.dimension());
    Map<String, Integer> perCategory = new HashMap<>();
    List<String> scored = new ArrayList<>();
    for (int i = 1; i < v.brandCount(); i++) {
      String cat = brandCategory.get(vocab.brands().valueAt(i));
      if (cat != null) {
        perCategory.merge(cat, 1, Integer::sum);
        boolean zero = true;
        for (float f : v.brand(i)) {
          zero &= f == 0f;
        }
        if (!zero) {
          scored.add(cat);
        }
      }
    }
    int brands = v.brandCount() - 1;
    double sum = 0;
    for (String cat : scored) {
      sum += (perCategory.get(cat) - 1) / (double) (brands - 1);
    }
    return scored.isEmpty() ? Double.NaN : sum / scored.size();
  }
}
